"""Reads of the audit log for the DSLs who browse it: only entries about their own
schools' records, filtered and paginated with a constant number of queries.

An entry names its object by content type and primary key and has no school of its
own, so the school is found through the object: SCHOOL_SCOPES gives, for each audited
model, the lookup from that model to its school (and the concerns a DSL does not
work: concerns about adults go to the head). Entries about a model not listed here —
trusts, trust-wide terms, models added later — are shown to no one until a line is
added (tests/audit/test_browse.py fails for an audited model with no line). Entries
whose object has since been deleted cannot be placed at a school and are not shown.

Models are named by label, not imported: the audit app sits below every other app.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from importlib import import_module

from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import Role
from accounts.selectors import schools_where

from .models import ChainedLogEntry

# Who browses the audit log of a school.
AUDIT_ROLES = (Role.DSL,)

_DSL_ROUTE = {"concern__route": "dsl_team"}

# model label -> (lookup to the school, extra filter on the object)
SCHOOL_SCOPES = {
    "accounts.user": ("memberships__school", {}),
    "accounts.school": ("pk", {}),
    "accounts.membership": ("school", {}),
    "accounts.schoolterm": ("school", {}),
    "accounts.schoolclosureday": ("school", {}),
    "otp_totp.totpdevice": ("user__memberships__school", {}),
    "otp_static.staticdevice": ("user__memberships__school", {}),
    "api.apitoken": ("user__memberships__school", {}),
    "concern_forms.concerndraft": ("user__memberships__school", {}),
    "taxonomy.term": ("school", {}),
    "taxonomy.concerncategory": ("school", {}),
    "taxonomy.agency": ("school", {}),
    "taxonomy.location": ("school", {}),
    "taxonomy.outcome": ("school", {}),
    "taxonomy.profileflag": ("school", {}),
    "records.pupil": ("school", {}),
    "records.concern": ("school", {"route": "dsl_team"}),
    "records.concernpupil": ("concern__school", _DSL_ROUTE),
    "records.concernattachment": ("concern__school", _DSL_ROUTE),
    "records.triage": ("concern__school", _DSL_ROUTE),
    "records.decision": ("concern__school", _DSL_ROUTE),
    "records.referral": ("concern__school", _DSL_ROUTE),
    "records.action": ("concern__school", _DSL_ROUTE),
    "records.closure": ("concern__school", _DSL_ROUTE),
    "records.addendum": ("pupil__school", {}),
    "records.fileaudit": ("pupil__school", {}),
    "records.fileauditaction": ("audit__pupil__school", {}),
    "records.fileauditsample": ("school", {}),
    "records.filenote": ("pupil__school", {}),
    "records.keyperson": ("pupil__school", {}),
    "records.noteattachment": ("note__pupil__school", {}),
    "records.pupilflag": ("pupil__school", {}),
    "records.pupillink": ("from_pupil__school", {}),
    "records.significantmark": ("pupil__school", {}),
    "records.transfer": ("school", {}),
    "records.transferdocument": ("transfer__school", {}),
    "records.previousschoolentry": ("pupil__school", {}),
    "records.legalhold": ("pupil__school", {}),
    "records.destructioncertificate": ("school", {}),
    "workflows.caseprocess": ("school", {}),
    "workflows.caseworksettings": ("school", {}),
    "workflows.patternrule": ("school", {}),
    "workflows.patternreview": ("pupil__school", {}),
    "records.restriction": ("school", {}),
    "records.breakglassaccess": ("school", {}),
}

# Need to know: the lookups from each model to the concern(s) and child(ren) it is
# about. An entry about a record restricted to other people (records.Restriction)
# is not shown, as the record itself is not.
_CONCERN = ("concern", "concern__involvements__pupil")
NEED_TO_KNOW = {
    "records.pupil": {"pupil": ("pk",)},
    "records.concern": {"concern": ("pk",), "pupil": ("involvements__pupil",)},
    "records.concernpupil": {"concern": ("concern",), "pupil": ("pupil",)},
    "records.concernattachment": {"concern": ("concern",), "pupil": _CONCERN[1:]},
    "records.triage": {"concern": ("concern",), "pupil": _CONCERN[1:]},
    "records.decision": {"concern": ("concern",), "pupil": _CONCERN[1:]},
    "records.referral": {"concern": ("concern",), "pupil": _CONCERN[1:]},
    "records.action": {"concern": ("concern",), "pupil": _CONCERN[1:]},
    "records.closure": {"concern": ("concern",), "pupil": _CONCERN[1:]},
    "records.addendum": {"pupil": ("pupil",)},
    "records.fileaudit": {"pupil": ("pupil",)},
    "records.fileauditaction": {"pupil": ("audit__pupil",)},
    "records.filenote": {"concern": ("concern",), "pupil": ("pupil",)},
    "records.keyperson": {"pupil": ("pupil",)},
    "records.noteattachment": {
        "concern": ("note__concern",),
        "pupil": ("note__pupil",),
    },
    "records.pupilflag": {"pupil": ("pupil",)},
    "records.pupillink": {"pupil": ("from_pupil", "to_pupil")},
    "records.significantmark": {"pupil": ("pupil",)},
    "records.transfer": {"pupil": ("pupil",)},
    "records.transferdocument": {"pupil": ("transfer__pupil",)},
    "records.previousschoolentry": {"pupil": ("pupil",)},
    "records.legalhold": {"pupil": ("pupil",)},
    "records.restriction": {"concern": ("concern",), "pupil": ("pupil",)},
    "records.breakglassaccess": {"concern": ("concern",), "pupil": ("pupil",)},
    "workflows.caseprocess": {
        "concern": ("concern",),
        "pupil": ("concern__involvements__pupil", "transfer__pupil"),
    },
    "workflows.patternreview": {"pupil": ("pupil",)},
}
# Audited but deliberately unscoped: trust-wide, no one school's.
UNSCOPED = {"accounts.trust"}


def can_browse_audit_log(user):
    return schools_where(user, *AUDIT_ROLES).exists()


def scoped_models():
    """(label, model) of every installed model a DSL's audit view can place."""
    found = []
    for label in SCHOOL_SCOPES:
        try:
            found.append((label, apps.get_model(label)))
        except LookupError:
            continue
    return found


