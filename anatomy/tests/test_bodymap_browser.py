"""bodymap.js in real Chromium: selecting regions, placing a point, keyboard use, several maps on a page."""
import json

import pytest
from django.template import Context, Template

from anatomy import bodymap

pytestmark = pytest.mark.browser

STATIC = bodymap.DATA_FILE.parent.parent / "static" / "anatomy"

PAGE = """{% load bodymap %}<!doctype html><html><head><meta charset="utf-8"><style>{{ css|safe }}</style></head><body>
<form id="select-form">
  <div id="box" data-mode="select" data-input="regions">
    {% body_map id="pick" marked=marked mode="select" %}
    <input type="hidden" name="regions" value="back.sacrum">
  </div>
</form>
<form id="place-form">
  <div data-view-input="view" data-x-input="map_x" data-y-input="map_y" data-region-input="region" data-side-input="region_side">
    {% body_map id="put" mode="place" %}
    <input type="hidden" name="view"><input type="hidden" name="map_x"><input type="hidden" name="map_y">
  </div>
  <select name="region" id="id_region"><option value=""></option><option value="neck.angle">Angle of neck</option>
    <option value="back.sacrum">Sacrum</option></select>
  <select name="region_side" id="id_region_side"><option value=""></option><option>left</option><option>right</option></select>
</form>
<script>
window.seen = [];
document.addEventListener("change", function (e) { seen.push(["change", e.target.name, e.target.value]); });
document.addEventListener("bodymap:change", function (e) { seen.push(["bodymap:change", e.target.id, e.detail.keys]); });
document.addEventListener("bodymap:place", function (e) { seen.push(["bodymap:place", e.target.id, e.detail]); });
</script>
<script>{{ js|safe }}</script></body></html>"""


@pytest.fixture
def map_page(browser):
    html = Template(PAGE).render(Context({
        "css": (STATIC / "bodymap.css").read_text(), "js": (STATIC / "bodymap.js").read_text(),
        "marked": ["back.sacrum"],
    }))
    context = browser.new_context(viewport={"width": 1200, "height": 1400})
    page = context.new_page()
    page.set_content(html)
    yield page
    context.close()


def seen(page):
    return json.loads(page.evaluate("JSON.stringify(window.seen.splice(0))"))


def test_clicking_a_region_toggles_it_on_both_views_and_fills_the_input(map_page):
    page = map_page
    side = '#pick path[data-key="neck.side:left"]'
    page.locator(f'{side}[data-view="front"]').click()
    assert page.locator(side).evaluate_all("ps => ps.map(p => [p.dataset.view, p.getAttribute('aria-checked'), p.classList.contains('marked')])") == [
        ["front", "true", True], ["back", "true", True]]
    assert page.locator('#box input[name="regions"]').input_value() == "back.sacrum,neck.side:left@5"
    assert seen(page) == [["change", "regions", "back.sacrum,neck.side:left@5"],
                          ["bodymap:change", "pick", ["back.sacrum", "neck.side:left"]]]

    page.locator('#pick path[data-key="back.sacrum"]').click()
    assert page.locator('#box input[name="regions"]').input_value() == "neck.side:left@5"
    assert page.locator('#pick path[data-key="back.sacrum"]').get_attribute("aria-checked") == "false"


def test_keyboard_toggles_the_focused_region(map_page):
    page = map_page
    region = page.locator('#pick path[data-key="chest.sternum"]')
    region.focus()
    page.keyboard.press("Space")
    assert region.get_attribute("aria-checked") == "true"
    page.keyboard.press("Enter")
    assert region.get_attribute("aria-checked") == "false"
    assert page.locator('#box input[name="regions"]').input_value() == "back.sacrum"


def test_clicking_in_place_mode_records_the_point_and_its_region(map_page):
    page = map_page
    page.locator('#put path[data-key="neck.angle:left"][data-view="back"]').click()
    assert page.locator("#id_region").input_value() == "neck.angle"
    assert page.locator("#id_region_side").input_value() == "left"
    view = page.locator('input[name="view"]').input_value()
    x = float(page.locator('input[name="map_x"]').input_value())
    y = float(page.locator('input[name="map_y"]').input_value())
    assert view == "back"
    assert bodymap.locate(view, x, y).key == "neck.angle:left"  # the server reads the click the same way
    assert page.locator("#put .place-marker").count() == 1
    events = seen(page)
    assert events[0][:2] == ["change", "region"]
    assert events[-1][:2] == ["bodymap:place", "put"]
    assert events[-1][2] | {"x": 0, "y": 0} == {"view": "back", "x": 0, "y": 0, "region": "neck.angle", "side": "left",
                                                 "key": "neck.angle:left"}
    # The selecting map on the same page is untouched.
    assert page.locator('#box input[name="regions"]').input_value() == "back.sacrum"


def test_enter_places_the_point_at_the_region_centre(map_page):
    page = map_page
    region = page.locator('#put path[data-key="back.sacrum"]')
    region.focus()
    page.keyboard.press("Enter")
    shape = bodymap.shapes_for("back.sacrum")[0]
    assert page.locator('input[name="map_x"]').input_value() == f"{shape.centroid_x:g}"
    assert page.locator('input[name="map_y"]').input_value() == f"{shape.centroid_y:g}"
    assert page.locator("#id_region").input_value() == "back.sacrum"
    assert page.locator("#id_region_side").input_value() == ""
    page.locator('#put path[data-key="neck.angle:left"][data-view="back"]').click()
    assert page.locator("#put .place-marker").count() == 1  # the marker moves, it does not multiply
