"""The parts of the body a mark is placed on, and the outline drawn from them.

The outline is our own: simple rounded shapes, one per region, neutral and not
gendered. Each region is drawn on a figure 200 wide and 430 high. Left and right
are always the child's own: on the front view the child's right is on the
viewer's left, on the back view on the viewer's right.

To add a region, add a row to REGIONS: the form's list, the outline, the
validation and the API's choices all read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # the stubs' name for "a str or a lazy one"; not needed to run
    from django_stubs_ext import StrOrPromise

WIDTH = 200
HEIGHT = 430


class View:
    FRONT = "front"
    BACK = "back"

    choices = ((FRONT, _("front")), (BACK, _("back")))
    values = (FRONT, BACK)


@dataclass(frozen=True)
class Shape:
    """A rounded rectangle (`rx` its corner radius) or an ellipse (`ellipse`),
    placed for the child's right side on the front view, or on the midline."""

    x: float
    y: float
    w: float
    h: float
    rx: float = 0
    ellipse: bool = False

    def placed(self, *, mirrored: bool) -> Shape:
        if not mirrored:
            return self
        return Shape(
            WIDTH - self.x - self.w, self.y, self.w, self.h, self.rx, self.ellipse
        )

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.h / 2)


@dataclass(frozen=True)
class Region:
    code: str
    front: StrOrPromise  # its name on the front view
    back: StrOrPromise  # and on the back view
    shape: Shape
    side: str = ""  # "right", "left" or "" (on the midline)

    def name(self, view: str) -> StrOrPromise:
        return self.front if view == View.FRONT else self.back

    def shape_on(self, view: str) -> Shape:
        """Where it is drawn: the child's left is on the viewer's right on the
        front view, and on the viewer's left on the back view."""
        mirrored = (self.side == "left") == (view == View.FRONT) and bool(self.side)
        return self.shape.placed(mirrored=mirrored)


def _pair(code, front, back, shape):
    return [
        Region(f"right_{code}", front[0], back[0], shape, "right"),
        Region(f"left_{code}", front[1], back[1], shape, "left"),
    ]


REGIONS: tuple[Region, ...] = (
    Region("head", _("head and face"), _("head"), Shape(76, 8, 48, 60, ellipse=True)),
    Region("neck", _("neck"), _("neck"), Shape(89, 64, 22, 22, rx=4)),
    Region("trunk_upper", _("chest"), _("upper back"), Shape(64, 84, 72, 62, rx=14)),
    Region("trunk_lower", _("abdomen"), _("lower back"), Shape(68, 146, 64, 48, rx=6)),
    Region(
        "pelvis", _("groin and genitals"), _("buttocks"), Shape(68, 194, 64, 38, rx=10)
    ),
    *_pair(
        "upper_arm",
        (_("right upper arm"), _("left upper arm")),
        (_("right upper arm"), _("left upper arm")),
        Shape(42, 88, 22, 72, rx=11),
    ),
    *_pair(
        "forearm",
        (_("right forearm"), _("left forearm")),
        (_("right forearm"), _("left forearm")),
        Shape(32, 162, 20, 66, rx=10),
    ),
    *_pair(
        "hand",
        (_("right hand (palm)"), _("left hand (palm)")),
        (_("right hand (back)"), _("left hand (back)")),
        Shape(30, 230, 22, 32, ellipse=True),
    ),
    *_pair(
        "thigh",
        (_("right thigh"), _("left thigh")),
        (_("back of right thigh"), _("back of left thigh")),
        Shape(70, 232, 28, 80, rx=12),
    ),
    *_pair(
        "lower_leg",
        (_("right knee and shin"), _("left knee and shin")),
        (_("right calf"), _("left calf")),
        Shape(72, 314, 24, 84, rx=10),
    ),
    *_pair(
        "foot",
        (_("right foot"), _("left foot")),
        (_("right heel and sole"), _("left heel and sole")),
        Shape(68, 400, 30, 18, ellipse=True),
    ),
)
BY_CODE = {region.code: region for region in REGIONS}
VIEW_NAMES = dict(View.choices)


def region_label(view: str, code: str) -> str:
    """ "left forearm, front": the name a person reads, on every page and the PDF."""
    region = BY_CODE.get(code)
    if region is None or view not in VIEW_NAMES:
        return str(_("unknown part of the body"))
    return f"{region.name(view)}, {VIEW_NAMES[view]}"


def region_choices() -> list[tuple[StrOrPromise, list[tuple[str, str]]]]:
    """The list a keyboard user picks from: grouped by view, "front.left_forearm"."""
    return [
        (
            _("Front of the body"),
            [(f"front.{r.code}", region_label("front", r.code)) for r in REGIONS],
        ),
        (
            _("Back of the body"),
            [(f"back.{r.code}", region_label("back", r.code)) for r in REGIONS],
        ),
    ]
