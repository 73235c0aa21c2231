# ruff: noqa: S608 (SQL built from constants and model table names; values bound)
"""Hand-written SQL returning the rows a page shows (PostgreSQL): the floor a page's
server time is compared with. Each is the query one would write by hand knowing the
schema and the user's schools; a page whose time is near its floor has little left to
gain from the database side.
"""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from accounts.models import User
from records.models import (
    Closure,
    Concern,
    ConcernPupil,
    Decision,
    FileNote,
    Pupil,
    PupilFlag,
    Referral,
    Triage,
)
from workflows.models import CaseProcess, CaseTask

from .measure import median_time

MINE = """SELECT school_id FROM accounts_membership
          WHERE user_id = %(user)s AND role = ANY(%(roles)s)"""
CASE = ["dsl", "deputy_dsl"]


def _run(sql, params):
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement, params)
            cursor.fetchall()


QUEUE = [
    f"""SELECT t.id, t.flow_task, t.created, ct.due_on, ct.urgent, ct.concern_id,
              c.primary_category_name, s.name
       FROM workflows_casetask ct
       JOIN viewflow_task t ON t.id = ct.task_ptr_id
       JOIN accounts_school s ON s.id = ct.school_id
       LEFT JOIN records_concern c ON c.id = ct.concern_id
       WHERE ct.school_id IN ({MINE}) AND ct.team = 'dsl_team'
         AND t.status = 'NEW' AND t.flow_task_type = 'HUMAN'
       ORDER BY ct.urgent DESC, ct.due_on, t.id LIMIT 50""",
    f"""SELECT count(*) FROM workflows_casetask ct
       JOIN viewflow_task t ON t.id = ct.task_ptr_id
       WHERE ct.school_id IN ({MINE}) AND ct.team = 'dsl_team'
         AND t.status = 'NEW' AND t.flow_task_type = 'HUMAN'""",
]
MY_TASKS = [
    """SELECT t.id, t.flow_task, t.created, ct.due_on, ct.urgent, ct.concern_id,
              c.primary_category_name
       FROM viewflow_task t
       JOIN workflows_casetask ct ON ct.task_ptr_id = t.id
       LEFT JOIN records_concern c ON c.id = ct.concern_id
       WHERE t.owner_id = %(user)s AND t.status = ANY(ARRAY['ASSIGNED', 'STARTED'])
       ORDER BY ct.urgent DESC, ct.due_on, t.id LIMIT 50""",
]
OF_FILE = "SELECT concern_id FROM records_concernpupil WHERE pupil_id = %(pupil)s"
FILE = [
    """SELECT c.*, cp.role FROM records_concernpupil cp
       JOIN records_concern c ON c.id = cp.concern_id
       WHERE cp.pupil_id = %(pupil)s ORDER BY c.submitted_at DESC""",
    *(
        f"SELECT * FROM {table} WHERE concern_id IN ({OF_FILE})"
        for table in (
            "records_triage",
            "records_decision",
            "records_referral",
            "records_closure",
            "records_action",
        )
    ),
    *(
        f"SELECT * FROM {table} WHERE pupil_id = %(pupil)s"
        for table in ("records_filenote", "records_pupilflag", "records_keyperson")
    ),
]


def _files(offset):
    return [
        f"""WITH page AS (
              SELECT p.id, p.first_name, p.last_name, p.preferred_name, p.school_id
              FROM records_pupil p
              WHERE p.school_id IN ({MINE}) AND p.date_left IS NULL
              ORDER BY p.last_name, p.first_name, p.id LIMIT 50 OFFSET {offset})
            SELECT page.*, s.name,
              (SELECT count(*) FROM records_concernpupil cp
                 JOIN records_concern c ON c.id = cp.concern_id
                 WHERE cp.pupil_id = page.id AND c.route = 'dsl_team'),
              (SELECT max(c.submitted_at) FROM records_concernpupil cp
                 JOIN records_concern c ON c.id = cp.concern_id
                 WHERE cp.pupil_id = page.id AND c.route = 'dsl_team')
            FROM page JOIN accounts_school s ON s.id = page.school_id""",
        f"""SELECT count(*) FROM records_pupil
            WHERE school_id IN ({MINE}) AND date_left IS NULL""",
    ]


