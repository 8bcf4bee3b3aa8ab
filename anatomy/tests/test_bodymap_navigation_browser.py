"""Reaching every region at every size: one Tab stop and arrow keys, search, zoom and pan, in Chromium."""
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.template import Context, Template

from anatomy import bodymap

pytestmark = pytest.mark.browser

STATIC = bodymap.DATA_FILE.parent.parent / "static" / "anatomy"

PAGE = """{% load bodymap %}<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Body map</title>
<style>body { font-family: system-ui, sans-serif; margin: 8px; } {{ css|safe }}</style></head><body><main>
<h1>Pain drawing</h1>
<form><button type="button" id="before">Before the map</button>
  <div data-mode="select" data-input="regions">{% body_map id="pick" mode="select" %}
    <input type="hidden" name="regions" value=""></div>
  <button type="button" id="after">After the map</button>
</form>
<form><div data-view-input="view" data-x-input="map_x" data-y-input="map_y" data-region-input="region" data-side-input="side">
  {% body_map id="put" mode="place" %}
  <input type="hidden" name="view"><input type="hidden" name="map_x"><input type="hidden" name="map_y">
  <input type="hidden" name="region"><input type="hidden" name="side"></div></form>
</main><script>{{ js|safe }}</script></body></html>"""


def open_page(browser, **context_options):
    html = Template(PAGE).render(Context({
        "css": (STATIC / "bodymap.css").read_text(), "js": (STATIC / "bodymap.js").read_text()}))
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.set_content(html)
    return context, page


def focused(page):
    return page.evaluate("""() => { const e = document.activeElement;
        return {id: e.id, key: e.getAttribute('data-key'), view: e.getAttribute('data-view'),
                map: e.closest('.bodymap') ? e.closest('.bodymap').id : null,
                cx: parseFloat(e.getAttribute('data-cx')), cy: parseFloat(e.getAttribute('data-cy'))}; }""")


def test_the_map_is_one_tab_stop_and_the_arrow_keys_move_between_neighbours(desktop):
    page = desktop
    page.locator("#pick .bodymap-zoom-reset").focus()
    page.keyboard.press("Tab")
    start = focused(page)
    assert start["map"] == "pick" and start["key"]  # into the map: one region
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "after"  # and straight out again: 213 regions are not 213 stops

    page.keyboard.press("Shift+Tab")
    assert focused(page)["key"] == start["key"]
    heights = [start["cy"]]
    for _ in range(6):  # down the body, one neighbour at a time
        page.keyboard.press("ArrowDown")
        heights.append(focused(page)["cy"])
    assert heights == sorted(heights) and len(set(heights)) == len(heights)

    page.keyboard.press("Enter")  # the region reached is marked, in the form's field too
    reached = focused(page)["key"]
    assert page.locator('input[name="regions"]').input_value() == f"{reached}@5"  # at the default intensity
    assert page.locator(f'#pick path[data-key="{reached}"]').first.get_attribute("aria-checked") == "true"
    label = page.locator(f'#pick path[data-key="{reached}"]').first.get_attribute("aria-label")
    assert page.locator("#pick .bodymap-caption").inner_text() == label  # its name is shown, not only on hover

    page.keyboard.press("Tab")  # the region last used is the map's Tab stop from now on
    page.keyboard.press("Shift+Tab")
    assert focused(page)["key"] == reached


def test_right_arrow_at_the_edge_of_the_front_view_crosses_to_the_back(desktop):
    page = desktop
    page.locator('#pick path[data-key="forearm.radial:left"][data-view="front"]').first.focus()
    views = []
    for _ in range(8):
        page.keyboard.press("ArrowRight")
        views.append(focused(page)["view"])
    assert "back" in views


def test_a_place_found_by_name_is_marked_or_pointed_as_a_click_would(desktop):
    page = desktop
    search = page.get_by_label("Find a place").first
    search.fill("Sacrum")
    search.press("Enter")
    assert page.locator('input[name="regions"]').input_value() == "back.sacrum@5"
    assert search.input_value() == ""  # ready for the next name; the form was not submitted

    place_search = page.locator("#put-find")
    place_search.fill("Angle of neck, left")
    place_search.press("Enter")
    assert page.locator('input[name="region"]').input_value() == "neck.angle"
    assert page.locator('input[name="side"]').input_value() == "left"
    assert page.locator("#put .place-marker").count() == 1


