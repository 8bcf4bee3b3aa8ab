"""The {% body_map %} tag's markup: every place clickable, marked and zone states, points, orientation."""
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.template import Context, Template, TemplateSyntaxError

from anatomy import bodymap, vocabulary
from anatomy.vocabulary import Place


class Markup(HTMLParser):
    """Collects the SVG elements we care about, with their attributes and text."""

    def __init__(self, html):
        super().__init__()
        self.elements = []
        self._open = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, **dict(attrs), "text": ""}
        self.elements.append(element)
        self._open.append(element)

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for element in self._open[-2:]:  # a <title> and the element it names
            element["text"] += data

    def find(self, tag, **wanted):
        return [e for e in self.elements if e["tag"] == tag and all(e.get(k) == v for k, v in wanted.items())]


def render(arguments="", **context):
    return Template("{% load bodymap %}{% body_map " + arguments + " %}").render(Context(context))


def test_every_place_is_a_path_with_its_key_and_label():
    page = Markup(render('id="map" mode="select"'))
    paths = page.find("path")
    keys = Counter(p["data-key"] for p in paths)
    assert set(keys) == {str(place) for place in vocabulary.all_places()}
    assert len(keys) == len(vocabulary.all_places())
    both = {r.code for r in vocabulary.regions().values() if r.view == "both"}
    for key, count in keys.items():
        assert count == (2 if key.split(":")[0] in both else 1), key
    assert len(paths) == len(bodymap.all_shapes())

    angle = page.find("path", **{"data-key": "neck.angle:left"})[0]
    assert angle["class"] == "region"
    assert (angle["data-region"], angle["data-side"], angle["data-view"]) == ("neck.angle", "left", "back")
    assert (angle["tabindex"], angle["role"], angle["aria-checked"]) == ("-1", "checkbox", "false")
    # One Tab stop for the whole map: the first region of the first view; arrows reach the rest.
    stops = [p for p in paths if p.get("tabindex") == "0"]
    assert len(stops) == 1 and stops[0] is paths[0]
    assert angle["aria-label"] == "Angle of neck, left"
    assert angle["text"] == "Angle of neck, left"  # the <title>
    assert {"data-cx", "data-cy", "d"} <= set(angle)
    sacrum = page.find("path", **{"data-key": "back.sacrum"})[0]
    assert (sacrum["data-side"], sacrum["aria-label"]) == ("", "Sacrum")


def test_views_are_labelled_groups_with_orientation_markers():
    page = Markup(render('id="map"'))
    svgs = page.find("svg")
    assert [(s["role"], s["aria-label"], s["data-view"]) for s in svgs] == [
        ("group", "Front of body", "front"), ("group", "Back of body", "back")]
    assert all(s["viewbox"] == "0 0 240 520" for s in svgs)
    names = [e["text"] for e in page.find("text", **{"class": "view-name"})]
    markers = [e["text"] for e in page.find("text", **{"class": "side-marker"})]
    assert names == ["Front", "Back"]
    assert markers == ["R", "L", "L", "R"]  # front: patient's right on the left; back: patient's left


def test_marked_and_zone_keys_get_their_classes():
    html = render('id="m" marked=marked essential=essential spillover="head.temple:left, neck.side:left" mode="select"',
                  marked=[Place("neck.angle", "left"), "back.sacrum"], essential="neck.side:left")
    page = Markup(html)
    angle = page.find("path", **{"data-key": "neck.angle:left"})[0]
    assert angle["class"] == "region marked" and angle["aria-checked"] == "true"
    assert page.find("path", **{"data-key": "back.sacrum"})[0]["class"] == "region marked"
    sides = page.find("path", **{"data-key": "neck.side:left"})
    assert [s["class"] for s in sides] == ["region zone-essential"] * 2  # essential wins over spillover
    temples = page.find("path", **{"data-key": "head.temple:left"})
    assert [t["class"] for t in temples] == ["region zone-spillover"] * 2
    assert page.find("path", **{"data-key": "neck.front:left"})[0]["class"] == "region"
    assert page.find("input", type="hidden") == []  # the page supplies its own input unless one is asked for
    assert all("name" not in i for i in page.find("input"))  # the search box is never submitted


def test_a_named_input_holds_the_marked_keys():
    page = Markup(render('id="m" marked=marked mode="select" input="regions"', marked=["back.sacrum", "neck.angle:left"]))
    container = page.find("div", **{"class": "bodymap"})[0]
    assert (container["id"], container["data-mode"], container["data-input"]) == ("m", "select", "regions")
    field = page.find("input", name="regions")[0]
    assert field["type"] == "hidden"
    assert set(field["value"].split(",")) == {"back.sacrum", "neck.angle:left"}


