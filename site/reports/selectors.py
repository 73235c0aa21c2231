"""Who may see which reports, and over which concerns.

Reports are for the people answerable for safeguarding at a school: its DSLs, deputy
DSLs and heads (a trust leader is a head of several schools). Staff and configurators
get none. The concerns counted are exactly those whose workflow status the user may
oversee (workflows.selectors.oversight_filter): concerns about adults only at schools
the user heads, because the adult may be a DSL.
"""

from collections.abc import Iterable

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from accounts.models import Role, School, SchoolTerm
from accounts.selectors import CASE_ROLES, Viewer, schools_where
from records.models import Concern, imported_ids
from taxonomy.models import Term, Vocabulary
from workflows.selectors import oversight_filter

REPORT_ROLES = (*CASE_ROLES, Role.HEAD)


def report_schools(user: Viewer) -> QuerySet[School]:
    """Schools the user may see figures for."""
    if not user.is_authenticated:
        return schools_where(user).none()
    return schools_where(user, *REPORT_ROLES)


def can_see_reports(user: Viewer) -> bool:
    return report_schools(user).exists()


def concerns_for_reports(
    user: Viewer,
    *,
    schools: Iterable[School] | QuerySet[School] | None = None,
    imported: bool = False,
) -> QuerySet[Concern]:
    """Concerns counted in the user's reports, optionally at some of their schools.

    The school's own figures: concerns that came in with a child's file from a
    previous school (records.models.ImportedRecord) happened elsewhere and are
    left out. `imported=True` gives those instead, to count apart."""
    if not user.is_authenticated:
        return Concern.objects.none()
    concerns = Concern.objects.filter(oversight_filter(user))
    if imported:
        concerns = concerns.filter(pk__in=imported_ids(Concern))
    else:
        concerns = concerns.exclude(pk__in=imported_ids(Concern))
    if schools is not None:
        concerns = concerns.filter(school__in=schools)
    return concerns


def categories_for_reports(user: Viewer) -> QuerySet[Term]:
    """Categories a report can be filtered by: the shared ones and the user's
    schools' own, main categories and sub-categories; merged ones are left out
    (their records now point at the category they were merged into)."""
    return (
        Term.objects.filter(
            Q(school__isnull=True) | Q(school__in=report_schools(user)),
            vocabulary=Vocabulary.CATEGORY,
            merged_into__isnull=True,
        )
        .select_related("parent")
        .annotate(
            main_order=Coalesce("parent__sort_order", "sort_order"),
            main_name=Coalesce("parent__name", "name"),
        )
        .order_by(
            "main_order",
            "main_name",
            F("parent_id").asc(nulls_first=True),
            "sort_order",
            "name",
        )
    )


def terms_for_reports(user: Viewer) -> QuerySet[SchoolTerm]:
    """The school terms of the user's schools, oldest first."""
    return SchoolTerm.objects.filter(school__in=report_schools(user)).order_by(
        "starts_on", "school_id"
    )
