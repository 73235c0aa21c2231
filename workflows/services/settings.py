"""A school's casework settings and pattern thresholds, kept by its DSL."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import Role, School, User
from accounts.selectors import schools_where
from taxonomy.models import Term

from ..models import CaseworkSettings, PatternRule
from .conflicts import EditConflict, last_change


def casework_settings_version(settings: CaseworkSettings) -> str:
    """Which save of a school's settings a page was loaded from. Every save bumps
    `updated_at` (auto_now); before the first there is no row, and the version is
    "new"."""
    return settings.updated_at.isoformat() if settings.pk else "new"


def _is_timestamp(text: str) -> bool:
    try:
        return parse_datetime(text) is not None
    except ValueError:
        return False


@transaction.atomic
def casework_settings_save(
    *, school: School, user: User, closure_sign_off: str, version: str
) -> CaseworkSettings:
    """Save a school's settings if they are still the `version` the DSL's page was
    loaded from; otherwise save nothing and raise EditConflict.

    The school's row is locked before the settings are read, so of two DSLs saving
    at once the second waits, then sees the first one's save and is told. The
    school, not the settings row, because before the first save there is no
    settings row to lock. Before the first save there is nothing to lose, so any
    page may save; choosing what is already stored writes nothing, so it can't
    make a colleague's open page look out of date."""
    _check_settings_dsl(user, school)
    School.objects.select_for_update().get(pk=school.pk)
    settings = CaseworkSettings.for_school(school)
    if settings.pk and settings.closure_sign_off == closure_sign_off:
        return settings
    stored_version = casework_settings_version(settings)
    if settings.pk and version != stored_version:
        change = last_change(settings)
        raise EditConflict(
            stored=settings,
            version=stored_version,
            who=change.actor if change else None,
            when=settings.updated_at,
            missing=not (version == "new" or _is_timestamp(version)),
        )
    settings.closure_sign_off = closure_sign_off
    settings.full_clean()
    settings.save()
    return settings


def _check_settings_dsl(user: User, school: School) -> None:
    if not schools_where(user, Role.DSL).filter(pk=school.pk).exists():
        raise PermissionDenied


@transaction.atomic
def pattern_rule_add(
    *,
    school: School,
    user: User,
    min_concerns: int,
    within_days: int,
    category: Term | None = None,
) -> PatternRule:
    """A DSL adds a threshold for her school (see workflows.patterns)."""
    _check_settings_dsl(user, school)
    rule = PatternRule(
        school=school,
        min_concerns=min_concerns,
        within_days=within_days,
        category=category,
        created_by=user,
    )
    rule.full_clean()
    if PatternRule.objects.filter(
        school=school,
        is_active=True,
        min_concerns=min_concerns,
        within_days=within_days,
        category=category,
    ).exists():
        raise ValidationError(_("This rule is already set."))
    rule.save()
    return rule


@transaction.atomic
def pattern_rule_remove(*, rule: PatternRule, user: User) -> PatternRule | None:
    """Remove a threshold. One that has raised reviews is switched off instead:
    the reviews say which rule raised them."""
    _check_settings_dsl(user, rule.school)
    if rule.reviews.exists():
        rule.is_active = False
        rule.save(update_fields=["is_active"])
        return rule
    rule.delete()
    return None
