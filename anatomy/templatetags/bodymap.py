"""`{% body_map %}`: the front and back body views as inline SVG, for pain drawings and charting.

    {% load bodymap %}
    {% body_map id="map" marked=keys essential=keys spillover=keys points=trigger_points mode="select" %}

Keys are places as strings (`neck.angle:left`, `back.sacrum`) or `Place` objects. Modes: "view"
(read-only), "select" (click regions to mark them; see static/anatomy/bodymap.js) and "place"
(click to put one point on the body). `layer="muscles"` draws the superficial muscles and bony
landmarks over the regions (anatomy/musclemap.py); in place mode a muscle is a button that charts
a point on it (and fills the muscle and side inputs named by data-muscle-input, data-muscle-side-input),
and interactive maps get a "Show muscles" switch. The SVG is rendered on the server so the chart prints and
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
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy

from anatomy import bodymap, musclemap, vocabulary

register = template.Library()

MODES = ("view", "select", "place")
LAYERS = ("", "muscles")

# Bony landmarks drawn with the muscle layer, named in the legend (codes from data/musclemap.toml).
LANDMARK_NAMES = {
    "clavicle": _lazy("Clavicle"),
    "sternal-notch": _lazy("Sternal notch"),
    "costal-margin": _lazy("Costal margin"),
    "iliac-crest": _lazy("Iliac crest"),
    "pubic-symphysis": _lazy("Pubic symphysis"),
    "greater-trochanter": _lazy("Greater trochanter"),
    "lateral-epicondyle": _lazy("Lateral epicondyle"),
    "medial-epicondyle": _lazy("Medial epicondyle"),
    "patella": _lazy("Patella"),
    "fibular-head": _lazy("Head of fibula"),
    "tibial-crest": _lazy("Tibial crest"),
    "lateral-malleolus": _lazy("Lateral malleolus"),
    "medial-malleolus": _lazy("Medial malleolus"),
    "spine-of-scapula": _lazy("Spine of scapula"),
    "acromion": _lazy("Acromion"),
    "medial-border-of-scapula": _lazy("Medial border of scapula"),
    "inferior-angle-of-scapula": _lazy("Inferior angle of scapula"),
    "vertebra-prominens": _lazy("Vertebra prominens (C7)"),
    "posterior-superior-iliac-spine": _lazy("Posterior superior iliac spine"),
    "ischial-tuberosity": _lazy("Ischial tuberosity"),
    "olecranon": _lazy("Olecranon"),
}


def _keys(values) -> set[str]:
    """Accept strings, Place objects, or one space- or comma-separated string."""
    if not values:
        return set()
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    return {str(value).strip() for value in values if str(value).strip()}


def _marks(values) -> dict[str, int | None]:
    """Marked places with their pain intensity: `neck.angle:left@7` -> {"neck.angle:left": 7}; a
    place written without `@N` has no intensity of its own (None). Bad levels are ignored here:
    forms and the API refuse them with a message before a drawing is stored."""
    marks: dict[str, int | None] = {}
    for item in _keys(values):
        key, _sep, level = item.partition("@")
        marks[key] = int(level) if level.isascii() and level.isdigit() and int(level) <= 10 else None
    return marks


def intensity_label(label: str, level: int) -> str:
    return _("%(place)s, pain %(level)s of 10") % {"place": label, "level": level}


def _marked_item(key: str, level: int | None, language: str) -> str:
    """A line of the map's list of places (the same words bodymap.js writes)."""
    label = vocabulary.place_label(vocabulary.parse_place(key), language)
    if level is None:
        return label
    return _("%(place)s: pain %(level)s of 10") % {"place": label, "level": level}


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
            f' data-group="{escape(vocabulary.regions()[shape.region].group)}"'
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
    """`marked` maps keys to their intensity (or None): a graded region is announced with it."""
    out = []
    language = get_language() or "en"
    for index, (key, attrs, tail) in enumerate(_region_parts(view, mode, language)):
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
        if mode == "select" and marked.get(key) is not None:
            label = vocabulary.place_label(vocabulary.parse_place(key), language)
            tail = tail.replace(f' aria-label="{escape(label)}"',
                                f' aria-label="{escape(intensity_label(label, marked[key]))}"', 1)
        out.append(f'<path class="{classes}"{attrs}{checked}{tail}')
    return mark_safe("\n".join(out))


