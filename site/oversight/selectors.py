"""Reads of the audit log for the DSLs who browse it: only entries about their own
schools' records, filtered and paginated with a constant number of queries.

An entry has no school of its own: audit.scopes gives, for each audited model, the
lookup from that model to its school and to the concerns and children it is about
(need to know). Entries whose object has since been deleted cannot be placed at a
school and are not shown.
"""

from dataclasses import dataclass
from typing import Any

from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Model, Q, QuerySet
from django.db.models.functions import Cast

from accounts.models import Role, School, User
from accounts.selectors import schools_where
from audit.models import ChainedLogEntry
from audit.scopes import NEED_TO_KNOW, SCHOOL_SCOPES, UNSCOPED
from records.models import Concern
from records.selectors import hidden_concern_ids, hidden_pupil_ids

__all__ = [
    "AUDIT_ROLES",
    "AuditScope",
    "can_browse_audit_log",
    "entries_visible_to",
    "people_at_audit_schools",
    "scoped_models",
    "unplaceable_audited_models",
]

# Who browses the audit log of a school.
AUDIT_ROLES = (Role.DSL,)

ScopedModel = tuple[str, type[Model]]


def can_browse_audit_log(user: Any) -> bool:
    return schools_where(user, *AUDIT_ROLES).exists()


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
    hidden: dict[str, QuerySet[Any]],
) -> QuerySet[Any]:
    lookup, extra = SCHOOL_SCOPES[label]
    objects = model._default_manager.filter(**{f"{lookup}__in": schools}, **extra)
    if label == "workflows.caseprocess":
        objects = objects.exclude(concern__route=Concern.Route.HEAD)
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


def _scope(user: Any, models: list[ScopedModel]) -> Q:
    schools = schools_where(user, *AUDIT_ROLES)
    hidden = _hidden(user)
    content_types = ContentType.objects.get_for_models(*(m for _l, m in models))
    scope = Q(pk__in=[])
    for label, model in models:
        scope |= Q(
            content_type=content_types[model],
            object_pk__in=_objects_at(model, label, schools, hidden),
        )
    return scope


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
    anyone who does not hold an AUDIT_ROLE."""
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
    """The people a DSL can filter the log by: anyone with a role at their schools."""
    return (
        User.objects.filter(memberships__school__in=schools_where(user, *AUDIT_ROLES))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