def test_on_a_phone_zoom_in_pan_and_tap_a_small_region(phone):
    page = phone
    teeth = page.locator('#pick path[data-key="face.lower-teeth:left"]')
    before = teeth.bounding_box()
    assert before["height"] < 24  # too small to tap at the size the page opens with

    for _ in range(3):
        page.locator("#pick .bodymap-zoom-in").tap()
    front = page.locator('#pick svg[data-view="front"]')
    frame = front.bounding_box()

    def centre_of_teeth():
        box = teeth.bounding_box()
        return box, (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    for _ in range(6):  # drag the zoomed front view down until the face is in sight
        box, centre = centre_of_teeth()
        if frame["y"] + 10 <= centre[1] <= frame["y"] + frame["height"] - 10:
            break
        page.mouse.move(frame["x"] + frame["width"] / 2, frame["y"] + 10)
        page.mouse.down()
        page.mouse.move(frame["x"] + frame["width"] / 2, frame["y"] + frame["height"] - 10, steps=8)
        page.mouse.up()
    assert page.locator('input[name="regions"]').input_value() == ""  # dragging marked nothing

    box, centre = centre_of_teeth()
    assert box["width"] >= 24 and box["height"] >= 24
    assert frame["x"] <= centre[0] <= frame["x"] + frame["width"]
    assert frame["y"] <= centre[1] <= frame["y"] + frame["height"]
    page.touchscreen.tap(*centre)
    assert page.locator('input[name="regions"]').input_value() == "face.lower-teeth:left@5"
    assert page.locator("#pick .bodymap-caption").inner_text() == teeth.get_attribute("aria-label")

    page.locator("#pick .bodymap-zoom-reset").tap()
    assert front.get_attribute("viewBox") == "0 0 240 520"


@pytest.mark.parametrize("size", [{"width": 1280, "height": 1000}, {"width": 390, "height": 844}])
def test_no_serious_accessibility_violation(browser, size):
    context, page = open_page(browser, viewport=size)
    try:
        results = Axe().run(page)
        serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == []
    finally:
        context.close()


def hit_targets(page, map_id):
    """The elements of a map that take a tap now (pointer-events not none, drawn), with their sizes."""
    return page.evaluate("""(id) => Array.from(document.querySelectorAll(
            `#${id} .region, #${id} .muscle, #${id} .area`)).filter((e) => {
        const r = e.getBoundingClientRect();
        return getComputedStyle(e).pointerEvents !== 'none' && r.width > 0 && r.height > 0;
    }).map((e) => { const r = e.getBoundingClientRect();
        return {label: e.getAttribute('aria-label'), width: r.width, height: r.height}; })""", map_id)


def test_on_a_phone_the_map_opens_with_body_areas_of_at_least_24_px(phone):
    page = phone
    targets = hit_targets(page, "pick")
    assert len(targets) >= 20  # the body areas of both views
    small = [(t["label"], round(t["width"]), round(t["height"])) for t in targets if t["width"] < 24 or t["height"] < 24]
    assert small == [], small
    assert hit_targets(page, "put") and all(t["width"] >= 24 and t["height"] >= 24 for t in hit_targets(page, "put"))

    face = page.locator('#pick .area[data-area="face"][data-side="left"][data-view="front"]')
    face.tap()
    assert page.locator("#pick .bodymap-back").is_visible()
    teeth = page.locator('#pick path[data-key="face.lower-teeth:left"][data-view="front"]')
    box = teeth.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    assert page.locator('#pick svg[data-view="back"]').is_hidden()  # the opened view alone
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.locator('input[name="regions"]').input_value() == "face.lower-teeth:left@5"
    assert page.locator("#pick .bodymap-intensity").is_visible()

    page.locator("#pick .bodymap-back").tap()
    assert page.locator('#pick svg[data-view="front"]').get_attribute("viewBox") == "0 0 240 520"
    assert page.locator('#pick svg[data-view="back"]').is_visible()
    assert all(t["width"] >= 24 and t["height"] >= 24 for t in hit_targets(page, "pick"))
    assert page.locator('#pick path.marked[data-key="face.lower-teeth:left"]').count() >= 1

    results = Axe().run(page)
    assert [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")] == []


def test_on_a_phone_the_keyboard_opens_an_area_and_reaches_its_places(phone):
    page = phone
    page.locator("#pick .bodymap-zoom-reset").focus()
    page.keyboard.press("Tab")
    first = page.evaluate("document.activeElement.getAttribute('class')")
    assert first == "area"  # one Tab stop, on an area
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.classList.contains('region')")  # inside the area now
    page.keyboard.press("Enter")
    assert page.locator('input[name="regions"]').input_value().endswith("@5")


def test_where_the_drawing_has_room_the_places_are_the_targets_at_once(desktop):
    targets = hit_targets(desktop, "pick")
    assert desktop.locator("#pick.bm-areas").count() == 0
    assert targets and all(t["label"] and not t["label"].startswith("Zoom in on") for t in targets)
    assert desktop.locator("#pick .bodymap-back").is_hidden()
