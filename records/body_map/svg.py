"""The outline as SVG, with the marks drawn on it as numbered dots.

The same markup serves the form (where the script listens for a click or tap
on a part of the body), the record's pages and the PDF. The picture is never
the record: the table of marks beside it is, and the picture's text
alternative says which marks it shows."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .regions import BY_CODE, HEIGHT, REGIONS, VIEW_NAMES, WIDTH, Shape, region_label

DOT = 9


def _shape(shape: Shape, attrs: SafeString) -> SafeString:
    if shape.ellipse:
        cx, cy = shape.centre
        return format_html(
            '<ellipse cx="{}" cy="{}" rx="{}" ry="{}"{}/>',
            cx,
            cy,
            shape.w / 2,
            shape.h / 2,
            attrs,
        )
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" rx="{}"{}/>',
        shape.x,
        shape.y,
        shape.w,
        shape.h,
        shape.rx,
        attrs,
    )


def position(mark: dict, crowding: int = 0) -> tuple[float, float]:
    """Where a mark's dot goes: where it was placed, or the middle of its part
    of the body (moved along a little for each mark already there)."""
    if mark.get("x") is not None and mark.get("y") is not None:
        return (mark["x"] * WIDTH / 100, mark["y"] * HEIGHT / 100)
    region = BY_CODE[mark["region"]]
    x, y = region.shape_on(mark["view"]).centre
    step = (crowding + 1) // 2 * (2 * DOT + 2)
    return (x, y - step if crowding % 2 else y + step)


def _dots(numbered: list[tuple[int, dict]]) -> SafeString:
    crowded: dict[str, int] = {}
    dots = []
    for number, mark in numbered:
        crowding = 0
        if mark.get("x") is None:
            crowding = crowded.get(mark["region"], 0)
            crowded[mark["region"]] = crowding + 1
        x, y = position(mark, crowding)
        dots.append(
            format_html(
                '<g class="body-map__dot">'
                '<circle cx="{}" cy="{}" r="{}" fill="#a4001d"/>'
                '<text x="{}" y="{}" text-anchor="middle" fill="#fff"'
                ' font-family="sans-serif" font-size="11" font-weight="bold">{}</text>'
                "</g>",
                round(x, 1),
                round(y, 1),
                DOT,
                round(x, 1),
                round(y + 4, 1),
                number,
            )
        )
    return format_html_join("", "{}", ((dot,) for dot in dots))


def figure(view: str, numbered: list[tuple[int, dict]], *, ident: str) -> SafeString:
    """One view of the body with its marks. `numbered` holds (number, mark) for
    the marks on this view; `ident` makes the title's id unique on the page."""
    if numbered:
        listed = "; ".join(
            f"{n}: {region_label(mark['view'], mark['region'])}" for n, mark in numbered
        )
        title = _("Body outline, %(view)s, with marks %(list)s") % {
            "view": VIEW_NAMES[view],
            "list": listed,
        }
    else:
        title = _("Body outline, %(view)s: no marks") % {"view": VIEW_NAMES[view]}
    shapes = format_html_join(
        "",
        "{}",
        (
            (
                _shape(
                    region.shape_on(view),
                    format_html(
                        ' class="body-map__region" data-region="{}.{}"'
                        ' data-label="{}" fill="#f3f3f3" stroke="#4a4a4a"',
                        view,
                        region.code,
                        region_label(view, region.code),
                    ),
                ),
            )
            for region in REGIONS
        ),
    )
    return format_html(
        '<svg class="body-map__figure" viewBox="0 0 {} {}" role="img"'
        ' aria-labelledby="{}-title" data-view="{}" width="{}" height="{}"'
        ' xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title>'
        '<g class="body-map__outline">{}</g>'
        '<g class="body-map__dots" data-dots>{}</g></svg>',
        WIDTH,
        HEIGHT,
        ident,
        view,
        WIDTH,
        HEIGHT,
        ident,
        title,
        shapes,
        _dots(numbered),
    )


def figures(marks: list[dict], *, ident: str) -> list[tuple[str, SafeString]]:
    """[(view name, svg)] for the front and the back, marks numbered in order."""
    numbered = list(enumerate(marks, start=1))
    return [
        (
            VIEW_NAMES[view],
            figure(
                view,
                [(n, m) for n, m in numbered if m["view"] == view],
                ident=f"{ident}-{view}",
            ),
        )
        for view in VIEW_NAMES
    ]
