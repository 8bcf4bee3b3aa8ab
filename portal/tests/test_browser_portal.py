"""The diary and e-consent on a phone-sized screen, by keyboard, in real Chromium; axe-core checks the diary."""
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD, assert_accessible, log_in
from portal.models import DiaryEntry
from treatment.models import Course, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_diary_and_consent_by_keyboard_on_a_phone(browser, live_server, django_user_model, patient, clinician):
    user = django_user_model.objects.create_user("maria", password=PASSWORD, first_name="Maria")
    patient.user = user
    patient.preferred_language = "en"  # the portal speaks the record's language; this test reads English
    patient.save()
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14)
    session = Session.objects.create(course=course, clinician=clinician,
                                     performed_at=timezone.now() + timedelta(days=4))
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844},
                                  has_touch=True, locale="en-US")
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": "language_chosen", "value": "1", "url": live_server.url}])
    page = context.new_page()
    try:
        log_in(page, "maria")
        assert page.url.endswith("/portal/")
        assert page.locator("#diary-reminder").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling

        page.goto("/portal/diary/")
        slider = page.locator("#id_pain")
        slider.focus()
        for _ in range(6):
            page.keyboard.press("ArrowRight")
        assert page.locator("#pain-value").inner_text() == "6 out of 10"
        assert slider.get_attribute("aria-valuetext") == "6 out of 10"
        page.locator('#diary-map path[data-key="neck.angle:left"]').first.focus()
        page.keyboard.press("Enter")  # a place marked starts at the day's pain
        assert page.locator("#diary-map input[name=regions]").input_value() == "neck.angle:left@6"
        assert page.locator("#map-count").inner_text() == "Places marked: 1"
        page.keyboard.press("8")  # and a number key grades it
        assert page.locator("#diary-map input[name=regions]").input_value() == "neck.angle:left@8"
        assert "pain 8 of 10" in page.locator("#diary-map .bodymap-marked-list").inner_text()
        assert_accessible(page)
        page.locator("#save-diary").click()
        page.wait_for_load_state()
        entry = DiaryEntry.objects.get(patient=patient, day=timezone.localdate())
        assert entry.pain == 6 and entry.drawing.marks == [{"place": "neck.angle:left", "intensity": 8}]
        assert entry.drawing.source == "patient"
        assert_accessible(page)  # the saved entry in the table and chart

        page.goto(f"/portal/diary/?day={timezone.localdate().isoformat()}")  # the entry comes back graded
        assert page.locator("#diary-map input[name=regions]").input_value() == "neck.angle:left@8"
        assert "pain 8 of 10" in page.locator("#diary-map .bodymap-marked-list").inner_text()

        page.goto(f"/portal/sessions/{session.pk}/consent/")
        page.locator("#id_agree").focus()
        page.keyboard.press("Space")
        page.locator("#sign-consent").click()
        page.wait_for_load_state()
        session.refresh_from_db()
        assert session.consent_recorded
        assert session.consents.get().method == "portal"
    finally:
        context.close()
