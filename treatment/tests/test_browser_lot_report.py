"""The recall report in real Chromium: type a lot, see the sessions that used it, download the CSV;
axe-core checks the page with its results and with its error message."""
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import assert_accessible, log_in
from treatment.models import Course, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_trace_a_lot_from_the_adverse_events_page(page, clinician, patient, trigger_points):
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14, diagnosis_code="M79.12")
    session = Session.objects.create(course=course, clinician=clinician, status=Session.Status.SIGNED,
                                     performed_at=timezone.now() - timedelta(days=5))
    row = session.injections.create(trigger_point=trigger_points[0])
    row.mixed_agents.create(agent="bupivacaine", concentration_pct="0.25", volume_ml="2", lot_number="BUP-17")
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "clinician")
    page.goto("/safety/adverse-events/")
    page.get_by_role("link", name="Sessions by lot (for a recall)").click()
    page.get_by_role("button", name="Find sessions").click()
    page.get_by_text("Enter the lot number printed on the vial.").wait_for()
    assert_accessible(page)
    page.get_by_label("Lot number").fill("bup-17")
    page.get_by_role("button", name="Find sessions").click()
    page.get_by_role("heading", name="1 use of lot bup-17").wait_for()
    table = page.get_by_role("table")
    assert "Maria Lopez" in table.inner_text() and "Bupivacaine" in table.inner_text()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = open(download.value.path(), encoding="utf-8").read()
    assert "Maria Lopez,TP0001" in text and "BUP-17" in text


def test_page_through_a_long_lot_from_the_keyboard(page, clinician, patient, trigger_points, monkeypatch):
    from treatment import views

    monkeypatch.setattr(views, "LOT_PAGE_SIZE", 2)
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14, diagnosis_code="M79.12")
    for days in (30, 16, 2):
        session = Session.objects.create(course=course, clinician=clinician, status=Session.Status.SIGNED,
                                         performed_at=timezone.now() - timedelta(days=days))
        session.injections.create(trigger_point=trigger_points[0], lot_number="LID-9")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    log_in(page, "clinician")
    page.goto("/courses/lots/?lot=LID-9")
    page.get_by_role("heading", name="3 uses of lot LID-9").wait_for()
    pages = page.get_by_role("navigation", name="Pages")
    assert "Page 1 of 2" in pages.inner_text()
    assert page.get_by_role("table").get_by_role("row").count() == 3  # the header and two uses
    assert_accessible(page)
    pages.get_by_role("link", name="Next").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Page 2 of 2").wait_for()
    assert page.get_by_role("table").get_by_role("row").count() == 2
    assert pages.get_by_role("link", name="Previous").is_visible()
    assert_accessible(page)
