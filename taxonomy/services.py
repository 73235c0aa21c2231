"""Writes to the vocabularies. Terms are retired or merged, never deleted once used."""

from collections.abc import Iterator
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ForeignObjectRel, Model
from django.utils.translation import gettext as _

from .models import Term


class TermChanged(Exception):
    """Someone saved the term after the editor loaded it, so nothing was saved.
    `stored` is the term as it is now, for the editor to compare and merge."""

    def __init__(self, stored: Term) -> None:
        super().__init__(f"Term {stored.pk} changed since it was loaded.")
        self.stored = stored


def term_version(term: Term) -> str:
    """What an edit page carries to say which save of the term it started from.
    Every write bumps `updated_at` (auto_now), so the timestamp is the version."""
    return term.updated_at.isoformat() if term.pk else ""


def term_lock_unchanged(*, term: Term, version: str) -> Term:
    """Lock the term's row and check it is still the `version` the editor loaded;
    raise TermChanged if not (or if the page carried no version).

    Call it inside the transaction that then saves the edit: the row stays locked
    until that commits, so of two editors saving at once the second waits, sees
    the first one's save and is told, instead of silently overwriting it. (Django
    refuses select_for_update outside a transaction, so it can't be misused.)"""
    stored = Term.objects.select_for_update().get(pk=term.pk)
    if not version or version != term_version(stored):
        raise TermChanged(stored)
    return stored


@transaction.atomic
def term_retire(*, term: Term) -> None:
    term.is_active = False
    term.save(update_fields=["is_active", "updated_at"])


def _uses(term: Term) -> Iterator[tuple[type[Model], str, bool]]:
    """Every record field pointing at a term (in records, forms, later apps),
    including relations with no reverse accessor (related_name="+")."""
    for relation in Term._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete or not relation.is_relation:
            continue
        if not isinstance(relation, ForeignObjectRel):  # reverse relations only
            continue
        # A class once the app registry is ready (never the string "self").
        model = cast("type[Model]", relation.related_model)
        if model is Term or model._meta.auto_created:  # own tree; m2m through rows
            continue
        yield model, relation.field.name, relation.many_to_many


@transaction.atomic
def term_merge(*, source: Term, into: Term) -> Term:
    """Merge `source` into `into`: every record that used `source` now uses `into`
    (one audited save each), sub-categories move across, and `source` is retired
    with a pointer to where it went."""
    source = Term.objects.select_for_update().get(pk=source.pk)
    if source.pk == into.pk or source.vocabulary != into.vocabulary:
        raise ValidationError(_("Merge a term into another term of the same list."))
    if into.school_id not in (None, source.school_id):
        raise ValidationError(
            _("Merge into a term every school shares, or one of the same school.")
        )
    if into.merged_into_id or source.merged_into_id:
        raise ValidationError(_("That term has already been merged."))
    if source.children.exists() and into.parent_id:
        raise ValidationError(_("Sub-categories can only move to a main category."))
    for model, field, many in _uses(source):
        for record in model._default_manager.filter(**{field: source}):
            if many:
                getattr(record, field).remove(source)
                getattr(record, field).add(into)
            else:
                setattr(record, field, into)
                record.save(update_fields=[field])
    for child in source.children.all():
        child.parent = into
        child.save(update_fields=["parent", "updated_at"])
    source.merged_into = into
    source.is_active = False
    source.save(update_fields=["merged_into", "is_active", "updated_at"])
    return into
