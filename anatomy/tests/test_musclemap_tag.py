"""`{% body_map layer="muscles" %}`: muscle outlines over the regions, landmarks with a legend, the switch."""
import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation

from anatomy import musclemap
from anatomy.templatetags.bodymap import LANDMARK_NAMES
from anatomy.tests.test_bodymap_tag import Markup


def render(mode="place", layer="muscles"):
    html = Template('{% load bodymap %}{% body_map id="m" mode=mode layer=layer %}').render(
        Context({"mode": mode, "layer": layer}))
    return html, Markup(html).elements


def muscles(elements):
    return [e for e in elements if e.get("class") == "muscle"]


def test_place_mode_draws_every_muscle_as_a_labelled_button_above_the_regions():
    html, elements = render("place")
    drawn = muscles(elements)
    assert len(drawn) == len(musclemap.muscles())
    deltoid = next(e for e in drawn if e["data-key"] == "deltoid:right" and e["data-view"] == "front")
    assert deltoid["role"] == "button" and deltoid["tabindex"] == "-1"
    assert deltoid["aria-label"] == "Deltoid, right"
    assert deltoid["data-region"] and deltoid["data-region-side"] == "right"
    front = html.split("</svg>")[0]
    assert front.index('class="muscle"') > front.rindex('class="region')  # drawn on top: takes the click
    assert 'id="m-show-muscles"' in html and "Show muscles" in html
    assert "Deltoid, right" in html.split('<datalist id="m-places">')[1].split("</datalist>")[0]


def test_view_mode_shows_the_layer_without_controls():
    html, elements = render("view")
    groups = [e for e in elements if e.get("class") == "muscles"]
    assert groups and all(g.get("aria-hidden") == "true" for g in groups)
    assert all("role" not in e and "tabindex" not in e for e in muscles(elements))
    assert "show-muscles" not in html


def test_landmarks_are_hidden_lines_named_in_the_legend():
    html, elements = render("view")
    assert all(e.get("aria-hidden") == "true" for e in elements if e.get("class") == "landmarks")
    assert sum(e.get("class") == "landmark" for e in elements) >= len(musclemap.landmarks())
    legend = html.split('class="bodymap-legend')[1]
    for name in ("Spine of scapula", "Iliac crest", "Clavicle", "Greater trochanter"):
        assert name in legend
    assert {mark.name for mark in musclemap.landmarks()} <= set(LANDMARK_NAMES)
    assert "Rhomboid major and minor" in html.split('class="bodymap-deep')[1]


def test_without_the_layer_nothing_is_drawn():
    html, elements = render("place", "")
    assert not muscles(elements) and "landmark" not in html and "show-muscles" not in html


def test_an_unknown_layer_is_refused():
    with pytest.raises(TemplateSyntaxError):
        render("view", "nerves")


def test_labels_follow_the_language():
    with translation.override("es"):
        html, _ = render("place")
    assert "Show muscles" not in html and "Clavicle" not in html
