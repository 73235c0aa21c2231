"""`{% body_map_display record %}`: a concern's or file note's body map, as the
outline with numbered marks and the table of marks (on pages and in the PDF)."""

from django import template

from ..body_map.regions import region_label
from ..body_map.svg import figures

register = template.Library()


@register.inclusion_tag("records/body_map/display.html")
def body_map_display(record, *, child=None):
    """`child` names whose body it is, where the page is about several
    children. The pictures' ids carry the record's, so a file showing several
    body maps keeps them unique."""
    marks = list(record.body_map or [])
    ident = f"body-map-{record._meta.model_name}-{record.pk}"
    return {
        "figures": figures(marks, ident=ident),
        "marks": [
            {**mark, "label": region_label(mark["view"], mark["region"])}
            for mark in marks
        ],
        "child": child,
    }
