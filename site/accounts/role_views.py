"""Who holds which role at a school, and giving and taking roles, in the admin.

A school's DSLs keep its roles (they answer for who sees its case content) and its
heads see them; a system administrator keeps every school's. Everyone else gets a
404. Nobody gives themselves a role; the DSL, deputy and head roles, and any role a
system administrator gives, wait for a second person at the school to confirm them
(role_grant_decide). Every change is in the audit log with its actor, and the
school's heads and the trust's leads are told who made it (services.role_give).
"""

import django_filters
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from chronicle.fields import ModelChoiceField
from chronicle.forms import add_service_errors

from . import services
from .forms import RoleDecideForm, RoleGiveForm
from .models import Membership, PendingRoleGrant, Role, School
from .selectors import (
    can_see_roles,
    confirmers_of,
    grants_waiting_at,
    grants_waiting_for,
    may_confirm,
    memberships_keepable_by,
    memberships_visible_to,
    only_dsl_at,
    people_nameable_by,
    role_keeping_schools,
    role_schools,
)
from .services import RoleGiven

PAGE_SIZE = 50


class _SchoolFilter(django_filters.ModelChoiceFilter):
    field_class = ModelChoiceField


class MembershipFilter(django_filters.FilterSet):
    school = _SchoolFilter(label=gettext_lazy("School"), queryset=School.objects.none())
    role = django_filters.ChoiceFilter(
        label=gettext_lazy("Role"),
        choices=Role.choices,
        empty_label=gettext_lazy("Any role"),
    )
    q = django_filters.CharFilter(
        label=gettext_lazy("Name, username or email"), method="find"
    )

    class Meta:
        model = Membership
        fields = ["school", "role", "q"]

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["school"].queryset = schools
        self.filters["school"].extra["empty_label"] = _("Every school")

    def find(self, queryset, name, value):
        words = value.split()[:5]
        for word in words:
            word = word[:100]
            queryset = queryset.filter(
                Q(user__first_name__icontains=word)
                | Q(user__last_name__icontains=word)
                | Q(user__username__icontains=word)
                | Q(user__email__icontains=word)
            )
        return queryset


@require_GET
def roles_index(request):
    to_decide = grants_waiting_for(request.user)
    if not can_see_roles(request.user) and not to_decide:
        raise Http404
    schools = role_schools(request.user)
    found = MembershipFilter(
        request.GET or None,
        queryset=memberships_visible_to(request.user),
        schools=schools,
    )
    page = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("p"))
    keeping = set(role_keeping_schools(request.user).values_list("pk", flat=True))
    return TemplateResponse(
        request,
        "accounts/roles/index.html",
        {
            "filter": found,
            "page": page,
            "keeping": keeping,
            "filtered": any(request.GET.get(name) for name in ("school", "role", "q")),
            "to_decide": to_decide,
            "waiting": [
                grant
                for grant in grants_waiting_at(request.user)
                if grant not in to_decide
            ],
        },
    )


def _back(school):
    return f"{reverse('accounts_admin:roles')}?{urlencode({'school': school.pk})}"


@require_http_methods(["GET", "POST"])
def role_give(request):
    schools = role_keeping_schools(request.user)
    if not schools.exists():
        raise Http404
    if request.method == "POST":
        form = RoleGiveForm(
            request.POST, schools=schools, people=people_nameable_by(request.user)
        )
        if form.is_valid():
            data = form.cleaned_data
            person, school, role = data["person"], data["school"], data["role"]
            try:
                held, given = services.role_give(
                    user=person, school=school, role=role, actor=request.user
                )
            except ValidationError as refused:
                add_service_errors(form, refused)
            else:
                _say_given(request, held, given)
                return redirect(_back(school))
    else:
        asked = request.GET.get("school")
        form = RoleGiveForm(
            initial={"school": asked} if asked else {},
            schools=schools,
            people=people_nameable_by(request.user),
        )
    return TemplateResponse(request, "accounts/roles/give.html", {"form": form})


