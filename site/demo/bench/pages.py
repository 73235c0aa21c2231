"""Every main page and export, as the role that uses it, on the generated trust.

Who is who (demo.trust.people): s01.* work at the first school (the one with the
300-entry file), trust.dsl is DSL at every school, trust.lead head at every school.
"""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from viewflow.workflow.status import STATUS

from records.models import Concern, Pupil
from taxonomy.models import Term, Vocabulary
from workflows.models import CaseTask

SCHOOL_DSL, TRUST_DSL = "s01.dsl", "trust.dsl"
HEAD, TRUST_LEAD, STAFF = "s01.head", "trust.lead", "s01.staff01"


def targets(file_pupil):
    """The ids the pages need: an open task, a concern with every step, the file."""
    school = Pupil.objects.get(pk=file_pupil).school_id
    task = (
        CaseTask.objects.filter(
            school_id=school,
            team="dsl_team",
            flow_task_type="HUMAN",
            status=STATUS.NEW,
            concern__isnull=False,
        )
        .order_by("-pk")
        .first()
    )
    concern = (
        Concern.objects.filter(school_id=school, status=Concern.Status.CLOSED)
        .annotate(n=Count("referrals"))
        .filter(n__gt=0)
        .order_by("-pk")
        .first()
    )
    category = Term.objects.get(
        vocabulary=Vocabulary.CATEGORY, key="bullying", school__isnull=True
    )
    return {"task": task, "concern": concern, "category": category}


def page_list(file_pupil, api_headers):
    """(name, role, url, extra) for every page measured; extra: a floor's key, or
    the API's headers. api_headers(username, scope) signs a token in (scripts/bench.py
    makes it: demo may not import the api room)."""
    found = targets(file_pupil)
    today = timezone.localdate()
    days90 = f"from={today - timedelta(days=90)}&to={today}"
    years3 = f"from={today - timedelta(days=3 * 365)}&to={today}"
    category = found["category"].pk
    a = "/admin"
    pages = [
        ("Dashboard, school DSL", SCHOOL_DSL, f"{a}/", None),
        ("Dashboard, trust DSL", TRUST_DSL, f"{a}/", None),
        ("Dashboard, head", HEAD, f"{a}/", None),
        ("Dashboard, staff", STAFF, f"{a}/", None),
        ("My tasks", SCHOOL_DSL, f"{a}/casework/my-tasks/", "my_tasks"),
        ("Team queue, school DSL", SCHOOL_DSL, f"{a}/casework/team-queue/", "queue"),
        ("Team queue, trust DSL", TRUST_DSL, f"{a}/casework/team-queue/", "queue"),
        ("Task page", SCHOOL_DSL, f"{a}/casework/tasks/{found['task'].pk}/", None),
        (
            "Concern page",
            SCHOOL_DSL,
            f"{a}/casework/concerns/{found['concern'].pk}/",
            None,
        ),
        ("Child's file, 300 entries", SCHOOL_DSL, f"{a}/files/{file_pupil}/", "file"),
        ("Children's files, list", SCHOOL_DSL, f"{a}/files/", "files"),
        ("Children's files, list, trust DSL", TRUST_DSL, f"{a}/files/", "files"),
        ("Children's files, search", SCHOOL_DSL, f"{a}/files/?q=brook", None),
        ("Children's files, page 20", SCHOOL_DSL, f"{a}/files/?page=20", "files20"),
        ("Files needing attention", SCHOOL_DSL, f"{a}/files/attention/", None),
        (
            "Workflow status, 90 days",
            SCHOOL_DSL,
            f"{a}/casework/status/?{days90}",
            None,
        ),
        (
            "Workflow status, 3 years",
            SCHOOL_DSL,
            f"{a}/casework/status/?{years3}",
            None,
        ),
        ("Workflow health", TRUST_LEAD, f"{a}/safeguarding-reports/workflow/", None),
        ("Reports, default, head", HEAD, f"{a}/safeguarding-reports/", "report"),
        (
            "Reports, default, trust",
            TRUST_LEAD,
            f"{a}/safeguarding-reports/",
            "report",
        ),
        (
            "Reports, by term, 3 years, trust",
            TRUST_LEAD,
            f"{a}/safeguarding-reports/?group=term&{years3}",
            None,
        ),
        (
            "Reports, category filter, trust",
            TRUST_LEAD,
            f"{a}/safeguarding-reports/?category={category}",
            None,
        ),
        (
            "Report CSV, trust",
            TRUST_LEAD,
            f"{a}/safeguarding-reports/export.csv",
            None,
        ),
        (
            "Report XLSX, trust",
            TRUST_LEAD,
            f"{a}/safeguarding-reports/export.xlsx",
            None,
        ),
        ("Audit log, first page", SCHOOL_DSL, f"{a}/audit-log/", "audit"),
        ("Audit log, page 50", SCHOOL_DSL, f"{a}/audit-log/?p=50", "audit50"),
        ("Audit log CSV", SCHOOL_DSL, f"{a}/audit-log/export/", None),
        ("Notifications", SCHOOL_DSL, f"{a}/casework/notifications/", None),
        ("Retention review", SCHOOL_DSL, f"{a}/files/retention/", None),
        ("Transfers", SCHOOL_DSL, f"{a}/casework/transfers/", None),
    ]
    submit = api_headers(STAFF, "submit")
    tasks = api_headers(SCHOOL_DSL, "tasks")
    pages += [
        ("API forms", STAFF, "/api/v1/forms", {"headers": submit}),
        ("API pupils search", STAFF, "/api/v1/pupils?q=brook", {"headers": submit}),
        ("API my concerns", STAFF, "/api/v1/concerns", {"headers": submit}),
        ("API task counts", SCHOOL_DSL, "/api/v1/tasks/counts", {"headers": tasks}),
    ]
    return pages
