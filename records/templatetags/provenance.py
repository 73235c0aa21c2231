"""Where a record came from: `record|imported_from` is the ImportedRecord of a
record a previous school made (its school and who made it there), or None for
one made here. A decision imported from another school says "decided by <their
DSL> at <their school>", never the name of the DSL who imported it."""

from django import template
from django.contrib.contenttypes.models import ContentType

from ..models import ImportedRecord

register = template.Library()


@register.filter
def imported_from(record):
    if record is None or getattr(record, "pk", None) is None:
        return None
    return ImportedRecord.objects.filter(
        target_type=ContentType.objects.get_for_model(record), target_id=record.pk
    ).first()
