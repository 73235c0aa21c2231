"""Reads of the audit log and the break-glass register for the people who oversee
a school: its DSLs, its heads and the trust's leads (accounts.selectors.
trust_leads_of) — only entries about their own schools' records, filtered and
paginated with a constant number of queries.

A DSL reads the entries in full, except those about records restricted to others
(need to know). A head or trust lead oversees the DSLs as well: they see every
entry about the school's records, restricted ones included, so that restricting a
file cannot hide what was done with it; what was changed shows as the names of
the fields only, never their values (case content stays with the DSLs).

An entry has no school of its own: audit.scopes gives, for each audited model, the
lookup from that model to its school and to the concerns and children it is about
(need to know). Entries whose object has since been deleted cannot be placed at a
school and are not shown.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    CharField,
    Model,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from accounts.models import Role, School, User
from accounts.selectors import schools_where, trust_lead_schools
from audit.models import ChainedLogEntry
from audit.scopes import NEED_TO_KNOW, SCHOOL_SCOPES, UNSCOPED
from records.models import BreakGlassAccess, Concern
from records.selectors import concerns_naming, hidden_concern_ids, hidden_pupil_ids
from workflows.models import Notification

__all__ = [
    "AUDIT_ROLES",
    "OVERSIGHT_ROLES",
    "AuditScope",
    "BreakGlassRow",
    "audit_schools",
    "break_glass_register_for",
    "break_glass_rows",
    "can_browse_audit_log",
    "can_see_break_glass_register",
    "entries_in_full",
    "entries_named",
    "entries_visible_to",
    "oversight_schools",
    "people_at_audit_schools",
    "scoped_models",
    "unplaceable_audited_models",
]

# Who reads a school's audit log in full (need to know applies).
AUDIT_ROLES = (Role.DSL,)
# Who oversees a school: its audit log (values of changes left out, restrictions
# not applied) and its break-glass register. The trust's leads too.
OVERSIGHT_ROLES = (Role.HEAD,)

ScopedModel = tuple[str, type[Model]]


def oversight_schools(user: Any) -> QuerySet[School]:
    """Schools the user oversees: where they are a head, and every school of a
    trust they lead."""
    return _either(schools_where(user, *OVERSIGHT_ROLES), trust_lead_schools(user))


def audit_schools(user: Any) -> QuerySet[School]:
    """Schools whose audit log and break-glass register the user may read."""
    return _either(schools_where(user, *AUDIT_ROLES), oversight_schools(user))


def _either(first: QuerySet[School], second: QuerySet[School]) -> QuerySet[School]:
    return School.objects.filter(
        Q(pk__in=first.values("pk")) | Q(pk__in=second.values("pk"))
    ).order_by("name")


def can_browse_audit_log(user: Any) -> bool:
    return audit_schools(user).exists()


def scoped_models() -> list[ScopedModel]:
    """(label, model) of every installed model a DSL's audit view can place."""
    found = []
    for label in SCHOOL_SCOPES:
        try:
            found.append((label, apps.get_model(label)))
        except LookupError:
            continue
    return found


def unplaceable_audited_models() -> list[str]:
    """Audited models with no school lookup: their entries are shown to no one."""
    labels = {model._meta.label_lower for model in auditlog.get_models()}
    return sorted(labels - set(SCHOOL_SCOPES) - UNSCOPED)


def _objects_at(
    model: type[Model],
    label: str,
    schools: QuerySet[School],
    hidden: dict[str, QuerySet[Any]] | None,
) -> QuerySet[Any]:
    lookup, extra = SCHOOL_SCOPES[label]
    objects = model._default_manager.filter(**{f"{lookup}__in": schools}, **extra)
    if label == "workflows.caseprocess":
        objects = objects.exclude(concern__route=Concern.Route.HEAD)
    if hidden is None:  # oversight: restrictions do not hide what was done
        return objects.values(pk_text=Cast("pk", CharField()))
    for kind, paths in NEED_TO_KNOW.get(label, {}).items():
        for path in paths:
            objects = objects.exclude(**{f"{path}__in": hidden[kind]})
    return objects.values(pk_text=Cast("pk", CharField()))


def _hidden(user: Any) -> dict[str, QuerySet[Any]]:
    """What restrictions hide from the user, as subqueries."""
    return {
        "concern": hidden_concern_ids(user),
        "pupil": hidden_pupil_ids(user),
    }


def _placed(
    models: list[ScopedModel],
    schools: QuerySet[School],
    hidden: dict[str, QuerySet[Any]] | None,
) -> Q:
    content_types = ContentType.objects.get_for_models(*(m for _l, m in models))
    scope = Q(pk__in=[])
    for label, model in models:
        scope |= Q(
            content_type=content_types[model],
            object_pk__in=_objects_at(model, label, schools, hidden),
        )
    return scope


def _full_scope(user: Any, models: list[ScopedModel]) -> Q:
    """The entries a DSL reads in full: their schools', need to know applied."""
    return _placed(models, schools_where(user, *AUDIT_ROLES), _hidden(user))


def _scope(user: Any, models: list[ScopedModel]) -> Q:
    scope = _full_scope(user, models)
    overseen = oversight_schools(user)
    if overseen.exists():
        scope |= _placed(models, overseen, None)
    return scope


