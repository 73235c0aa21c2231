"""Who holds which role at a school, and giving and taking roles, in the admin.

A school's DSLs keep its roles (they answer for who sees its case content) and its
heads see them; a system administrator keeps every school's. Everyone else gets a
404. Every change is in the audit log with its actor; the school's DSLs are told of
every new DSL, deputy or head (services.role_give).
"""

import django_filters
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from chronicle.fields import ModelChoiceField
from chronicle.forms import add_service_errors

from . import services
from .forms import RoleGiveForm
from .models import Membership, Role, School
from .selectors import (
    can_see_roles,
    memberships_keepable_by,
    memberships_visible_to,
    only_dsl_at,
    role_keeping_schools,
    role_schools,
)
from .signals import ANNOUNCED_ROLES

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


def _allowed(request):
    if not can_see_roles(request.user):
        raise Http404


@require_GET
def roles_index(request):
    _allowed(request)
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
        },
    )


def _back(school):
    return f"{reverse('roles')}?{urlencode({'school': school.pk})}"


@require_http_methods(["GET", "POST"])
def role_give(request):
    schools = role_keeping_schools(request.user)
    if not schools.exists():
        raise Http404
    if request.method == "POST":
        form = RoleGiveForm(request.POST, schools=schools)
        if form.is_valid():
            data = form.cleaned_data
            person, school, role = data["person"], data["school"], data["role"]
            try:
                membership, given = services.role_give(
                    user=person, school=school, role=role, actor=request.user
                )
            except ValidationError as refused:
                add_service_errors(form, refused)
            else:
                _say_given(request, membership, given)
                return redirect(_back(school))
    else:
        asked = request.GET.get("school")
        form = RoleGiveForm(initial={"school": asked} if asked else {}, schools=schools)
    return TemplateResponse(request, "accounts/roles/give.html", {"form": form})


def _say_given(request, membership, given):
    names = {
        "who": membership.user,
        "role": membership.get_role_display(),
        "school": membership.school,
    }
    if not given:
        messages.info(request, _("%(who)s was already %(role)s at %(school)s.") % names)
    elif membership.role in ANNOUNCED_ROLES:
        messages.success(
            request,
            _(
                "%(who)s is now %(role)s at %(school)s. The school's DSLs have been "
                "told."
            )
            % names,
        )
    else:
        messages.success(request, _("%(who)s is now %(role)s at %(school)s.") % names)


@require_http_methods(["GET", "POST"])
def role_take_away(request, pk):
    if not role_keeping_schools(request.user).exists():
        raise Http404
    membership = memberships_keepable_by(request.user).filter(pk=pk).first()
    if membership is None:
        if request.method == "POST" and not Membership.objects.filter(pk=pk).exists():
            # A second click on "Yes, take it away": the first one did.
            messages.info(request, _("That role had already been taken away."))
            return redirect("roles")
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
