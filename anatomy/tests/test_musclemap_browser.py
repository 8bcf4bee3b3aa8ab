"""The muscle layer in Chromium: keyboard and search reach the muscles, the switch, targets on a phone."""
import pytest
from django.template import Context, Template

from anatomy.tests.test_bodymap_navigation_browser import STATIC, focused
from conftest import assert_accessible

pytestmark = pytest.mark.browser

PAGE = """{% load bodymap %}<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Muscle map</title>
<style>body { font-family: system-ui, sans-serif; margin: 8px; } {{ css|safe }}</style></head><body><main>
<h1>Chart a trigger point</h1>
<form><div data-view-input="view" data-x-input="map_x" data-y-input="map_y" data-region-input="region"
     data-side-input="region_side" data-muscle-input="muscle" data-muscle-side-input="side">
  {% body_map id="put" mode="place" layer="muscles" %}
  {% for name in names %}<label>{{ name }} <input name="{{ name }}"></label>{% endfor %}</div></form>
</main><script>{{ js|safe }}</script></body></html>"""


def screen_centre(page):
    return page.evaluate("""() => { const m = document.querySelector('#put path.muscle[data-key="scm-sternal:right"]');
        const svg = m.ownerSVGElement, p = svg.createSVGPoint(); p.x = +m.dataset.cx; p.y = +m.dataset.cy;
        const s = p.matrixTransform(svg.getScreenCTM()); return {x: s.x, y: s.y}; }""")


@pytest.fixture
def muscle_page(browser):
    def open_page(**options):
        html = Template(PAGE).render(Context({
            "css": (STATIC / "bodymap.css").read_text(), "js": (STATIC / "bodymap.js").read_text(),
            "names": ["view", "map_x", "map_y", "region", "region_side", "muscle", "side"]}))
        context = browser.new_context(**options)
        opened.append(context)
        page = context.new_page()
        page.set_content(html)
        return page
    opened = []
    yield open_page
    for context in opened:
        context.close()


def value(page, name):
    return page.locator(f'input[name="{name}"]').input_value()


def test_arrow_keys_reach_muscles_and_enter_charts_the_one_in_focus(muscle_page):
    page = muscle_page(viewport={"width": 1280, "height": 1400})
    page.locator('#put path.muscle[data-key="deltoid:right"][data-view="front"]').focus()
    seen = set()
    for _ in range(4):
        page.keyboard.press("ArrowDown")
        seen.add(page.evaluate("document.activeElement.getAttribute('class')"))
    assert "muscle" in seen  # muscles are neighbours like the regions
    page.keyboard.press("Enter")
    now = focused(page)
    if page.evaluate("document.activeElement.classList.contains('muscle')"):
        assert value(page, "muscle") and value(page, "side") in {"left", "right"}
    assert value(page, "view") == now["view"]
    assert (float(value(page, "map_x")), float(value(page, "map_y"))) == (now["cx"], now["cy"])
    assert page.locator("#put .bodymap-caption").inner_text() != ""


def test_switching_the_layer_off_hides_it_and_gives_the_tab_stop_back_to_a_region(muscle_page):
    page = muscle_page(viewport={"width": 1280, "height": 1400})
    page.locator("#put-find").fill("Biceps brachii, left")
    page.locator("#put-find").press("Enter")
    assert (value(page, "muscle"), value(page, "side")) == ("biceps-brachii", "left")
    assert value(page, "region").startswith("arm.")
    page.get_by_label("Show muscles").uncheck()
    assert page.locator('#put .muscle[tabindex="0"]').count() == 0
    assert page.locator('#put .region[tabindex="0"]').count() == 1
    assert not page.locator("#put .landmark").first.is_visible()
    page.get_by_label("Show muscles").check()
    assert page.locator("#put .muscle").first.is_visible()


def test_on_a_phone_a_zoomed_muscle_is_a_target_of_at_least_24_px(muscle_page):
    page = muscle_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    assert_accessible(page)
    for _ in range(3):  # the neck's narrow muscles need a closer look than the regions
        page.locator("#put .bodymap-zoom-in").click()
    target = page.locator('#put path.muscle[data-key="scm-sternal:right"][data-view="front"]')
    svg = page.locator('#put svg[data-view="front"]')
    svg.scroll_into_view_if_needed()
    centre_x = svg.bounding_box()["x"] + svg.bounding_box()["width"] / 2
    centre_y = page.evaluate("innerHeight") / 2
    point = screen_centre(page)
    page.mouse.move(centre_x, centre_y)  # drag the zoomed view until the muscle is in the middle
    page.mouse.down()
    page.mouse.move(centre_x + (centre_x - point["x"]) / 2, centre_y + (centre_y - point["y"]) / 2, steps=4)
    page.mouse.move(2 * centre_x - point["x"], 2 * centre_y - point["y"], steps=4)
    page.mouse.up()
    box = target.bounding_box()
    assert min(box["width"], box["height"]) >= 24
    point = screen_centre(page)
    page.touchscreen.tap(point["x"], point["y"])
    assert (value(page, "muscle"), value(page, "side")) == ("scm-sternal", "right")
    assert page.locator("#put .bodymap-caption").inner_text() == "Sternocleidomastoid (sternal division), right"


def test_on_a_phone_every_map_control_is_a_target_of_at_least_24_px(muscle_page):
    """WCAG 2.5.8: the search box, zoom buttons, the layer switch and the deeper-muscle list."""
    page = muscle_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    controls = page.locator("#put .bodymap-tools input, #put .bodymap-tools button, #put .bodymap-deep summary")
    assert controls.count() == 6
    for index in range(controls.count()):
        box = controls.nth(index).bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, controls.nth(index).evaluate("e => e.outerHTML.slice(0, 80)")
