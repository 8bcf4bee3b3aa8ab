from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_appointment
from scheduling import booking
from scheduling.models import Appointment
from treatment import signing
from treatment.models import Session

pytestmark = pytest.mark.django_db


def local(day, hh, mm=0):
    return datetime.combine(day, time(hh, mm), timezone.get_current_timezone())


def next_weekday(after_days=3):
    day = timezone.localdate() + timedelta(days=after_days)
    while day.weekday() > 4:
        day += timedelta(days=1)
    return day


def test_the_proposal_is_the_courses_own_due_date_with_free_slots_around_it(treated, clinic_hours):
    course = treated["course"]
    proposal = booking.propose(course)
    assert proposal.due == course.next_due_on == timezone.localdate()  # signed 14 days ago, every 14 days
    assert proposal.start.date() == proposal.due and proposal.start.time() == time(9)  # the clinician's session
    assert proposal.slots and all(s >= timezone.now() for s in proposal.slots)
    assert proposal.slots == sorted(proposal.slots) and proposal.room == clinic_hours


def test_booked_slots_are_no_longer_offered(treated, clinic_hours, clinician):
    course = treated["course"]
    first = booking.propose(course).slots[0]
    booking.book(course, start=first, minutes=30, by=clinician)
    assert first not in booking.propose(course).slots


def test_double_booking_the_clinician_is_refused_with_a_clear_message(treated, clinic_hours, front_desk):
    course = treated["course"]
    day = next_weekday()
    booking.book(course, start=local(day, 9), minutes=30, by=front_desk)
    with pytest.raises(booking.BookingRefused, match="Double booking: Alice Ward already has an appointment 09:00"):
        booking.book(course, start=local(day, 9, 15), minutes=30, by=front_desk)
    assert Appointment.objects.count() == 1
    booking.book(course, start=local(day, 9, 30), minutes=30, by=front_desk)  # back to back is fine


def test_double_booking_the_room_is_refused(treated, clinic_hours, front_desk, django_user_model):
    from conftest import make_staff
    from accounts.models import Role

    other = make_staff(django_user_model, "bob", Role.CLINICIAN, first="Bob", last="Jones")
    day = next_weekday()
    booking.book(treated["course"], start=local(day, 10), minutes=30, room=clinic_hours, by=front_desk)
    with pytest.raises(booking.BookingRefused, match="Room 1 is already booked"):
        booking.book(treated["course"], start=local(day, 10), minutes=30, room=clinic_hours, by=front_desk,
                     clinician=other)
    booking.book(treated["course"], start=local(day, 10), minutes=30, by=front_desk, clinician=other)  # no room


def test_cancelled_and_no_show_appointments_free_their_time(treated, clinic_hours, front_desk):
    day = next_weekday()
    first = booking.book(treated["course"], start=local(day, 11), minutes=30, by=front_desk)
    booking.cancel(first, reason="Patient unwell")
    booking.book(treated["course"], start=local(day, 11), minutes=30, by=front_desk)


def test_before_the_payers_date_a_reason_is_needed(treated, clinic_hours, front_desk, patient):
    patient.payer = "medicare-uniform-tpi-2024"
    patient.save()
    course = treated["course"]
    last = timezone.localdate(treated["signed"].performed_at)
    assert booking.payer_earliest(course) == last + timedelta(days=42)
    early = local(next_weekday(), 9)
    with pytest.raises(booking.BookingRefused, match="payer covers the next session from") as refused:
        booking.book(course, start=early, minutes=30, by=front_desk)
    from tpclinic.dates import long_date

    # the date written as every other date for this reader, not as ISO
    assert long_date(last + timedelta(days=42)) in refused.value.message
    assert (last + timedelta(days=42)).isoformat() not in refused.value.message
    made = booking.book(course, start=early, minutes=30, by=front_desk, early_reason="Severe flare; self-pay")
    assert made.early_reason == "Severe flare; self-pay"