IN_PERIOD = f"""c.school_id IN ({MINE}) AND c.submitted_at >= %(start)s"""
REPORT = [
    f"""SELECT date_trunc('month', c.submitted_at) AS m, c.submitted_at >= %(mid)s,
              count(*) FROM records_concern c WHERE {IN_PERIOD} GROUP BY 1, 2""",
    *(
        f"""SELECT c.{column}, c.submitted_at >= %(mid)s, count(*)
            FROM records_concern c WHERE {IN_PERIOD} GROUP BY 1, 2"""
        for column in ("primary_category_id", "location_id", "immediate_risk")
    ),
    *(
        f"""SELECT p.{column}, c.submitted_at >= %(mid)s, count(DISTINCT c.id)
            FROM records_concern c
            JOIN records_concernpupil cp ON cp.concern_id = c.id
            JOIN records_pupil p ON p.id = cp.pupil_id
            WHERE {IN_PERIOD} GROUP BY 1, 2"""
        for column in ("year_group", "sex")
    ),
    f"""SELECT d.outcome, c.submitted_at >= %(mid)s, count(*)
        FROM records_decision d JOIN records_concern c ON c.id = d.concern_id
        WHERE {IN_PERIOD} GROUP BY 1, 2""",
    *(
        f"""SELECT r.{column}, c.submitted_at >= %(mid)s, count(*)
            FROM records_referral r JOIN records_concern c ON c.id = r.concern_id
            WHERE {IN_PERIOD} GROUP BY 1, 2"""
        for column in ("agency_id", "agency_outcome")
    ),
]


def _audit(offset):
    clauses = " OR ".join(
        f"(e.content_type_id = %(ct_{n})s AND e.object_id IN ({ids}))"
        for n, (_model, ids) in enumerate(_audited())
    )
    return [
        f"""SELECT e.id, e.timestamp, e.action, e.object_repr, e.actor_id,
                   u.first_name, u.last_name
            FROM audit_chainedlogentry e
            LEFT JOIN accounts_user u ON u.id = e.actor_id
            WHERE {clauses}
            ORDER BY e.id DESC LIMIT 50 OFFSET {offset}"""
    ]


def _audited():
    """(model, SQL for the ids of its rows at the user's schools) for the records
    whose entries a DSL reads in the log."""
    own = [
        (Concern, "id"),
        (Pupil, "id"),
        (CaseProcess, "process_ptr_id"),
        (CaseTask, "task_ptr_id"),
    ]
    by_concern = [ConcernPupil, Triage, Decision, Referral, Closure]
    by_pupil = [FileNote, PupilFlag]
    return [
        *(
            (
                model,
                f"SELECT {pk} FROM {model._meta.db_table} WHERE school_id IN ({MINE})",
            )
            for model, pk in own
        ),
        *(
            (
                model,
                f"""SELECT x.id FROM {model._meta.db_table} x
                    JOIN records_concern c ON c.id = x.concern_id
                    WHERE c.school_id IN ({MINE})""",
            )
            for model in by_concern
        ),
        *(
            (
                model,
                f"""SELECT x.id FROM {model._meta.db_table} x
                    JOIN records_pupil p ON p.id = x.pupil_id
                    WHERE p.school_id IN ({MINE})""",
            )
            for model in by_pupil
        ),
    ]


FLOORS = {
    "queue": lambda p: (QUEUE, p),
    "my_tasks": lambda p: (MY_TASKS, p),
    "file": lambda p: (FILE, p),
    "files": lambda p: (_files(0), p),
    "files20": lambda p: (_files(19 * 50), p),
    "report": lambda p: (REPORT, p),
    "audit": lambda p: (_audit(0), p),
    "audit50": lambda p: (_audit(49 * 50), p),
}
REPORT_ROLES = ["head", "dsl", "deputy_dsl"]


def floor_ms(key, username, *, file_pupil, runs=5):
    """The median time of the floor query set for that page and user, in ms."""
    user = User.objects.get(username=username)
    now = timezone.now()
    params = {
        "user": user.pk,
        "roles": REPORT_ROLES if key == "report" else CASE,
        "pupil": file_pupil,
        "start": now - timedelta(days=730),
        "mid": now - timedelta(days=365),
    }
    for n, (model, _ids) in enumerate(_audited()):
        params[f"ct_{n}"] = ContentType.objects.get_for_model(model).pk
    sql, params = FLOORS[key](params)
    return median_time(lambda: _run(sql, params), runs) * 1000
