"""The report's filters, read from the URL so that a view can be shared or pinned.

Everything is optional: opened with no filters at all the report covers the current
school term (with_current_term), or, when no term of the user's schools has begun,
the last twelve months, by month, at all the user's schools. A school term, when
chosen, sets the dates (the earliest first day to the latest last day of terms of
that name at the user's schools) and makes the previous term the period compared
with.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONTH = "month"
TERM = "term"
GROUPINGS = [(MONTH, _("Month")), (TERM, _("School term"))]


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self):
        return (self.end - self.start).days + 1

    def before(self):
        """The period of the same length that ends the day before this one."""
        end = self.start - timedelta(days=1)
        return Period(start=end - timedelta(days=self.days - 1), end=end)


@dataclass(frozen=True)
class ReportParams:
    """What a report covers, once the filters are checked."""

    period: Period
    previous: Period
    grouping: str
    schools: list
    categories: list = field(default_factory=list)
    term_name: str = ""
    terms: list = field(default_factory=list)

    @property
    def covering(self):
        """One range holding both periods: the only date filter the queries need."""
        return (min(self.previous.start, self.period.start), self.period.end)


def default_period(today=None):
    """The last twelve months: from the first of the month eleven months ago."""
    today = today or timezone.localdate()
    month = today.month - 11
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return Period(start=date(year, month, 1), end=today)


FILTERS = ("from", "to", "term", "group", "school", "category")


def current_term_name(terms, today=None):
    """The name of the term under way today, or in a holiday the last one begun."""
    today = today or timezone.localdate()
    begun = [term for term in terms if term.starts_on <= today]
    if not begun:
        return ""
    current = [term for term in begun if term.ends_on >= today]
    return (current or begun)[-1].name


def with_current_term(data, terms, today=None):
    """The report's filters as given; opened with none, the current term (DSLs and
    heads report by term, and governors ask about this one). Choosing "Any
    dates" sends an empty term, which is kept."""
    if any(key in data for key in FILTERS):
        return data
    name = current_term_name(list(terms), today)
    if not name:
        return data
    data = data.copy()
    data["term"] = name
    return data


class ReportFilterForm(forms.Form):
    """Checks the URL's filters against what the user may see. Invalid input is
    shown back with a message, never a 500 and never someone else's school."""

    group = forms.ChoiceField(
        label=_("Group by"), choices=GROUPINGS, required=False, initial=MONTH
    )
    term = forms.ChoiceField(label=_("School term"), required=False)
    school = forms.ModelMultipleChoiceField(
        label=_("Schools"),
        queryset=None,
        required=False,
        error_messages={
            "invalid_choice": _("Choose from the schools you have reports for."),
            "invalid_pk_value": _("Choose from the schools you have reports for."),
        },
    )
    category = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=None,
        required=False,
        help_text=_("A main category includes its sub-categories."),
        error_messages={
            "invalid_choice": _("Choose categories from the list."),
            "invalid_pk_value": _("Choose categories from the list."),
        },
    )

    def __init__(self, data, *, schools, categories, terms):
        super().__init__(data)
        self.fields["from"] = forms.DateField(
            label=_("From"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
        self.fields["to"] = forms.DateField(
            label=_("To"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )
        self.order_fields(["from", "to", "term", "group", "school", "category"])
        self.terms = list(terms)
        self.term_names = list(dict.fromkeys(term.name for term in self.terms))
        self.fields["term"].choices = [("", _("Any dates")), *self._term_choices()]
        self.fields["school"].queryset = schools
        self.fields["category"].queryset = categories
        self.fields["category"].widget.attrs["size"] = 10
        self.fields["school"].widget.attrs["size"] = 4

    def _term_choices(self):
        return [(name, name) for name in self.term_names]

    def _term_range(self, name):
        rows = [term for term in self.terms if term.name == name]
        return Period(
            start=min(term.starts_on for term in rows),
            end=max(term.ends_on for term in rows),
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end date is before the start date."))
        return data

    def params(self):
        """The checked filters as ReportParams (call after is_valid())."""
        data = self.cleaned_data
        name = data.get("term") or ""
        if name:
            period = self._term_range(name)
            index = self.term_names.index(name)
            previous = (
                self._term_range(self.term_names[index - 1])
                if index > 0
                else period.before()
            )
        else:
            default = default_period()
            period = Period(
                start=data.get("from") or default.start,
                end=data.get("to") or default.end,
            )
            if period.start > period.end:  # only "to" given, before the default start
                period = Period(start=period.end - timedelta(days=364), end=period.end)
            previous = period.before()
        schools = list(data.get("school") or self.fields["school"].queryset)
        return ReportParams(
            period=period,
            previous=previous,
            grouping=data.get("group") or MONTH,
            schools=schools,
            categories=list(data.get("category") or []),
            term_name=name,
            terms=self.terms,
        )
