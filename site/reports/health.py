"""Workflow health: how quickly concerns move and whether agencies answer in time.

Open work, overdue tasks and the time to triage, decision and closure come from
workflows.status (the manager's figures) so both pages always agree; this adds how
each agency answers the referrals made to it, counted in the database.
"""

from django.db.models import Count, F, Q

from records.models import Referral
from workflows import status
from workflows.clock import Clock


def agency_responses(concerns, period, *, now=None):
    """Per agency, the referrals made in the period: answered by the date due,
    answered late, and still waiting past it ("overdue" as the clock sweep sees a
    follow-up: from 08:00 on the next working day, workflows.clock). One query,
    and three for the schools' calendars."""
    schools = concerns.order_by().values_list("school_id", flat=True).distinct()
    late = Clock(set(schools), now=now).passed_q(
        "response_due", clock="working", school="concern__school_id"
    )
    return list(
        Referral.objects.filter(
            concern__in=concerns.values("pk"),
            contacted_on__range=(period.start, period.end),
        )
        .values("agency_id", name=F("agency__name"))
        .annotate(
            made=Count("pk"),
            on_time=Count("pk", filter=Q(responded_on__lte=F("response_due"))),
            late=Count("pk", filter=Q(responded_on__gt=F("response_due"))),
            waiting=Count("pk", filter=Q(responded_on__isnull=True)),
            overdue=Count("pk", filter=Q(responded_on__isnull=True) & late),
        )
        .order_by("name")
    )


def workflow_health(*, user, concerns, query):
    period = status.Period.from_query(query)
    return {
        "period": period,
        **status.overview(user=user, period=period),
        "agencies": agency_responses(concerns, period),
    }
