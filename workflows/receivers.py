from django.db.models import Q

from .services import concern_process_start, due_dates_recompute


def start_concern_process(sender, *, concern, **kwargs):
    """Every submitted concern starts its process in the same transaction."""
    concern_process_start(concern=concern)


def raise_pattern_alerts(sender, *, concern, **kwargs):
    """After the concern's process has started, in the same transaction: does this
    concern make a pattern for any child named in it?"""
    from .patterns import pattern_alerts_raise

    pattern_alerts_raise(concern=concern)


def recompute_due_dates(sender, *, school, **kwargs):
    """Due dates follow the school calendar the DSL edits."""
    due_dates_recompute(school=school)


def ask_about_transfer_in(sender, *, pupil, user=None, **kwargs):
    """A child who joined recently: ask the DSL team whether a file should follow.
    A first import of the whole roll (children who joined long ago) asks nothing."""
    from accounts.models import Role

    from .transfers import joined_recently, transfer_in_start

    if not joined_recently(pupil):
        return
    if user is None and not pupil.school.memberships.filter(role=Role.DSL).exists():
        # A school with no DSL yet (being set up): nobody to ask. The DSL can
        # start it from the child's file later ("A file is expected").
        return
    transfer_in_start(pupil=pupil, user=user)


def forget_destroyed_file(sender, *, pupil, concerns, transfers, **kwargs):
    """A file is destroyed at its retention review: its tasks, processes and their
    notifications go with it (the destruction certificate says what went)."""
    from django.db.models import Q

    from .models import CaseProcess, Notification, PatternReview

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


def tell_dsls_of_break_glass(sender, *, access, **kwargs):
    """Someone opened a record through break-glass: the school's DSLs (and whoever
    is named on a restriction covering it) hear at once, by notification and email,
    with who and where to read the reason. Never the person who opened it."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from accounts.models import Role, User
    from records.models import Restriction

    from .models import Notification
    from .services import notify

    target = {"pupil": access.pupil} if access.pupil_id else {"concern": access.concern}
    named = Restriction.objects.filter(lifted_at__isnull=True, **target).values(
        "people"
    )
    users = (
        User.objects.filter(is_active=True)
        .filter(
            Q(memberships__school=access.school_id, memberships__role=Role.DSL)
            | Q(pk__in=named)
        )
        .exclude(pk=access.user_id)
        .distinct()
    )
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
        url=reverse("break_glass"),
    )


def tell_dsls_of_new_role(sender, *, membership, actor=None, **kwargs):
    """A role that sees case content or oversees it was given: the school's DSLs
    hear who, so a new pair of eyes on their files never goes unnoticed (all but
    the DSL who gave it)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from accounts.models import Role, User
    from accounts.signals import ANNOUNCED_ROLES

    from .models import Notification
    from .services import notify

    if membership.role not in ANNOUNCED_ROLES:
        return
    person = membership.user
    notify(
        users=list(
            User.objects.filter(
                is_active=True,
                memberships__school=membership.school,
                memberships__role=Role.DSL,
            )
            .exclude(pk__in=[person.pk, getattr(actor, "pk", None)])
            .distinct()
        ),
        kind=Notification.Kind.ROLE_GRANTED,
        message=_("%(who)s was made %(role)s at %(school)s.")
        % {
            "who": person.get_full_name() or person.username,
            "role": membership.get_role_display(),
            "school": membership.school,
        },
        url=reverse("audit_log_person", args=[person.pk]),
    )
