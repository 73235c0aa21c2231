"""Writes to children's records. Keyword-only, validated, atomic."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Concern, ConcernPupil, Pupil


@transaction.atomic
def pupil_upsert(*, school, upn, **fields):
    """Create the pupil, or update the one with this UPN at this school (re-imports
    update, never duplicate). Returns (pupil, created)."""
    pupil = Pupil.objects.filter(school=school, upn=upn).first()
    created = pupil is None
    if created:
        pupil = Pupil(school=school, upn=upn)
    changed = created
    for name, value in fields.items():
        if getattr(pupil, name) != value:
            setattr(pupil, name, value)
            changed = True
    if changed:
        pupil.full_clean()
        pupil.save()
    return pupil, created


@dataclass(frozen=True)
class Involvement:
    pupil: Pupil
    role: str


def _snapshot_name(term):
    return str(term)


@transaction.atomic
def concern_submit(
    *,
    school,
    reported_by,
    submission_key,
    involvements,
    primary_category,
    location,
    tags=(),
    **fields,
):
    """Save a reported concern with its children, or return the one already saved
    under this submission key (a double click or a retry). Returns (concern, created).

    Term names are copied onto the record, so later renames don't rewrite it."""
    existing = Concern.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        if existing.reported_by_id != reported_by.pk:
            raise ValidationError(_("This form was already submitted by someone else."))
        return existing, False
    _check_involvements(school, involvements)
    concern = Concern(
        school=school,
        reported_by=reported_by,
        submission_key=submission_key,
        primary_category=primary_category,
        primary_category_name=_snapshot_name(primary_category),
        location=location,
        location_name=_snapshot_name(location),
        tag_names=[_snapshot_name(tag) for tag in tags],
        **fields,
    )
    concern.full_clean()
    concern.save()
    concern.tags.set(tags)
    for involvement in involvements:
        ConcernPupil.objects.create(
            concern=concern, pupil=involvement.pupil, role=involvement.role
        )
    return concern, True


def _check_involvements(school, involvements):
    if not involvements:
        raise ValidationError({"pupils": _("Name at least one child.")})
    if any(i.pupil.school_id != school.pk for i in involvements):
        raise ValidationError(
            {
                "pupils": _("Every child must be on the roll of %(school)s.")
                % {"school": school}
            }
        )
    if len({i.pupil.pk for i in involvements}) != len(involvements):
        raise ValidationError({"pupils": _("Each child can be named only once.")})
