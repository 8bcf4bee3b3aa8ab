"""Charting a trigger point where it is palpated: click a muscle on the map's muscle layer, in Chromium."""
import pytest

from anatomy import bodymap, musclemap
from charting.models import TriggerPoint
from conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def click_inside(page, selector, dx=0.0, dy=0.0):
    """Click a muscle outline at its centre (its bounding box's centre may fall off a slanted outline)."""
    point = page.evaluate("""([selector, dx, dy]) => {
        const el = document.querySelector(selector); el.scrollIntoView({block: "center"});
        const svg = el.ownerSVGElement, p = svg.createSVGPoint();
        p.x = parseFloat(el.dataset.cx) + dx; p.y = parseFloat(el.dataset.cy) + dy;
        const s = p.matrixTransform(svg.getScreenCTM()); return {x: s.x, y: s.y}; }""", [selector, dx, dy])
    page.mouse.click(point["x"], point["y"])


def test_clicking_a_muscle_charts_the_trigger_point_on_it(page, clinician, patient):
    log_in(page, "clinician")
    page.goto(f"/chart/{patient.pk}/trigger-points/new/")
    assert page.locator("#tp-map .muscle").count() > 50
    assert_accessible(page)

    muscle = '#tp-map path.muscle[data-key="infraspinatus:left"][data-view="back"]'
    click_inside(page, muscle, dx=1.5, dy=2)
    assert page.locator("#id_muscle").input_value() == "infraspinatus"
    assert page.locator("#id_side").input_value() == "left"
    assert page.locator("#id_view").input_value() == "back"
    x, y = float(page.locator("#id_map_x").input_value()), float(page.locator("#id_map_y").input_value())
    under = bodymap.locate("back", x, y)
    assert page.locator("#id_region").input_value() == under.region  # the region under the point, not the muscle's centre
    assert page.locator("#id_region_side").input_value() == (under.side or "")
    assert page.locator(f"{muscle}.chosen").count() == 1
    assert page.locator("#tp-map .bodymap-caption").inner_text() == "Infraspinatus, left"
    assert_accessible(page)

    page.get_by_role("button", name="Save trigger point").click()
    page.wait_for_url(f"**/patients/{patient.pk}/**")
    point = TriggerPoint.objects.get(patient=patient)
    assert (point.muscle, point.side, point.view) == ("infraspinatus", "left", "back")
    assert (point.region, point.region_side or None) == (under.region, under.side)
    assert (point.map_x, point.map_y) == (x, y)
    assert musclemap.locate("back", x, y).key == "infraspinatus:left"  # the point lies on the muscle clicked
    # the chart shows it as a marker on that muscle
    marker = page.locator("#chart-map svg[data-view='back'] circle.trigger-point")
    assert marker.count() == 1
    assert page.locator('#chart-map path.muscle[data-key="infraspinatus:left"][data-view="back"]').count() == 1


def test_search_charts_a_muscle_and_the_switch_hands_clicks_back_to_the_regions(page, clinician, patient):
    log_in(page, "clinician")
    page.goto(f"/chart/{patient.pk}/trigger-points/new/")
    find = page.locator("#tp-map-find")
    find.fill("Gluteus medius, right")
    find.press("Enter")
    assert page.locator("#id_muscle").input_value() == "gluteus-medius"
    assert page.locator("#id_side").input_value() == "right"
    assert page.locator("#id_region").input_value() in {"back.iliac-crest", "buttock.upper", "hip.lateral"}

    page.get_by_label("Show muscles").uncheck()  # regions only: a click charts the place, not a muscle
    assert not page.locator("#tp-map .muscle").first.is_visible()
    page.locator("#id_muscle").select_option("rhomboids")
    region = '#tp-map path.region[data-key="scapula.medial-border:left"][data-view="back"]'
    click_inside(page, region)
    assert page.locator("#id_region").input_value() == "scapula.medial-border"
    assert page.locator("#id_muscle").input_value() == "rhomboids"
    assert page.locator("#id_side").input_value() == "left"  # the side follows the place until chosen by hand
    page.get_by_label("Show muscles").check()
    page.locator("#id_muscle").select_option("infraspinatus")  # a muscle chosen from the list is outlined too
    assert page.locator('#tp-map path.muscle.chosen').evaluate_all("els => els.map(e => e.dataset.key)") == [
        "infraspinatus:left"]


def test_the_chart_highlights_the_ranked_muscles_and_the_one_in_focus(page, clinician, patient):
    log_in(page, "clinician")
    page.goto(f"/patients/{patient.pk}/")
    panel = page.locator("#referral-panel")
    for key in ["head.temple:left", "head.behind-ear:left", "neck.side:left"]:
        with page.expect_response(lambda r: "/referral/" in r.url and r.request.method == "POST"):
            panel.locator(f'path.region[data-key="{key}"]').first.click()  # clicks pass through the muscles
    ranked = panel.locator('path.muscle.ranked[data-key="upper-trapezius:left"]')
    ranked.first.wait_for(state="attached")
    assert panel.locator("path.muscle.ranked").count() >= 2
    assert panel.locator("path.muscle.muscle-focus").count() == 0
    first = panel.locator("#candidates .candidate").first
    assert first.get_attribute("data-muscle") == "upper-trapezius"
    first.locator(".show-zones").click()
    assert panel.locator('path.muscle.muscle-focus[data-key="upper-trapezius:left"]').count() == 1
    assert panel.locator("path.zone-essential").count() >= 3
    first.locator(".show-zones").click()  # pressed again: focus and zones cleared, the ranking stays
    assert panel.locator("path.muscle.muscle-focus").count() == 0
    assert panel.locator("path.muscle.ranked").count() >= 2
    assert_accessible(page)