def entries_in_full(user: Any, entries: list[ChainedLogEntry]) -> set[int]:
    """Of these entries (a page), the ones the user may read with the values of
    what changed: those in their DSL scope. One query."""
    if not entries or not schools_where(user, *AUDIT_ROLES).exists():
        return set()
    return set(
        ChainedLogEntry.objects.filter(pk__in=[entry.pk for entry in entries])
        .filter(_full_scope(user, scoped_models()))
        .values_list("pk", flat=True)
    )


def entries_named(user: Any, entries: list[ChainedLogEntry]) -> set[int]:
    """Of these entries, the ones whose record the user may see named: all but
    those about a record restricted to other people, which an overseer sees as
    "a restricted record" (what was done, by whom, when; not which). One query."""
    if not entries:
        return set()
    return set(
        ChainedLogEntry.objects.filter(pk__in=[entry.pk for entry in entries])
        .filter(_placed(scoped_models(), audit_schools(user), _hidden(user)))
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class AuditScope:
    """Which part of the log a page shows: all of it, one record's history
    (content_type and object_pk) or one person's (about_user: entries by or about
    them). What the DSL narrows it by is the filter set's (oversight.forms)."""

    content_type: ContentType | None = None
    object_pk: str = ""
    about_user: User | None = None


def entries_visible_to(
    user: Any, scope: AuditScope | None = None
) -> QuerySet[ChainedLogEntry]:
    """The audit entries about `user`'s schools' records, newest first; none for
    anyone who neither works a school's cases nor oversees it."""
    scope = scope or AuditScope()
    if not can_browse_audit_log(user):
        return ChainedLogEntry.objects.none()
    entries = ChainedLogEntry.objects.filter(_scope(user, scoped_models()))
    if scope.about_user is not None:
        user_type = ContentType.objects.get_for_model(type(scope.about_user))
        entries = entries.filter(
            Q(actor=scope.about_user)
            | Q(content_type=user_type, object_pk=str(scope.about_user.pk))
        )
    if scope.content_type is not None:
        entries = entries.filter(
            content_type=scope.content_type, object_pk=str(scope.object_pk)
        )
    return entries.select_related("actor", "content_type").order_by("-pk")


def people_at_audit_schools(user: Any) -> QuerySet[User]:
    """The people the log can be filtered by: anyone with a role at the schools
    the user oversees or is a DSL of."""
    return (
        User.objects.filter(memberships__school__in=audit_schools(user))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# -- The break-glass register ---------------------------------------------------------

# The notifications sent when glass is broken are made in the same transaction as
# the access; a minute is ample.
TOLD_WITHIN = timedelta(minutes=1)


def can_see_break_glass_register(user: Any) -> bool:
    return can_browse_audit_log(user)


@dataclass(frozen=True)
class BreakGlassRow:
    """One break-glass access and the people who were told of it."""

    access: BreakGlassAccess
    record: str
    told: list[User]


def _key(access: BreakGlassAccess) -> str:
    """The concern's reference or the child's UPN: what the register and the
    notifications name (never the content, nor the child's name)."""
    if access.concern is not None:
        return access.concern.reference
    return access.pupil.upn if access.pupil is not None else ""


def _record_name(access: BreakGlassAccess) -> str:
    if access.concern is not None:
        return _key(access)
    return _("File of the child with UPN %(upn)s") % {"upn": _key(access)}


def break_glass_register_for(user: Any) -> QuerySet[BreakGlassAccess]:
    """Every break-glass access at the schools the user oversees or is a DSL of,
    newest first; none for anyone else."""
    return (
        BreakGlassAccess.objects.filter(school__in=audit_schools(user))
        # Conflict of interest: never an access to a concern naming the reader.
        .exclude(concern__in=concerns_naming(user))
        .select_related("user", "school", "pupil", "concern")
        .order_by("-opened_at", "-pk")
    )


def break_glass_rows(accesses: list[BreakGlassAccess]) -> list[BreakGlassRow]:
    """The page's accesses with who was told of each: the people recorded on the
    access when it was opened (BreakGlassAccess.told, the same list its banner
    names). Accesses opened before that was recorded have none: for them, the
    break-glass notifications sent within a minute of the access, naming its
    record and school. Two queries for the page at most, whatever its length."""
    if not accesses:
        return []
    prefetch_related_objects(
        accesses,
        Prefetch(
            "told", queryset=User.objects.order_by("last_name", "first_name", "pk")
        ),
    )
    untold = [access for access in accesses if not access.told.all()]
    notified = _told_by_notifications(untold)
    return [
        BreakGlassRow(
            access=access,
            record=_record_name(access),
            told=list(access.told.all()) or notified.get(access.pk, []),
        )
        for access in accesses
    ]


def _told_by_notifications(
    accesses: list[BreakGlassAccess],
) -> dict[int, list[User]]:
    """For accesses with no `told` recorded (opened before it was): the
    break-glass notifications sent within a minute of each, naming its record."""
    if not accesses:
        return {}
    first = min(access.opened_at for access in accesses)
    last = max(access.opened_at for access in accesses) + TOLD_WITHIN
    sent = list(
        Notification.objects.filter(
            kind=Notification.Kind.BREAK_GLASS,
            created_at__gte=first,
            created_at__lte=last,
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    return {
        access.pk: [
            note.user
            for note in sent
            if access.opened_at <= note.created_at <= access.opened_at + TOLD_WITHIN
            and _key(access) in note.message
            and str(access.school) in note.message
        ]
        for access in accesses
    }
