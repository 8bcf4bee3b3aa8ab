"""`{% body_map %}`: the front and back body views as inline SVG, for pain drawings and charting.

    {% load bodymap %}
    {% body_map id="map" marked=keys essential=keys spillover=keys points=trigger_points mode="select" %}

Keys are places as strings (`neck.angle:left`, `back.sacrum`) or `Place` objects. Modes: "view"
(read-only), "select" (click regions to mark them; see static/anatomy/bodymap.js) and "place"
(click to put one point on the body). The SVG is rendered on the server so the chart prints and
reads without JavaScript; the script only adds the clicking.
"""
from __future__ import annotations

from functools import lru_cache

from django import template
from django.templatetags.static import static
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from anatomy import bodymap, vocabulary

register = template.Library()

MODES = ("view", "select", "place")


def _keys(values) -> set[str]:
    """Accept strings, Place objects, or one space- or comma-separated string."""
    if not values:
        return set()
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    return {str(value).strip() for value in values if str(value).strip()}


def _get(item, name, default=None):
    if isinstance(item, dict):
        return item.get(name, default)
    return getattr(item, name, default)


def _num(value: float) -> str:
    return f"{round(float(value), 1):g}"


@lru_cache(maxsize=64)
def _region_parts(view: str, mode: str, language: str) -> tuple[tuple[str, str, str], ...]:
    """Each region's markup split around its per-request parts (classes, aria-checked), built once
    per view, mode and language: the outlines never change, so a chart need not re-render them."""
    parts = []
    for shape in bodymap.shapes(view):
        label = escape(vocabulary.place_label(shape.place, language))
        attrs = (
            f' d="{shape.path_d}" data-key="{escape(shape.key)}" data-region="{escape(shape.region)}"'
            f' data-side="{escape(shape.side or "")}" data-view="{view}"'
            f' data-cx="{_num(shape.centroid_x)}" data-cy="{_num(shape.centroid_y)}"'
        )
        # One Tab stop per map (a roving tabindex, kept by bodymap.js): the first region takes it,
        # the arrow keys move between the others.
        if mode == "select":
            attrs += ' tabindex="-1" role="checkbox" aria-checked="'
        elif mode == "place":
            attrs += f' tabindex="-1" role="button" aria-label="{label}"'
        end = f' aria-label="{label}"' if mode == "select" else ""
        parts.append((shape.key, attrs, f"{end}><title>{label}</title></path>"))
    return tuple(parts)


def _regions_html(view, mode, marked, essential, spillover) -> str:
    out = []
    for index, (key, attrs, tail) in enumerate(_region_parts(view, mode, get_language() or "en")):
        if index == 0 and view == bodymap.views()[0]:
            attrs = attrs.replace('tabindex="-1"', 'tabindex="0"')  # the map's one Tab stop
        classes = "region"
        if key in marked:
            classes += " marked"
        if key in essential:
            classes += " zone-essential"
        elif key in spillover:
            classes += " zone-spillover"
        checked = ("true" if key in marked else "false") + '"' if mode == "select" else ""
        out.append(f'<path class="{classes}"{attrs}{checked}{tail}')
    return mark_safe("\n".join(out))


def _view_context(map_id, view, mode, marked, essential, spillover, points):
    front = view == "front"
    regions = _regions_html(view, mode, marked, essential, spillover)
    drawn = []
    for number, point in enumerate(points or (), start=1):
        if _get(point, "view") != view or _get(point, "x") is None or _get(point, "y") is None:
            continue
        classes = "trigger-point" + (" resolved" if _get(point, "resolved") else "")
        drawn.append({
            "id": _get(point, "id", ""), "x": _num(_get(point, "x")), "y": _num(_get(point, "y")),
            "label": _get(point, "label", ""), "number": _get(point, "number", number), "classes": classes,
        })
    return {
        "name": view,
        "dom_id": f"{map_id}-{view}",
        "title": _("Front of body") if front else _("Back of body"),
        "heading": _("Front") if front else _("Back"),
        "description": _("Seen from the front: the patient's right side is on the left.") if front
        else _("Seen from behind: the patient's left side is on the left."),
        # Orientation markers at the viewer's left and right edges of each view.
        "left_marker": pgettext("right side marker", "R") if front else pgettext("left side marker", "L"),
        "right_marker": pgettext("left side marker", "L") if front else pgettext("right side marker", "R"),
        "regions": regions,
        "points": drawn,
    }


@lru_cache(maxsize=8)
def _place_labels(language: str) -> tuple[str, ...]:
    """Every place's label in the reader's language, for the map's search box (the same words the
    regions are announced with, so typing what a screen reader said finds the region)."""
    return tuple(sorted({vocabulary.place_label(shape.place, language) for shape in bodymap.all_shapes()}))


@register.inclusion_tag("anatomy/bodymap.html")
def body_map(id="bodymap", marked=(), essential=(), spillover=(), points=(), mode="view", input="",
             view_input="", x_input="", y_input="", region_input="", side_input=""):
    """Render both views side by side.

    `input` names a hidden input the tag renders (select mode) holding the marked keys, comma-separated;
    the `*_input` names are written as data- attributes for place mode (the form renders those fields).
    A surrounding element may carry the same data- attributes instead.
    """
    if mode not in MODES:
        raise template.TemplateSyntaxError(f"body_map mode must be one of {', '.join(MODES)}, not {mode!r}.")
    marked_keys = _keys(marked)
    essential_keys = _keys(essential)
    spillover_keys = _keys(spillover) - essential_keys
    x0, y0, width, height = bodymap.VIEWBOX
    ordered = [shape.key for shape in bodymap.all_shapes() if shape.key in marked_keys]
    return {
        "id": id,
        "mode": mode,
        "interactive": mode != "view",
        "input": input,
        "input_value": ",".join(dict.fromkeys(ordered)),
        "inputs": [(name, value) for name, value in (
            ("view-input", view_input), ("x-input", x_input), ("y-input", y_input),
            ("region-input", region_input), ("side-input", side_input)) if value],
        "viewbox": f"{x0} {y0} {width} {height}",
        "place_labels": _place_labels(get_language() or "en") if mode != "view" else (),
        "width": width,
        "views": [_view_context(id, view, mode, marked_keys, essential_keys, spillover_keys, points)
                  for view in bodymap.views()],
    }


@register.simple_tag
def body_map_assets():
    """The stylesheet and script, for pages whose base template does not load them already."""
    return format_html(
        '<link rel="stylesheet" href="{}"><script src="{}" defer></script>',
        static("anatomy/bodymap.css"), static("anatomy/bodymap.js"),
    )
