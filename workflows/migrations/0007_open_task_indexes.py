"""An index over open human tasks only, for the queues and the menu counts.

The status, the type and the owner live in Viewflow's own table (viewflow_task,
the parent of CaseTask), which our models cannot declare an index on (Django
refuses a Meta index over an inherited field), so it is created here. It holds a
few thousand rows whatever the history (done tasks are not in it): My tasks looks
up owner_id = me, the team queue owner_id IS NULL, then joins CaseTask by its key.
The status list is workflows.models.OPEN.
"""

from django.db import migrations

CREATE = """
CREATE INDEX IF NOT EXISTS workflows_open_human_task_idx
ON viewflow_task (owner_id, created)
WHERE flow_task_type = 'HUMAN' AND status IN ('NEW', 'ASSIGNED', 'STARTED')
"""
DROP = "DROP INDEX IF EXISTS workflows_open_human_task_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0006_notification_email_lease"),
        ("viewflow", "0001_initial"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