def unplaceable_audited_models():
    """Audited models with no school lookup: their entries are shown to no one."""
    labels = {model._meta.label_lower for model in auditlog.get_models()}
    return sorted(labels - set(SCHOOL_SCOPES) - UNSCOPED)


def _objects_at(model, label, schools, hidden):
    lookup, extra = SCHOOL_SCOPES[label]
    objects = model._default_manager.filter(**{f"{lookup}__in": schools}, **extra)
    if label == "workflows.caseprocess":
        objects = objects.exclude(concern__route="head")
    for kind, paths in NEED_TO_KNOW.get(label, {}).items():
        for path in paths:
            objects = objects.exclude(**{f"{path}__in": hidden[kind]})
    return objects.values(pk_text=Cast("pk", CharField()))


def _hidden(user):
    """What restrictions hide from the user, as subqueries (records.selectors; by
    import path, as models are named by label here)."""
    selectors = import_module("records.selectors")
    return {
        "concern": selectors.hidden_concern_ids(user),
        "pupil": selectors.hidden_pupil_ids(user),
    }


def _scope(user, models):
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
class AuditFilters:
    actor: object = None  # a User
    action: int | None = None
    model: str = ""  # a label in SCHOOL_SCOPES
    date_from: object = None
    date_to: object = None
    content_type: object = None  # with object_pk: one object's history
    object_pk: str = ""
    about_user: object = None  # entries by or about one person


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def entries_visible_to(user, filters=None):
    """The audit entries about `user`'s schools' records, newest first; none for
    anyone who does not hold an AUDIT_ROLE."""
    filters = filters or AuditFilters()
    if not can_browse_audit_log(user):
        return ChainedLogEntry.objects.none()
    models = scoped_models()
    if filters.model:
        models = [(label, m) for label, m in models if label == filters.model]
    entries = ChainedLogEntry.objects.filter(_scope(user, models))
    if filters.actor is not None:
        entries = entries.filter(actor=filters.actor)
    if filters.about_user is not None:
        user_type = ContentType.objects.get_for_model(type(filters.about_user))
        entries = entries.filter(
            Q(actor=filters.about_user)
            | Q(content_type=user_type, object_pk=str(filters.about_user.pk))
        )
    if filters.action is not None:
        entries = entries.filter(action=filters.action)
    if filters.date_from:
        entries = entries.filter(timestamp__gte=_day_start(filters.date_from))
    if filters.date_to:
        day_after = _day_start(filters.date_to) + timedelta(days=1)
        entries = entries.filter(timestamp__lt=day_after)
    if filters.content_type is not None:
        entries = entries.filter(
            content_type=filters.content_type, object_pk=str(filters.object_pk)
        )
    return entries.select_related("actor", "content_type").order_by("-pk")


def people_at_audit_schools(user):
    """The people a DSL can filter the log by: anyone with a role at their schools."""
    from accounts.models import User

    return (
        User.objects.filter(memberships__school__in=schools_where(user, *AUDIT_ROLES))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
