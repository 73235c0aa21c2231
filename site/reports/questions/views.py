"""The "Form questions" report: pick one of your forms and a period; see how
often each answer to its own choice questions was given. DSLs and deputies of
the form's school only; anyone else gets a 404."""

import datetime

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chronicle.fields import ModelChoiceField
from forms.models import ConcernFormPage

from ..exports import SMALL
from .selectors import can_report_on_questions, question_counts, question_report_forms


class QuestionReportForm(forms.Form):
    form = ModelChoiceField(
        label=_("Form"), queryset=ConcernFormPage.objects.none(), empty_label=None
    )
    since = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].queryset = question_report_forms(user)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period is before its start."))
        return cleaned


def question_report(request: HttpRequest) -> HttpResponse:
    if not can_report_on_questions(request.user):
        raise Http404
    today = timezone.localdate()
    defaults = {"since": today - datetime.timedelta(days=365), "until": today}
    first = question_report_forms(request.user).first()
    data = {
        "form": request.GET.get("form") or (first.pk if first else ""),
        "since": request.GET.get("since") or defaults["since"].isoformat(),
        "until": request.GET.get("until") or defaults["until"].isoformat(),
    }
    form = QuestionReportForm(data, user=request.user)
    questions = (
        question_counts(
            request.user,
            page=form.cleaned_data["form"],
            since=form.cleaned_data["since"],
            until=form.cleaned_data["until"],
        )
        if form.is_valid()
        else []
    )
    return TemplateResponse(
        request,
        "reports/questions.html",
        {"filter_form": form, "questions": questions, "small": SMALL},
    )
