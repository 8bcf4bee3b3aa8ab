"""The returning patient's portal: visits in plain words, cancelling within the clinic's limit,
asking for an appointment or a change, and choosing how to be reminded."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_appointment
from portal import visits
from scheduling.models import AppointmentRequest, ClinicSettings, ReminderChoice
from treatment.models import Injection, Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(course, trigger_points):
    session = Session.objects.create(course=course, clinician=course.clinician, pain_before=7, pain_after=2,
                                     performed_at=timezone.now() - timedelta(days=10), status=Session.Status.SIGNED,
                                     consent_recorded=True)
    for point in trigger_points:
        Injection.objects.create(session=session, trigger_point=point, volume_ml=Decimal("1"))
    Injection.objects.create(session=session, trigger_point=trigger_points[0], volume_ml=Decimal("1"))
    return session


def test_visit_history_in_plain_words(signed):
    [visit] = visits.history(signed.course.patient, "en")
    assert visit.areas == ["Angle of neck, left", "Outer hip, right"]  # each place once, in plain words
    assert (visit.pain_before, visit.pain_after) == (7, 2)
    assert visit.summary == "3 injections of a local anaesthetic (numbing medicine) into 2 areas."
    assert "upper-trapezius" not in " ".join(visit.areas)


def test_visits_page_shows_only_signed_sessions(patient_client, patient, signed, upcoming):
    patient.preferred_language = "en"
    patient.save()
    page = patient_client.get(reverse("portal:visits")).content.decode()
    assert f'id="visit-{signed.pk}"' in page and f'id="visit-{upcoming.pk}"' not in page
    assert "7 out of 10 before, 2 out of 10 after" in page


def test_cancel_up_to_the_clinics_limit(patient_client, course):
    ClinicSettings.current()
    ClinicSettings.objects.update(cancel_hours_before=48)
    later = make_appointment(course, days_ahead=5)
    soon = make_appointment(course, days_ahead=1, at=(timezone.localtime() + timedelta(hours=1)).time())
    assert patient_client.post(reverse("portal:appointment_cancel", args=[later.pk])).status_code == 302
    patient_client.post(reverse("portal:appointment_cancel", args=[soon.pk]))
    later.refresh_from_db(), soon.refresh_from_db()
    assert later.status == "cancelled" and later.cancel_reason and later.sequence == 1
    assert soon.status == "booked"  # too close: call the clinic


def test_ask_for_an_appointment_or_a_change(patient_client, patient, appointment):
    assert patient_client.post(reverse("portal:appointment_request"), {}).status_code == 400  # says nothing
    assert not AppointmentRequest.objects.exists()
    patient_client.post(reverse("portal:appointment_request"), {"preferred_days": "Mondays"})
    patient_client.post(reverse("portal:appointment_change", args=[appointment.pk]), {"preferred_times": "mornings"})
    new, change = AppointmentRequest.objects.order_by("pk")
    assert (new.patient, new.appointment, new.preferred_days) == (patient, None, "Mondays")
    assert (change.appointment, change.preferred_times) == (appointment, "mornings")
    appointment.refresh_from_db()
    assert appointment.status == "booked"  # stays booked until the clinic agrees a new time


def test_reminder_choice_needs_the_address_it_uses(patient_client, patient):
    response = patient_client.post(reverse("portal:reminders"), {"channel": "email", "email": ""})
    assert response.status_code == 400 and not ReminderChoice.objects.exists()
    patient_client.post(reverse("portal:reminders"), {"channel": "sms", "phone": "+34 600 000 123"})
    assert ReminderChoice.objects.get(patient=patient).channel == "sms"
