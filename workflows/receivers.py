"""What workflows does when a lower app says something happened.

Lower apps (accounts, records) send these signals so they need not import workflows;
each receiver here tells people or tidies workflow rows, and none depends on
running before or after another. Opening a concern is not here: forms and the API
call workflows.services.concern_open.

Connected when this module is imported (WorkflowsConfig.ready).
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.dispatch import receiver
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts.models import PendingRoleGrant, Role, School, User
from accounts.selectors import confirmers_of, role_change_audience, trust_leads_of
from accounts.signals import (
    RoleChange,
    calendar_changed,
    case_managers_changed,
    role_changed,
)
from records.models import BreakGlassAccess, Pupil
from records.signals import break_glass_opened, file_destroying, pupil_joined

from .models import CaseProcess, Notification, PatternReview
from .services import due_dates_recompute, notify
from .transfers import joined_recently, transfer_in_start


@receiver(calendar_changed, dispatch_uid="due_dates")
def recompute_due_dates(sender: Any, *, school: School, **kwargs: Any) -> None:
    """Due dates follow the school calendar the DSL edits."""
    due_dates_recompute(school=school)


@receiver(pupil_joined, dispatch_uid="transfer_in")
def ask_about_transfer_in(
    sender: Any, *, pupil: Pupil, user: User | None = None, **kwargs: Any
) -> None:
    """A child who joined recently: ask the DSL team whether a file should follow.
    A first import of the whole roll (children who joined long ago) asks nothing."""
    if not joined_recently(pupil):
        return
    if user is None and not pupil.school.memberships.filter(role=Role.DSL).exists():
        # A school with no DSL yet (being set up): nobody to ask. The DSL can
        # start it from the child's file later ("A file is expected").
        return
    transfer_in_start(pupil=pupil, user=user)


@receiver(file_destroying, dispatch_uid="destroyed_file")
def forget_destroyed_file(
    sender: Any, *, pupil: Pupil, concerns: Any, transfers: Any, **kwargs: Any
) -> None:
    """A file is destroyed at its retention review: its tasks, processes and their
    notifications go with it (the destruction certificate says what went)."""
    processes = list(
        CaseProcess.objects.filter(
            Q(concern__in=concerns)
            | Q(transfer__in=transfers)
            | Q(pattern_review__pupil=pupil)
        ).distinct()
    )
    Notification.objects.filter(task__process__in=processes).delete()
    PatternReview.objects.filter(pupil=pupil).delete()
    for process in processes:
        process.delete()


@receiver(break_glass_opened, dispatch_uid="glass")
def tell_dsls_of_break_glass(
    sender: Any, *, access: BreakGlassAccess, **kwargs: Any
) -> None:
    """Someone opened a record through break-glass: the people it says were told
    (the school's heads and DSLs, whoever a restriction covering it names; never
    the person who opened it, nor an adult the concern names: records.restrictions
    .break_glass_told) hear at once, by notification and email, with who and
    where to read the reason."""
    users = access.told.all()
    who = access.user.get_full_name() or access.user.username
    if access.user.is_superuser:
        who = _("%(name)s (system administrator)") % {"name": who}
    what = (
        access.concern.reference
        if access.concern_id
        else _("the file of the child with UPN %(upn)s") % {"upn": access.pupil.upn}
    )
    notify(
        users=list(users),
        kind=Notification.Kind.BREAK_GLASS,
        message=_("%(who)s used break-glass access to open %(what)s at %(school)s.")
        % {"who": who, "what": what, "school": access.school},
        url=reverse("records_admin:break_glass"),
    )


def _name(user: User | None) -> str:
    if user is None:
        return _("a system administrator on the server")
    name = user.get_full_name() or user.username
    if user.is_superuser:
        return _("%(name)s (system administrator)") % {"name": name}
    return name


def _role_message(
    change: RoleChange,
    *,
    school: School,
    person: User,
    role: Role,
    actor: User | None,
    confirmed_by: User | None,
) -> str:
    names = {
        "actor": _name(actor),
        "who": _name(person),
        "role": role.label,
        "school": school,
        "confirmer": _name(confirmed_by),
    }
    if change == RoleChange.PROPOSED:
        text = _(
            "%(actor)s proposes %(who)s as %(role)s at %(school)s: confirm or "
            "decline it."
        )
    elif change == RoleChange.DECLINED:
        text = _("%(actor)s declined %(who)s as %(role)s at %(school)s.")
    elif change == RoleChange.TAKEN_AWAY:
        text = _("%(actor)s took away %(who)s's role as %(role)s at %(school)s.")
    elif confirmed_by is not None:
        text = _(
            "%(actor)s made %(who)s %(role)s at %(school)s; %(confirmer)s confirmed it."
        )
    else:
        text = _("%(actor)s made %(who)s %(role)s at %(school)s.")
    return text % names


def _role_audience(
    change: RoleChange,
    *,
    school: School,
    role: Role,
    actor: User | None,
    grant: PendingRoleGrant | None,
) -> QuerySet[User]:
    """A proposal: those who may confirm it. A decline: whoever proposed it.
    A change: the school's heads and the trust's leads (and its DSLs for a role
    that sees case content), never the person who made it."""
    if change == RoleChange.PROPOSED and grant is not None:
        return confirmers_of(grant)
    if change == RoleChange.DECLINED:
        proposer = grant.proposed_by_id if grant is not None else None
        return User.objects.filter(pk=proposer, is_active=True)
    return role_change_audience(school, role).exclude(pk=getattr(actor, "pk", None))


@receiver(role_changed, dispatch_uid="role_changed")
def tell_of_role_change(
    sender: Any,
    *,
    school: School,
    person: User,
    role: Role,
    change: RoleChange,
    actor: User | None = None,
    confirmed_by: User | None = None,
    grant: PendingRoleGrant | None = None,
    **kwargs: Any,
) -> None:
    """Every role given or taken away is told to the school's heads and the
    trust's leads, naming who made it (and who confirmed it), so a new pair of
    eyes on the school's files never goes unnoticed; a proposed role is told to
    those who may confirm it, with a link to the page where they do."""
    if change == RoleChange.PROPOSED and grant is not None:
        url = reverse("accounts_admin:role_grant_decide", args=[grant.pk])
    else:
        url = reverse("oversight:audit_log_person", args=[person.pk])
    notify(
        users=list(
            _role_audience(change, school=school, role=role, actor=actor, grant=grant)
        ),
        kind=Notification.Kind.ROLE_GRANTED,
        message=_role_message(
            change,
            school=school,
            person=person,
            role=role,
            actor=actor,
            confirmed_by=confirmed_by,
        ),
        url=url,
    )


@receiver(case_managers_changed, dispatch_uid="case_managers_changed")
def tell_of_case_manager_change(
    sender: Any, *, school: School, actor: User, **kwargs: Any
) -> None:
    """Who handles a concern about the head changed: the school's heads, DSLs and
    trust leads, and the people now chosen, are told who made the change."""
    lead = school.trust.nominated_lead if school.trust else None
    chosen = [pk for pk in (school.chair_of_governors_id, lead and lead.pk) if pk]
    audience = (
        User.objects.filter(
            Q(
                is_active=True,
                memberships__school=school,
                memberships__role__in=(Role.HEAD, Role.DSL),
            )
            | Q(pk__in=trust_leads_of(school).values("pk"))
            | Q(pk__in=chosen, is_active=True)
        )
        .exclude(pk=actor.pk)
        .distinct()
    )
    notify(
        users=list(audience),
        kind=Notification.Kind.ROLE_GRANTED,
        message=Truncator(
            _(
                "%(actor)s changed who handles a concern about the head of "
                "%(school)s: now chair of governors %(chair)s, trust nominated lead "
                "%(lead)s."
            )
            % {
                "actor": _name(actor),
                "school": school,
                "chair": school.chair_of_governors or _("none"),
                "lead": lead or _("none"),
            }
        ).chars(Notification._meta.get_field("message").max_length),
        url=reverse("school_settings_school", args=[school.pk]),
    )
