"""The pain drawing in real Chromium: mark regions, watch the ranking update, shade a candidate's
zones, and chart its trigger point in one step."""
import pytest

from conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_mark_pain_rank_shade_and_chart(page, clinician, patient):
    log_in(page, "clinician")
    page.goto(f"/patients/{patient.pk}/")
    panel = page.locator("#referral-panel")
    for key in ["head.temple:left", "head.behind-ear:left", "neck.side:left"]:
        with page.expect_response(lambda r: "/referral/" in r.url and r.request.method == "POST"):
            panel.locator(f'path[data-key="{key}"]').first.click()
    first = panel.locator("#candidates .candidate").first
    assert first.get_attribute("data-muscle") == "upper-trapezius"
    assert first.get_attribute("data-side") == "left"
    assert panel.locator('path[data-key="neck.side:left"].marked').count() >= 1
    assert panel.locator('input[name="regions"]').input_value() == "head.temple:left@5,head.behind-ear:left@5,neck.side:left@5"
    with page.expect_response(lambda r: "/referral/" in r.url and r.request.method == "POST"):
        panel.locator('path[data-key="neck.side:left"]').first.focus()
        page.keyboard.press("8")  # the place in focus is graded; the ranking is asked again
    assert panel.locator('input[name="regions"]').input_value().endswith("neck.side:left@8")
    assert_accessible(page)

    first.locator(".show-zones").click()
    assert panel.locator('path.zone-essential[data-key="head.temple:left"]').count() >= 1
    assert panel.locator("path.zone-essential").count() >= 3
    assert first.locator(".show-zones").get_attribute("aria-pressed") == "true"

    panel.get_by_role("button", name="Save pain drawing").click()
    page.get_by_text("Pain drawing saved.").wait_for()
    assert sorted(patient.pain_drawings.get().mark_codes) == ["head.behind-ear:left@5", "head.temple:left@5", "neck.side:left@8"]
    assert "pain 8 of 10" in page.locator("#refer-map .bodymap-marked-list").inner_text()  # the saved drawing, again

    page.locator("#candidates .candidate").first.get_by_role("link", name="Chart a trigger point here").click()
    assert page.locator("#id_muscle").input_value() == "upper-trapezius"
    assert page.locator("#id_side").input_value() == "left"
