"""A clinician opens the outcomes page in real Chromium and sees its charts, with the numbers."""
import re

import pytest
from playwright.sync_api import expect

from analytics import synth
from conftest import log_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_outcomes_page_shows_charts_and_their_numbers(page, clinician):
    synth.synthesize(30, seed=2)
    log_in(page, "clinician")
    page.goto("/analytics/")
    expect(page.get_by_role("heading", name="Outcomes", level=1)).to_be_visible()
    expect(page.locator("svg[role=img].chart")).to_have_count(5)
    line = page.get_by_role("img", name=re.compile("by session number"))
    expect(line).to_be_visible()
    assert line.locator("circle").count() >= 3
    bars = page.locator('svg[data-chart="clinician"] rect')
    assert bars.count() >= 2 and bars.first.bounding_box()["width"] > 0
    section = page.locator("section", has=page.get_by_role("heading", name="Response by clinician"))
    section.get_by_text("The numbers").click()
    expect(section.get_by_role("table")).to_be_visible()
    expect(section.get_by_role("row")).not_to_have_count(1)

    page.get_by_label("Clinician", exact=True).select_option(index=1)
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"clinician=\d+"))
    expect(page.locator("svg[role=img].chart")).to_have_count(5)
