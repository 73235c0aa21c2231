"""Writes to children's records. Keyword-only, validated, atomic."""

from django.db import transaction

from .models import Pupil


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
