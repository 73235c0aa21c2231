"""Writes to the vocabularies. Terms are retired or merged, never deleted once used."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from .models import Term

# Relations that belong to the taxonomy itself, not to records that use a term.
OWN_RELATIONS = {"children", "merged_terms"}


@transaction.atomic
def term_retire(*, term):
    term.is_active = False
    term.save(update_fields=["is_active", "updated_at"])


def _uses(term):
    """Every record field pointing at this term (records, forms: later apps)."""
    for relation in Term._meta.related_objects:
        if relation.name in OWN_RELATIONS or relation.related_model is Term:
            continue
        model = relation.related_model
        if relation.many_to_many:
            yield model, relation.field.name, True
        elif isinstance(relation.field, models.ForeignKey):
            yield model, relation.field.name, False


@transaction.atomic
def term_merge(*, source, into):
    """Merge `source` into `into`: every record that used `source` now uses `into`
    (one audited save each), sub-categories move across, and `source` is retired
    with a pointer to where it went."""
    source = Term.objects.select_for_update().get(pk=source.pk)
    if source.pk == into.pk or source.vocabulary != into.vocabulary:
        raise ValidationError(_("Merge a term into another term of the same list."))
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