def _intensities_html(view: str, marked: dict[str, int | None]) -> str:
    """Each graded region's intensity as a number at its centre, so the map says how much it hurts
    without relying on colour (WCAG 1.4.1); bodymap.js keeps these in step with the input."""
    out = []
    for shape in bodymap.shapes(view):
        level = marked.get(shape.key)
        if level is not None:
            out.append(f'<g class="region-intensity" data-key="{escape(shape.key)}"><circle cx="{_num(shape.centroid_x)}"'
                       f' cy="{_num(shape.centroid_y)}" r="4.6"/><text x="{_num(shape.centroid_x)}"'
                       f' y="{_num(shape.centroid_y)}">{level}</text></g>')
    return mark_safe('<g class="intensities" aria-hidden="true">' + "".join(out) + "</g>")


def muscle_label(code: str, side: str, language: str) -> str:
    return pgettext("muscle and side", "%(muscle)s, %(side)s") % {
        "muscle": vocabulary.muscle_label(code, language), "side": vocabulary.side_label(side, language).lower()}


@lru_cache(maxsize=32)
def _muscles_html(view: str, mode: str, language: str) -> str:
    """The muscle layer of one view: labelled outlines (buttons in place mode) and the landmarks."""
    out = []
    for shape in musclemap.muscles(view):
        label = escape(muscle_label(shape.muscle, shape.side, language))
        region = shape.region()
        attrs = (f' class="muscle" d="{shape.path_d}" data-muscle="{shape.muscle}" data-side="{shape.side}"'
                 f' data-key="{shape.key}" data-view="{view}" data-cx="{_num(shape.center[0])}"'
                 f' data-cy="{_num(shape.center[1])}" data-region="{region.region}"'
                 f' data-region-side="{region.side or ""}"')
        if mode == "place":
            attrs += f' tabindex="-1" role="button" aria-label="{label}"'
        out.append(f"<path{attrs}><title>{label}</title></path>")
    marks = []
    for mark in musclemap.landmarks(view):
        name = escape(str(LANDMARK_NAMES.get(mark.name, mark.name)))
        if mark.kind == "point":
            x, y = mark.points[0]
            marks.append(f'<circle class="landmark" cx="{_num(x)}" cy="{_num(y)}" r="1.6"><title>{name}</title></circle>')
        else:
            d = "M" + "L".join(f"{_num(x)} {_num(y)}" for x, y in mark.points)
            marks.append(f'<path class="landmark" d="{d}"><title>{name}</title></path>')
    hidden = "" if mode == "place" else ' aria-hidden="true"'
    return mark_safe(f'<g class="muscles"{hidden}>' + "\n".join(out) + "</g>"
                     + '<g class="landmarks" aria-hidden="true">' + "".join(marks) + "</g>")


def _view_context(map_id, view, mode, marked, essential, spillover, points, layer=""):
    front = view == "front"
    regions = _regions_html(view, mode, marked, essential, spillover)
    if layer == "muscles":
        regions += _muscles_html(view, mode, get_language() or "en")
    if mode == "select":
        regions += _intensities_html(view, marked)
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
def _deep_list(language: str) -> tuple[tuple[str, str], ...]:
    """Each region with the undrawn (deeper) muscles whose trigger points lie beneath it."""
    by_region: dict[str, list[str]] = {}
    for code, regions in musclemap.deep_muscles().items():
        for region in regions:
            by_region.setdefault(region, []).append(vocabulary.muscle_label(code, language))
    order = list(vocabulary.regions())
    return tuple((vocabulary.region_label(region, language), ", ".join(sorted(names)))
                 for region, names in sorted(by_region.items(), key=lambda item: order.index(item[0])))


@lru_cache(maxsize=8)
def _muscle_labels(language: str) -> tuple[str, ...]:
    return tuple(sorted({muscle_label(m.muscle, m.side, language) for m in musclemap.muscles()}))


@lru_cache(maxsize=8)
def _place_labels(language: str) -> tuple[str, ...]:
    """Every place's label in the reader's language, for the map's search box (the same words the
    regions are announced with, so typing what a screen reader said finds the region)."""
    return tuple(sorted({vocabulary.place_label(shape.place, language) for shape in bodymap.all_shapes()}))


@lru_cache(maxsize=16)
def _place_options(language: str, with_muscles: bool) -> str:
    """The search box's datalist options, built once per language: some hundreds of labels that the
    template would otherwise loop over on every chart."""
    labels = _place_labels(language) + (_muscle_labels(language) if with_muscles else ())
    return mark_safe("".join(f'<option value="{escape(label)}"></option>' for label in labels))