def _say_given(request, held, given):
    names = {
        "who": held.user,
        "role": held.get_role_display(),
        "school": held.school,
    }
    if given == RoleGiven.ALREADY:
        messages.info(request, _("%(who)s was already %(role)s at %(school)s.") % names)
    elif given == RoleGiven.WAITING:
        confirmers = ", ".join(str(person) for person in confirmers_of(held)[:5])
        messages.success(
            request,
            _(
                "%(who)s will be %(role)s at %(school)s once a second person "
                "confirms it: %(confirmers)s."
            )
            % {**names, "confirmers": confirmers or _("nobody can yet")},
        )
    else:
        messages.success(
            request,
            _(
                "%(who)s is now %(role)s at %(school)s. The school's head and the "
                "trust's leads have been told."
            )
            % names,
        )


@require_http_methods(["GET", "POST"])
def role_grant_decide(request, pk):
    """The page a confirmer reaches from their notification: who proposed whom as
    what, and Confirm or Decline. Anyone who may not decide it gets a 404."""
    grant = get_object_or_404(
        PendingRoleGrant.objects.select_related("user", "school", "proposed_by"),
        pk=pk,
    )
    if not grant.is_waiting:
        # Decided already (a second click, or by the other confirmer): say so to
        # those who could see it, the same 404 as ever to anyone else.
        if grant.decided_by_id != request.user.pk and not (
            role_schools(request.user).filter(pk=grant.school_id).exists()
        ):
            raise Http404
        messages.info(
            request,
            _("%(by)s has already %(outcome)s this role.")
            % {
                "by": grant.decided_by,
                "outcome": grant.get_outcome_display().lower(),
            },
        )
        return redirect(
            "accounts_admin:roles"
            if can_see_roles(request.user)
            else "wagtailadmin_home"
        )
    if not may_confirm(request.user, grant):
        raise Http404
    form = RoleDecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "confirm":
                services.role_grant_confirm(grant=grant, actor=request.user)
                messages.success(
                    request,
                    _("%(who)s is now %(role)s at %(school)s.") % _names(grant),
                )
            else:
                services.role_grant_decline(grant=grant, actor=request.user)
                messages.success(
                    request,
                    _("You declined %(who)s as %(role)s at %(school)s.")
                    % _names(grant),
                )
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        if role_schools(request.user).filter(pk=grant.school_id).exists():
            return redirect(_back(grant.school))
        return redirect("wagtailadmin_home")
    return TemplateResponse(
        request, "accounts/roles/decide.html", {"grant": grant, "form": form}
    )


def _names(grant):
    return {
        "who": grant.user,
        "role": grant.get_role_display(),
        "school": grant.school,
    }


@require_http_methods(["GET", "POST"])
def role_take_away(request, pk):
    if not role_keeping_schools(request.user).exists():
        raise Http404
    membership = memberships_keepable_by(request.user).filter(pk=pk).first()
    if membership is None:
        if request.method == "POST" and not Membership.objects.filter(pk=pk).exists():
            # A second click on "Yes, take it away": the first one did.
            messages.info(request, _("That role had already been taken away."))
            return redirect("accounts_admin:roles")
        raise Http404
    if request.method == "POST":
        school = membership.school
        services.role_take_away(membership=membership, actor=request.user)
        messages.success(
            request,
            _("%(who)s is no longer %(role)s at %(school)s.")
            % {
                "who": membership.user,
                "role": membership.get_role_display(),
                "school": school,
            },
        )
        if not can_see_roles(request.user):
            return redirect("wagtailadmin_home")  # their own last DSL or head role
        return redirect(_back(school))
    return TemplateResponse(
        request,
        "accounts/roles/take_away.html",
        {
            "membership": membership,
            "only_dsl": only_dsl_at(membership),
            "yourself": membership.user_id == request.user.pk,
            "back": _back(membership.school),
        },
    )
