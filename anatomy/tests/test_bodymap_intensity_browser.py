"""Pain intensity per place on the pain-drawing map, in Chromium: by keyboard alone (number keys and
the slider, within the map's one Tab stop) and by touch on a 390x844 phone; axe-core checks the open panel."""
import pytest

from anatomy.tests.test_bodymap_navigation_browser import focused
from conftest import assert_accessible

pytestmark = pytest.mark.browser


def regions(page):
    return page.locator('#pick input[name="regions"], form:first-of-type input[name="regions"]').first.input_value()


def shown_number(page, key):
    return page.evaluate("""key => Array.from(document.querySelectorAll('#pick .region-intensity'))
        .filter(g => g.getAttribute('data-key') === key).map(g => g.textContent)""", key)


def test_keyboard_alone_marks_a_place_and_sets_its_intensity_with_number_keys_and_the_slider(desktop):
    page = desktop
    page.locator("#pick .bodymap-zoom-reset").focus()
    page.keyboard.press("Tab")  # the map's one Tab stop
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    key = focused(page)["key"]
    page.keyboard.press("Enter")
    assert regions(page) == f"{key}@5"
    panel = page.locator("#pick .bodymap-intensity")
    assert panel.is_visible() and panel.locator("input[type=range]").input_value() == "5"

    page.keyboard.press("7")  # focus stays on the place: a number key grades it
    assert focused(page)["key"] == key
    assert regions(page) == f"{key}@7"
    assert shown_number(page, key) and set(shown_number(page, key)) == {"7"}  # a number, not colour alone
    region = page.locator(f'#pick path[data-key="{key}"]').first
    assert region.get_attribute("aria-label").endswith(", pain 7 of 10")
    assert "pain 7 of 10" in page.locator("#pick .bodymap-marked-list").inner_text()

    page.keyboard.press("1")
    page.keyboard.press("0")  # 1 then 0 is 10
    assert regions(page) == f"{key}@10"

    page.keyboard.press("Tab")  # from the place to its slider
    assert page.evaluate("document.activeElement.classList.contains('bodymap-intensity-input')")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert regions(page) == f"{key}@8" and panel.locator("output").inner_text() == "8"
    page.keyboard.press("Escape")  # back to the place in the map
    assert focused(page)["key"] == key and not panel.is_visible()

    page.keyboard.press("ArrowRight")
    other = focused(page)["key"]
    page.keyboard.press("3")  # a number key on an unmarked place marks it at that intensity
    assert regions(page) == f"{key}@8,{other}@3"
    page.keyboard.press("Enter")  # and Enter still unmarks
    assert regions(page) == f"{key}@8"


def test_on_a_phone_a_tapped_place_is_graded_with_the_slider(phone):
    page = phone
    sacrum = page.locator('#pick path[data-key="back.sacrum"]')
    # A phone's whole-body view offers body areas first (places there are under 24 px): open the sacrum's.
    page.locator(f'#pick .area[data-view="back"][data-area="{sacrum.get_attribute("data-group")}"]').tap()
    sacrum.scroll_into_view_if_needed()
    box = sacrum.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert regions(page) == "back.sacrum@5"

    panel = page.locator("#pick .bodymap-intensity")
    assert panel.is_visible()
    slider = panel.locator("input[type=range]")
    for control in (slider, panel.locator(".bodymap-intensity-done")):
        size = control.bounding_box()
        assert size["width"] >= 24 and size["height"] >= 24  # WCAG 2.5.8 target size
    track = slider.bounding_box()
    page.touchscreen.tap(track["x"] + track["width"] - 3, track["y"] + track["height"] / 2)
    assert slider.input_value() == "10"
    assert regions(page) == "back.sacrum@10"
    assert set(shown_number(page, "back.sacrum")) == {"10"}
    assert "pain 10 of 10" in page.locator("#pick .bodymap-marked-list").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)

    change = page.locator("#pick .bodymap-intensity-edit").first  # the list reopens a place's slider
    panel.locator(".bodymap-intensity-done").tap()
    assert not panel.is_visible()
    change.tap()
    assert panel.is_visible() and slider.input_value() == "10"
