"""The body map: where on a child's body an injury was seen, as data (a list of
marks on a front and back outline), on concerns and file notes.

regions (the parts of the body and the outline), validation (what a mark holds),
svg (drawing it), forms (the field staff fill in). Templates are under
templates/records/body_map/, the script and styles under
records/static/records/."""

from .forms import BodyMapField, BodyMapWidget
from .regions import REGIONS, View, region_label
from .validation import MAX_MARKS, validate_body_map

__all__ = [
    "MAX_MARKS",
    "REGIONS",
    "BodyMapField",
    "BodyMapWidget",
    "View",
    "region_label",
    "validate_body_map",
]
