"""The foundation's walk-through in real Chromium: chart a trigger point on the body map,
record a session with two injections, sign it, and read the next due date and response."""
from datetime import timedelta

import pytest
from django.utils import timezone

from charting.models import TriggerPoint
from conftest import log_in
from treatment.models import Course, Session
from tpclinic import dates

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chart_record_and_sign_a_session(page, clinician, patient):
    TriggerPoint.objects.create(patient=patient, muscle="infraspinatus", side="left", region="scapula.body",
                                region_side="left", view="back", map_x=150, map_y=150,
                                found_on=timezone.localdate())
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14, diagnosis_code="M79.12")

    log_in(page, "clinician")
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("link", name="Chart a trigger point").click()
    page.get_by_label("Show muscles").uncheck()  # place by region alone, under the muscle layer
    region = page.locator('#place-map path[data-key="neck.angle:left"][data-view="back"]').first
    region.click()
    assert page.locator("#id_region").input_value() == "neck.angle"
    assert page.locator("#id_region_side").input_value() == "left"
    page.locator("#id_muscle").select_option("upper-trapezius")
    page.get_by_label("Taut band").check()
    page.get_by_role("button", name="Save trigger point").click()
    page.get_by_text("Charted Trapezius (upper fibres), left").wait_for()
    charted = TriggerPoint.objects.get(muscle="upper-trapezius")
    assert (charted.region, charted.region_side, charted.view, charted.taut_band) == ("neck.angle", "left", "back", True)

    page.goto(f"/courses/{course.pk}/")
    page.get_by_role("button", name="Record a session").click()
    page.get_by_label("Pain before (0-10)").fill("8")
    page.get_by_label("Pain after (0-10)").fill("3")
    page.get_by_role("button", name="Add injection").click()
    page.get_by_role("button", name="Add injection").click()
    rows = page.locator("#injections tbody tr.injection-row")
    assert rows.count() == 2
    rows.nth(0).locator("select[name$='-trigger_point']").select_option(label="Trapezius (upper fibres), left")
    rows.nth(0).locator("input[name$='-volume_ml']").fill("1.5")
    rows.nth(1).locator("select[name$='-trigger_point']").select_option(label="Infraspinatus, left")
    rows.nth(1).locator("select[name$='-agent']").select_option("bupivacaine")
    rows.nth(1).locator("input[name$='-concentration_pct']").fill("0.25")
    # Consent mid-form, before any save: what was typed is saved with it, nothing is lost.
    page.locator("details.consent-preview summary").click()
    page.get_by_text("neumotórax", exact=False).first.wait_for()
    page.get_by_role("button", name="The patient consents: save and record it").click()
    page.get_by_text("Draft saved and consent recorded.").wait_for()
    assert page.get_by_label("Pain before (0-10)").input_value() == "8"
    assert page.locator("#injections tbody tr.injection-row").count() == 2
    page.get_by_role("button", name="Save and sign").click()

    page.get_by_text("Session signed.").wait_for()
    session = Session.objects.get()
    assert session.is_signed and session.injections.count() == 2
    due = dates.long_date(timezone.localtime(session.performed_at).date() + timedelta(days=14))
    assert due in page.locator("#next-due").inner_text()
    assert "Too early to judge" in page.locator("#response-status").inner_text()
