"""The front desk books the next session from the worklist, a double booking is refused, and the
clinician checks the patient in from the day list and opens the session; axe-core checks each page."""
import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import assert_accessible, log_in
from scheduling.models import Appointment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def course(treated, clinic_hours, front_desk):
    return treated["course"]


def test_book_refuse_double_booking_check_in_and_open_the_session(page, browser, live_server, course, clinician):
    log_in(page, "desk")
    # minimum necessary: the course page is clinical; the front desk books from the worklist
    page.goto(reverse("treatment:worklist"))
    assert_accessible(page)
    page.locator(f'a[href="{reverse("scheduling:book", args=[course.pk])}"]').click()
    page.wait_for_url(f"**/schedule/book/{course.pk}/")
    assert page.locator("#due-date").inner_text().strip()
    assert_accessible(page)
    first_slot = page.locator('input[name="slot"]').first
    assert first_slot.is_checked()  # the first free slot around the due date is proposed
    chosen = first_slot.get_attribute("value")
    page.get_by_role("button", name="Book").click()
    page.wait_for_url("**/schedule/day/**")
    booked = Appointment.objects.get()
    assert timezone.localtime(booked.start).strftime("%Y-%m-%dT%H:%M") == chosen
    assert page.locator(f"#appointment-{booked.pk}").is_visible()
    assert_accessible(page)

    # The same time again, typed by hand: refused, with the reason in words.
    page.goto(f"/schedule/book/{course.pk}/")
    page.locator("#id_other").fill(chosen)
    page.get_by_role("button", name="Book").click()
    assert "Double booking: Alice Ward already has an appointment" in page.locator("main").inner_text()
    assert Appointment.objects.count() == 1
    assert_accessible(page)

    # The clinician on the day of the appointment: check in, then open the session.
    context = browser.new_context(base_url=live_server.url)
    clinic = context.new_page()
    log_in(clinic, "clinician")
    clinic.goto(f"/schedule/day/?day={timezone.localdate(booked.start).isoformat()}&clinician=all")
    assert_accessible(clinic)
    row = clinic.locator(f"#appointment-{booked.pk}")
    row.get_by_role("button", name="Check in").click()
    clinic.wait_for_load_state()
    booked.refresh_from_db()
    assert booked.status == "checked-in" and booked.session is not None
    clinic.locator(f"#appointment-{booked.pk}").get_by_role("link", name="Open session").click()
    clinic.wait_for_url(f"**/courses/sessions/{booked.session_id}/")
    assert clinic.locator("h1").is_visible()
    context.close()