def test_the_past_and_closed_courses_cannot_be_booked(treated, front_desk):
    course = treated["course"]
    with pytest.raises(booking.BookingRefused, match="already passed"):
        booking.book(course, start=timezone.now() - timedelta(days=1), minutes=30, by=front_desk)
    course.status = "completed"
    course.save()
    course.refresh_from_db()  # is_open is kept by the database
    with pytest.raises(booking.BookingRefused, match="closed"):
        booking.book(course, start=timezone.now() + timedelta(days=1), minutes=30, by=front_desk)


def test_check_in_creates_the_draft_session_once(treated):
    appointment = make_appointment(treated["course"], days_ahead=0)
    session = booking.check_in(appointment)
    assert session.status == Session.Status.DRAFT and session.performed_at == appointment.start
    assert session.clinician == appointment.clinician and session.course == treated["course"]
    appointment.refresh_from_db()
    assert appointment.status == "checked-in" and appointment.session == session and appointment.sequence == 1
    assert booking.check_in(appointment) == session  # idempotent: a second click opens the same session
    assert Session.objects.filter(course=treated["course"], status="draft").count() == 2  # the builder's + this


def test_signing_the_session_closes_its_appointment(treated, clinician):
    appointment = make_appointment(treated["course"], days_ahead=0, at=time(0, 0))  # already begun, so signable
    session = booking.check_in(appointment)
    Session.objects.filter(pk=session.pk).update(pain_before=7, pain_after=3, consent_recorded=True)
    session.refresh_from_db()
    session.injections.create(trigger_point=treated["point"], volume_ml=1)
    appointment.refresh_from_db()
    assert appointment.status == "checked-in"
    signing.sign(session, clinician, session.version)  # the treatment app knows nothing of appointments
    appointment.refresh_from_db()
    assert appointment.status == "done" and appointment.sequence == 2  # the calendar entry moves on a version
    other = make_appointment(treated["course"], days_ahead=2)
    assert other.status == "booked"  # only the signed session's own appointment


def test_every_change_bumps_the_sequence(treated, front_desk):
    appointment = make_appointment(treated["course"], days_ahead=5)
    booking.move(appointment, start=appointment.start + timedelta(hours=1))
    booking.cancel(appointment, reason="Clinic closed")
    appointment.refresh_from_db()
    assert appointment.sequence == 2 and appointment.status == "cancelled" and appointment.cancel_reason == "Clinic closed"
    with pytest.raises(booking.BookingRefused):
        booking.no_show(appointment)


# --- pages ---------------------------------------------------------------------------------------

def test_front_desk_books_from_the_worklist(client, front_desk, treated, clinic_hours):
    """Minimum necessary: the course page is clinical (403 to the front desk); the worklist links booking."""
    client.force_login(front_desk)
    course = treated["course"]
    assert client.get(reverse("treatment:course", args=[course.pk])).status_code == 403
    page = client.get(reverse("treatment:worklist")).content.decode()
    assert reverse("scheduling:book", args=[course.pk]) in page
    page = client.get(reverse("scheduling:book", args=[course.pk]))
    slot = page.context["form"].fields["slot"].choices[0][0]
    response = client.post(reverse("scheduling:book", args=[course.pk]), {"slot": slot, "minutes": 30,
                                                                           "room": clinic_hours.pk})
    assert response.status_code == 302
    made = Appointment.objects.get()
    assert made.booked_by == front_desk and made.room == clinic_hours and made.clinician == course.clinician
    assert timezone.localtime(made.start).strftime("%Y-%m-%dT%H:%M") == slot
    again = client.post(reverse("scheduling:book", args=[course.pk]), {"slot": slot, "minutes": 30})
    assert again.status_code == 400 and "Double booking" in again.content.decode()
    assert Appointment.objects.count() == 1


def test_booking_page_shows_the_payers_earliest_date(client, front_desk, treated, clinic_hours, patient):
    patient.payer = "medicare-uniform-tpi-2024"
    patient.save()
    client.force_login(front_desk)
    page = client.get(reverse("scheduling:book", args=[treated["course"].pk])).content.decode()
    assert 'id="payer-from"' in page


