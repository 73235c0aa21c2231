"""Roll sync: a school's service token, and the endpoint an MIS connector pushes the
roll to (POST /api/v1/roll) with the same dry run and import as the admin page
(records.roll). The token belongs to the school, not to a person: its DSL makes and
revokes it in the admin (views), it opens nothing but the roll endpoint (auth),
and every push is in the audit log under the token's name."""
