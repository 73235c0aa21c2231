"""Database triggers that make the audit table append-only, on SQLite and PostgreSQL.

The application never updates or deletes an entry; these triggers make the database
refuse it too, whatever the caller (ORM .update()/.delete(), raw SQL, auditlogflush).
Installed by migration 0002. Consequence for tests: the table cannot be flushed, so the
suite does not use transactional_db; browser tests run a server in its own database.
"""

TABLE = "audit_chainedlogentry"
MESSAGE = "the audit log is append-only: entries cannot be changed or removed"

SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_no_update",
    "DROP TRIGGER IF EXISTS audit_no_delete",
]

POSTGRESQL_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    f"""CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_no_update_delete ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
]

STATEMENTS = {
    "sqlite": (SQLITE_INSTALL, SQLITE_REMOVE),
    "postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_REMOVE),
}


def _run(connection, index):
    install_remove = STATEMENTS.get(connection.vendor)
    if install_remove is None:
        raise NotImplementedError(
            f"No append-only guard for the {connection.vendor} database."
        )
    with connection.cursor() as cursor:
        for statement in install_remove[index]:
            cursor.execute(statement)


def install(connection):
    _run(connection, 0)


def remove(connection):
    """Only for the tests that prove tampering is detected, and for a documented,
    supervised maintenance procedure."""
    _run(connection, 1)
