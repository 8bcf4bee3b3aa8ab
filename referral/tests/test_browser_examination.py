"""The examination in the loop in real Chromium: save a one-region drawing, record two findings on
a candidate muscle, watch it rise to the top, chart it in one click with its findings; axe-core
checks the page on the way."""
import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def serious_violations(page) -> list:
    results = Axe().run(page)
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")]


def order(panel) -> list[str]:
    return [item.get_attribute("data-muscle") for item in panel.locator("#candidates .candidate").all()]


def test_two_findings_change_the_ranking_and_chart_the_trigger_point(page, clinician, patient):
    from charting.models import TriggerPoint

    log_in(page, "clinician")
    page.goto(f"/patients/{patient.pk}/")
    panel = page.locator("#referral-panel")
    with page.expect_response(lambda r: "/referral/" in r.url and r.request.method == "POST"):
        panel.locator('path[data-key="shoulder.front:right"]').first.click()
    panel.get_by_role("button", name="Save pain drawing").click()
    page.get_by_text("Pain drawing saved.").wait_for()
    panel = page.locator("#referral-panel")
    assert "One region marked" in panel.locator("#ranking-note").inner_text()
    before = order(panel)
    muscle = before[1]
    candidate = panel.locator(f'#candidates .candidate[data-muscle="{muscle}"][data-side="right"]')
    candidate.locator("summary").click()

    for finding in ("spot-tenderness", "recognised-pain"):
        row = panel.locator(f'#candidates .candidate[data-muscle="{muscle}"] li[data-finding="{finding}"]')
        with page.expect_response(lambda r: "/examination/" in r.url and r.status == 200):
            row.get_by_role("button", name="present").click()
    page.wait_for_function(f'document.querySelector("#candidates .candidate").dataset.muscle === "{muscle}"')
    after = order(panel)
    assert after[0] == muscle and after[1] == before[0]
    pressed = panel.locator(f'#candidates .candidate[data-muscle="{muscle}"] li[data-finding="spot-tenderness"] '
                            'button[aria-pressed="true"]')
    assert pressed.inner_text() == "present"
    assert serious_violations(page) == []

    panel.get_by_role("button", name="Chart this trigger point with its findings").click()
    page.get_by_text("with its examination findings").wait_for()
    point = TriggerPoint.objects.get(patient=patient)
    assert (point.muscle, point.side) == (muscle, "right")
    assert set(point.examination_findings.values_list("finding", flat=True)) == {"spot-tenderness", "recognised-pain"}
    assert point.taut_band and point.activity == "active"
    assert serious_violations(page) == []