def test_bad_input_books_nothing(client, front_desk, treated):
    client.force_login(front_desk)
    url = reverse("scheduling:book", args=[treated["course"].pk])
    for data in ({"minutes": 30}, {"other": "not a date", "minutes": 30}, {"other": "2099-01-01T09:00", "minutes": 0},
                 {"slot": "2099-13-01T09:00", "minutes": 30}):
        assert client.post(url, data).status_code == 400, data
    assert not Appointment.objects.exists()


def test_day_list_checks_in_and_opens_the_session(client, clinician, treated):
    appointment = make_appointment(treated["course"], days_ahead=0)
    client.force_login(clinician)
    page = client.get(reverse("scheduling:day")).content.decode()
    assert "Lopez, Maria" in page and "Check in" in page
    response = client.post(reverse("scheduling:check_in", args=[appointment.pk]), {"open": "session"})
    appointment.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == reverse("treatment:session",
                                                                             args=[appointment.session_id])
    page = client.get(reverse("scheduling:day")).content.decode()
    assert reverse("treatment:session", args=[appointment.session_id]) in page


def test_no_show_and_cancel_from_the_day_list(client, front_desk, treated):
    first = make_appointment(treated["course"], days_ahead=0)
    second = make_appointment(treated["course"], days_ahead=0, at=time(15))
    client.force_login(front_desk)
    client.post(reverse("scheduling:no_show", args=[first.pk]))
    assert client.post(reverse("scheduling:cancel", args=[second.pk]), {"reason": ""}).status_code == 302
    second.refresh_from_db()
    assert second.status == "booked"  # no reason, no change
    client.post(reverse("scheduling:cancel", args=[second.pk]), {"reason": "Called to cancel"})
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == ("no-show", "cancelled")


def test_only_administrators_set_the_hours(client, front_desk, administrator, clinician):
    client.force_login(front_desk)
    assert client.get(reverse("scheduling:hours")).status_code == 403
    client.force_login(administrator)
    response = client.post(reverse("scheduling:hours"), {
        "form": "session", "session-clinician": clinician.pk, "session-weekday": 2, "session-starts_at": "13:00",
        "session-ends_at": "12:00", "session-slot_minutes": 20})
    assert response.status_code == 400  # ends before it starts
    response = client.post(reverse("scheduling:hours"), {
        "form": "session", "session-clinician": clinician.pk, "session-weekday": 2, "session-starts_at": "13:00",
        "session-ends_at": "17:00", "session-slot_minutes": 20})
    assert response.status_code == 302
    assert clinician.clinic_sessions.get().slot_minutes == 20


def test_patients_requests_land_on_the_front_desks_list(client, front_desk, treated, patient):
    from scheduling.models import AppointmentRequest

    wanted = AppointmentRequest.objects.create(patient=patient, preferred_days="Tuesdays", note="After work")
    client.force_login(front_desk)
    assert "Appointment requests: 1" in client.get(reverse("scheduling:day")).content.decode()
    page = client.get(reverse("scheduling:requests")).content.decode()
    assert "Tuesdays" in page and "After work" in page and "Lopez, Maria" in page
    client.post(reverse("scheduling:requests"), {"request": wanted.pk})
    wanted.refresh_from_db()
    assert wanted.handled_by == front_desk and wanted.handled_at is not None
    assert "Tuesdays" not in client.get(reverse("scheduling:requests")).content.decode()
    assert client.post(reverse("scheduling:requests"), {"request": "nonsense"}).status_code == 302  # nothing changes


def test_the_courses_idea_of_a_booking_is_an_active_appointment():
    """treatment reads bookings through the reverse relation, naming the statuses it cannot import."""
    from treatment.models import BOOKED_APPOINTMENT

    assert set(BOOKED_APPOINTMENT) == set(Appointment.ACTIVE)
