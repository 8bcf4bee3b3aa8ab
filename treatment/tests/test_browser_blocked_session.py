"""In real Chromium: the screen blocks a session for an amide-allergic patient, shows the running
anaesthetic total, and lets the clinician fix the plan and sign."""
import pytest
from playwright.sync_api import expect
from django.utils import timezone

from charting.models import TriggerPoint
from conftest import log_in
from patients.models import Allergy
from safety.models import ConsentRecord
from treatment.models import Course, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_blocked_session_and_its_fix(page, clinician, patient):
    Allergy.objects.create(patient=patient, substance="Lidocaine", anaesthetic_class="amide", reaction="Hives")
    TriggerPoint.objects.create(patient=patient, muscle="gluteus-medius", side="left", region="buttock.upper",
                                region_side="left", view="back", map_x=1, map_y=1, found_on=timezone.localdate())
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14)
    session = Session.objects.create(course=course, clinician=clinician)
    ConsentRecord.objects.create(session=session, form_version="t", language="es", recorded_by=clinician)
    Session.objects.filter(pk=session.pk).update(consent_recorded=True)

    log_in(page, "clinician")
    page.goto(f"/courses/sessions/{session.pk}/")
    page.get_by_label("Pain before (0-10)").fill("7")
    page.get_by_label("Pain after (0-10)").fill("2")
    page.get_by_role("button", name="Add injection").click()
    row = page.locator("#injections tbody tr.injection-row").first
    row.locator("select[name$='-trigger_point']").select_option(label="Gluteus medius, left")
    row.locator("input[name$='-volume_ml']").fill("5")
    row.locator("input[name$='-volume_ml']").dispatch_event("change")
    page.locator('#screen-findings li[data-rule="allergy"]').wait_for()
    expect(page.locator("#screen-findings")).to_contain_text("Blocks signing")
    expect(page.locator("#dose-total")).to_contain_text("50 mg")

    page.get_by_role("button", name="Save and sign").click()
    page.get_by_text("The risk screen blocks it").wait_for()
    assert not Session.objects.get(pk=session.pk).is_signed

    row = page.locator("#injections tbody tr.injection-row").first
    row.locator("select[name$='-agent']").select_option("chloroprocaine")
    row.locator("input[name$='-concentration_pct']").fill("2")
    row.locator("input[name$='-concentration_pct']").dispatch_event("change")
    page.locator('#screen-findings li[data-rule="allergy"]').wait_for(state="detached")
    expect(page.locator("#dose-total")).to_contain_text("100 mg")
    page.get_by_role("button", name="Save and sign").click()
    page.get_by_text("Session signed.").wait_for()
    signed = Session.objects.get(pk=session.pk)
    assert signed.is_signed and signed.cpt_codes == "20552"
