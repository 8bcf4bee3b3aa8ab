"""The procedure note in real Chromium: a signed session shows its note, "Copy note" puts the note
(with its amendments) on the clipboard, and the plain-text link serves the same text."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from audit.models import Amendment
from charting.models import TriggerPoint
from conftest import assert_accessible, log_in
from safety import consent as consent_text
from treatment import note, signing, workflow
from treatment.models import Course, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_read_and_copy_the_note_of_a_signed_session(page, live_server, clinician, patient):
    point = TriggerPoint.objects.create(patient=patient, muscle="infraspinatus", side="left", region="scapula.body",
                                        region_side="left", view="back", map_x=150, map_y=150,
                                        found_on=timezone.localdate())
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14, diagnosis_code="M79.18")
    session = Session.objects.create(course=course, clinician=clinician, pain_before=6, pain_after=2,
                                     performed_at=timezone.now() - timedelta(hours=1))
    session.injections.create(trigger_point=point, volume_ml=Decimal("2"))
    workflow.record_consent(session, clinician, consent_text.form_for("en"), [])
    with translation.override("en"):
        signing.sign(session, clinician, session.version)
    Amendment.objects.create(record=session, patient=patient, reason="Needle length", text="It was 38 mm.",
                             author=clinician)
    expected = note.with_amendments(session.procedure_note)

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    log_in(page, "clinician")
    page.goto(f"/courses/sessions/{session.pk}/")
    shown = page.locator("#procedure-note-text")
    assert "Infraspinatus, left" in shown.inner_text()
    assert "ICD-10-CM M79.18" in shown.inner_text()
    page.get_by_role("button", name="Copy note").click()
    page.get_by_text("Copied to the clipboard.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == expected
    assert_accessible(page)

    page.get_by_role("link", name="Plain text").click()
    assert page.locator("body").inner_text().strip() == expected.strip()