def test_place_mode_regions_are_buttons_and_inputs_are_named():
    page = Markup(render('id="p" mode="place" view_input="view" x_input="map_x" y_input="map_y" '
                         'region_input="region" side_input="region_side"'))
    container = page.find("div", **{"class": "bodymap"})[0]
    assert container["data-mode"] == "place"
    assert (container["data-view-input"], container["data-x-input"], container["data-y-input"]) == ("view", "map_x", "map_y")
    assert (container["data-region-input"], container["data-side-input"]) == ("region", "region_side")
    path = page.find("path", **{"data-key": "neck.angle:left"})[0]
    assert path["role"] == "button" and "aria-checked" not in path


def test_interactive_maps_offer_search_and_zoom_with_every_place_by_name():
    page = Markup(render('id="s" mode="select"'))
    search = page.find("input", type="search")[0]
    assert search["id"] == "s-find" and search["list"] == "s-places"
    assert page.find("label", **{"for": "s-find"})
    names = {o["value"] for o in page.find("option")}
    assert len(names) == len(vocabulary.all_places())
    assert {"Angle of neck, left", "Sacrum"} <= names
    assert [b["class"] for b in page.find("button")] == [
        "bodymap-zoom-in", "bodymap-zoom-out", "bodymap-zoom-reset", "bodymap-back", "bodymap-intensity-done"]
    slider = page.find("input", type="range")[0]  # the intensity panel's slider, labelled, 0-10
    assert (slider["min"], slider["max"], slider["step"]) == ("0", "10", "1")
    assert page.find("label", **{"for": slider["id"]})


def test_marked_places_keep_their_intensity_on_the_map_in_the_list_and_in_the_input():
    html = render('id="m" mode="select" input="regions" marked=marked',
                  marked=["neck.angle:left@7", "head.temple:right", "no.such-place@3", "back.sacrum@²"])
    page = Markup(html)
    # in the map's order; an unknown place is dropped and a bad level is not shown (forms refuse both)
    assert page.find("input", name="regions")[0]["value"] == "head.temple:right,neck.angle:left@7,back.sacrum"
    graded = [p for p in page.find("path") if p.get("data-key") == "neck.angle:left"]
    assert graded and all(p["aria-checked"] == "true" and p["aria-label"] == "Angle of neck, left, pain 7 of 10"
                          for p in graded)
    plain = [p for p in page.find("path") if p.get("data-key") == "head.temple:right"]
    assert all(p["aria-label"] == "Temple, right" for p in plain)
    numbers = [g for g in page.find("g") if g.get("class") == "region-intensity"]
    assert {g["data-key"] for g in numbers} == {"neck.angle:left"}  # a number on the map, not colour alone
    assert "Angle of neck, left: pain 7 of 10" in html
    assert not [g for g in Markup(render('id="v" mode="view" marked=marked', marked=["neck.angle:left@7"])).find("g")
                if g.get("class") == "region-intensity"]


def test_view_mode_is_not_focusable():
    markup = Markup(render('id="v"'))
    assert markup.find("input") == [] and markup.find("button") == []  # a chart shows no tools
    path = markup.find("path", **{"data-key": "neck.angle:left"})[0]
    assert "tabindex" not in path and "role" not in path
    assert path["text"] == "Angle of neck, left"


def test_points_are_numbered_circles_on_their_view():
    class Point:
        id, view, x, y, label = 7, "front", 104.04, 200, "Rectus abdominis, right"

    points = [{"id": 1, "view": "back", "x": 92, "y": 103, "label": "Upper trapezius, left", "number": 3},
              Point(), {"id": 2, "view": "back", "x": 150, "y": 140, "label": "Infraspinatus", "resolved": True}]
    page = Markup(render('id="m" points=points', points=points))
    circles = [c for c in page.find("circle") if "trigger-point" in c.get("class", "")]
    assert [(c["data-point-id"], c["cx"], c["cy"]) for c in circles] == [("7", "104", "200"), ("1", "92", "103"),
                                                                      ("2", "150", "140")]
    assert circles[0]["class"] == "trigger-point" and circles[2]["class"] == "trigger-point resolved"
    assert circles[1]["text"] == "3. Upper trapezius, left"
    numbers = [t["text"] for t in page.find("text", **{"class": "trigger-point-number"})]
    assert numbers == ["2", "3", "3"]  # the given number, else the position in the list


def test_unknown_mode_is_refused():
    with pytest.raises(TemplateSyntaxError, match="mode"):
        render('mode="draw"')


def test_assets_tag_links_the_stylesheet_and_script():
    html = Template("{% load bodymap %}{% body_map_assets %}").render(Context())
    assert "anatomy/bodymap.css" in html and "anatomy/bodymap.js" in html and "defer" in html