AREA_NAMES = {  # the vocabulary's region groups, named for the narrow map's first level
    "abdomen": pgettext_lazy("body area", "Abdomen"), "arm": pgettext_lazy("body area", "Arm"),
    "back": pgettext_lazy("body area", "Back"), "buttock": pgettext_lazy("body area", "Buttock"),
    "chest": pgettext_lazy("body area", "Chest"), "elbow": pgettext_lazy("body area", "Elbow"),
    "face": pgettext_lazy("body area", "Face"), "foot": pgettext_lazy("body area", "Foot"),
    "forearm": pgettext_lazy("body area", "Forearm"), "hand": pgettext_lazy("body area", "Hand"),
    "head": pgettext_lazy("body area", "Head"), "hip": pgettext_lazy("body area", "Hip"),
    "knee": pgettext_lazy("body area", "Knee"), "leg": pgettext_lazy("body area", "Leg"),
    "neck": pgettext_lazy("body area", "Neck"), "pelvis": pgettext_lazy("body area", "Pelvis"),
    "scapula": pgettext_lazy("body area", "Scapula"), "shoulder": pgettext_lazy("body area", "Shoulder"),
    "thigh": pgettext_lazy("body area", "Thigh"),
}


def _area_names() -> list[tuple[str, str]]:
    """The body areas (the vocabulary's region groups) a narrow map offers before its places; a group
    added to the vocabulary without a name here shows its code, capitalised."""
    groups = sorted({region.group for region in vocabulary.regions().values()})
    return [(group, str(AREA_NAMES.get(group, group.replace("-", " ").capitalize()))) for group in groups]


@register.inclusion_tag("anatomy/bodymap.html")
def body_map(id="bodymap", marked=(), essential=(), spillover=(), points=(), mode="view", input="",
             view_input="", x_input="", y_input="", region_input="", side_input="", layer="",
             intensity_default_input=""):
    """Render both views side by side.

    `input` names a hidden input the tag renders (select mode) holding the marked keys, comma-separated,
    each with its pain intensity as `key@N` once it has one (`marked` takes the same form);
    `intensity_default_input` names the input whose value a newly marked region starts at (else 5);
    the `*_input` names are written as data- attributes for place mode (the form renders those fields).
    A surrounding element may carry the same data- attributes instead.
    """
    if mode not in MODES:
        raise template.TemplateSyntaxError(f"body_map mode must be one of {', '.join(MODES)}, not {mode!r}.")
    if layer not in LAYERS:
        raise template.TemplateSyntaxError(f"body_map layer must be \"muscles\" or empty, not {layer!r}.")
    language = get_language() or "en"
    marked_keys = _marks(marked)
    essential_keys = _keys(essential)
    spillover_keys = _keys(spillover) - essential_keys
    x0, y0, width, height = bodymap.VIEWBOX
    ordered = [shape.key for shape in bodymap.all_shapes() if shape.key in marked_keys]
    return {
        "id": id,
        "mode": mode,
        "interactive": mode != "view",
        "input": input,
        "input_value": ",".join(key if marked_keys[key] is None else f"{key}@{marked_keys[key]}"
                                for key in dict.fromkeys(ordered)),
        "inputs": [(name, value) for name, value in (
            ("view-input", view_input), ("x-input", x_input), ("y-input", y_input),
            ("region-input", region_input), ("side-input", side_input),
            ("intensity-default-input", intensity_default_input)) if value],
        "viewbox": f"{x0} {y0} {width} {height}",
        "place_options": _place_options(language, mode == "place" and bool(layer)) if mode != "view" else "",
        "areas": _area_names() if mode != "view" else (),
        "layer": layer,
        "deep": _deep_list(language) if layer else (),
        "landmark_names": sorted({str(LANDMARK_NAMES[m.name]) for m in musclemap.landmarks()}) if layer else (),
        "width": width,
        "marked_list": [_marked_item(key, marked_keys[key], language) for key in dict.fromkeys(ordered)]
        if mode == "select" else (),
        "views": [_view_context(id, view, mode, marked_keys, essential_keys, spillover_keys, points, layer)
                  for view in bodymap.views()],
    }


@register.simple_tag
def body_map_assets():
    """The stylesheet and script, for pages whose base template does not load them already."""
    return format_html(
        '<link rel="stylesheet" href="{}"><script src="{}" defer></script>',
        static("anatomy/bodymap.css"), static("anatomy/bodymap.js"),
    )
