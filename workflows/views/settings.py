"""A DSL's casework settings for her school: closure sign-off, pattern rules."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.selectors import schools_where
from chronicle.forms import add_service_errors, is_id

from .. import services
from ..forms import CaseworkSettingsForm, PatternRuleForm
from ..models import CaseworkSettings


def casework_settings(request: HttpRequest) -> HttpResponse:
    """A DSL sets her school's rules for the concern process: the closure sign-off
    and the thresholds that raise a pattern review. Each form posts its name."""
    schools = schools_where(request.user, Role.DSL)
    if not schools.exists():
        raise PermissionDenied
    wanted = request.GET.get("school", "")
    school = (
        schools.filter(pk=int(wanted)).first() if is_id(wanted) else None
    ) or schools[0]
    posted = request.POST.get("form", "settings") if request.method == "POST" else ""
    data = request.POST if posted else None
    settings = CaseworkSettings.for_school(school)
    form = CaseworkSettingsForm(
        data if posted == "settings" else None, instance=settings
    )
    rule_form = PatternRuleForm(data if posted == "rule_add" else None, school=school)
    here = f"{request.path}?school={school.pk}"
    if posted == "settings" and form.is_valid():
        try:
            services.casework_settings_save(
                school=school,
                user=request.user,
                closure_sign_off=form.cleaned_data["closure_sign_off"],
                version=form.cleaned_data["loaded"],
            )
        except services.EditConflict as conflict:
            form.refuse(conflict)
        else:
            messages.success(request, _("Saved for %(school)s.") % {"school": school})
            return redirect(here)
    if posted == "rule_add" and rule_form.is_valid():
        try:
            services.pattern_rule_add(
                school=school, user=request.user, **rule_form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(rule_form, error)
        else:
            messages.success(request, _("Pattern rule added."))
            return redirect(here)
    if posted == "rule_remove":
        return _rule_remove(request, school, here)
    return TemplateResponse(
        request,
        "workflows/settings.html",
        {
            "form": form,
            "rule_form": rule_form,
            "rules": school.pattern_rules.filter(is_active=True).select_related(
                "category"
            ),
            "school": school,
            "schools": schools,
        },
    )


def _rule_remove(request, school, here):
    wanted = request.POST.get("rule", "")
    if not is_id(wanted):
        raise Http404
    rule = get_object_or_404(school.pattern_rules.filter(is_active=True), pk=wanted)
    kept = services.pattern_rule_remove(rule=rule, user=request.user)
    messages.success(
        request,
        _("Rule switched off: it is kept because it raised reviews.")
        if kept
        else _("Rule removed."),
    )
    return redirect(here)
