"""Which forms a DSL can report on, and the counts per answer.

A school's own form: its DSLs and deputies. A form shared by the trust (or by
every school): the DSLs of each school, over their own schools' concerns. The
concerns counted are only those the user works (records.selectors.
concerns_workable_by: none restricted to others, none naming them, none about an
adult), made on that form and submitted in the period. Counts are made safe to
show as the governors' report makes them (reports.exports.protect).
"""

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import School
from accounts.selectors import CASE_ROLES, Viewer, schools_where
from forms.models import ConcernFormPage, FormSection
from records.selectors import concerns_workable_by

from ..exports import protect, suppress

CHOICE_TYPES = ("radio", "dropdown", "checkboxes", "yesno")
YES_NO = ("yes", "no")


@dataclass(frozen=True)
class AnswerCount:
    answer: str
    count: int | str  # a number, or "fewer than 5" / "not shown"


@dataclass(frozen=True)
class QuestionCounts:
    question: str
    answered: int | str
    rows: list[AnswerCount]


def question_report_schools(user: Viewer) -> QuerySet[School]:
    return schools_where(user, *CASE_ROLES)


def can_report_on_questions(user: Viewer) -> bool:
    return question_report_schools(user).exists()


def question_report_forms(user: Viewer) -> QuerySet[ConcernFormPage]:
    """Forms whose questions the user may count: those of their schools' sections
    and of sections shared with them (live or retired)."""
    schools = question_report_schools(user)
    sections = FormSection.objects.filter(
        Q(school__in=schools)
        | Q(school__isnull=True, trust__in=schools.values("trust"))
        | Q(school__isnull=True, trust__isnull=True)
    )
    if not schools.exists():
        return ConcernFormPage.objects.none()
    query = Q(pk__in=[])
    for section in sections:
        query |= Q(path__startswith=section.path, depth=section.depth + 1)
    return ConcernFormPage.objects.filter(query).order_by("title")


def _choices(entry: dict[str, Any]) -> list[str]:
    if entry.get("type") == "yesno":
        return list(YES_NO)
    text = entry.get("choices") or ""
    parts = text.splitlines() if "\n" in text else text.split(",")
    return [part.strip() for part in parts if part.strip()]


def _answers(entry: dict[str, Any]) -> list[str]:
    answer = entry.get("answer")
    if answer in (None, ""):
        return []
    if isinstance(answer, list):
        return [str(item) for item in answer if str(item)]
    return [str(answer)]


def question_counts(
    user: Viewer,
    *,
    page: ConcernFormPage,
    since: datetime.date,
    until: datetime.date,
) -> list[QuestionCounts]:
    """Per choice question of the form (as it was worded when answered), the number
    of concerns giving each answer, small numbers suppressed. Nothing for a form
    the user may not report on."""
    if not question_report_forms(user).filter(pk=page.pk).exists():
        return []
    concerns = concerns_workable_by(user).filter(
        form_page_id=page.pk,
        school__in=question_report_schools(user),
        submitted_at__date__gte=since,
        submitted_at__date__lte=until,
    )
    counts: dict[str, Counter[str]] = {}
    offered: dict[str, list[str]] = {}
    answered: Counter[str] = Counter()
    for answers in concerns.values_list("answers", flat=True).iterator():
        for entry in answers or []:
            if entry.get("type") not in CHOICE_TYPES:
                continue
            question = str(entry.get("question", ""))
            counts.setdefault(question, Counter())
            offered.setdefault(question, _choices(entry))
            given = _answers(entry)
            if given:
                answered[question] += 1
            counts[question].update(given)
    return [
        _protected(question, offered[question], counts[question], answered[question])
        for question in counts
    ]


def _protected(
    question: str, offered: list[str], counts: Counter[str], answered: int
) -> QuestionCounts:
    labels = offered + sorted(set(counts) - set(offered))
    shown = protect([counts[label] for label in labels])
    names = {"yes": _("Yes"), "no": _("No")}
    return QuestionCounts(
        question=question,
        answered=suppress(answered),
        rows=[
            AnswerCount(answer=names.get(label, label), count=value)
            for label, value in zip(labels, shown, strict=True)
        ],
    )
