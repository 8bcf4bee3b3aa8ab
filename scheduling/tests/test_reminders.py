"""Reminders: queued once, sent by the worker through a real SMTP server, in the patient's language."""
import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import make_appointment
from scheduling import booking
from scheduling.models import Appointment, ReminderChoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def reminded(treated, patient):
    """Maria (Spanish) asked for e-mail reminders; an appointment in two days."""
    ReminderChoice.objects.create(patient=patient, channel="email", email="maria@example.org")
    return make_appointment(treated["course"], days_ahead=1)


def attachment(message):
    return next(part for part in message.iter_attachments() if part.get_content_type() == "text/calendar")


def test_a_spanish_reminder_arrives_with_the_ics_and_the_portal_link(reminded, smtp_server, task_worker, settings):
    settings.SITE_URL = "https://clinic.example.org"
    call_command("send_reminders", verbosity=0)
    assert smtp_server.messages == []  # queued, not sent in the command
    assert task_worker() == 1
    [message] = smtp_server.messages
    assert message["To"] == "maria@example.org"
    assert message["Subject"].startswith("Recordatorio")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Hola Maria" in body and "https://clinic.example.org/portal/" in body
    for clinical in ("M79", "inyecci", "injection", "trigger", "trapecio", "Trapezius"):
        assert clinical.lower() not in body.lower() + message["Subject"].lower(), clinical
    calendar = attachment(message).get_content()
    assert f"UID:appointment-{reminded.pk}@clinic.example.org" in calendar and "METHOD:PUBLISH" in calendar
    reminded.refresh_from_db()
    assert reminded.reminder_status == "sent" and reminded.reminder_detail == "email"


def test_never_sent_twice(reminded, smtp_server, task_worker):
    for _ in range(3):
        call_command("send_reminders", verbosity=0)
        task_worker()
    assert len(smtp_server.messages) == 1


def test_not_sent_outside_the_window_or_without_a_choice(treated, patient, smtp_server, task_worker):
    make_appointment(treated["course"], days_ahead=9)  # beyond the clinic's 2 days
    call_command("send_reminders", verbosity=0)
    assert task_worker() == 0
    ReminderChoice.objects.create(patient=patient, channel="none")
    make_appointment(treated["course"], days_ahead=1)
    call_command("send_reminders", verbosity=0)
    assert task_worker() == 0 and smtp_server.messages == []


def test_the_clinic_setting_sets_the_window(treated, patient, smtp_server, task_worker):
    from scheduling.models import ClinicSettings

    ReminderChoice.objects.create(patient=patient, channel="email", email="maria@example.org")
    make_appointment(treated["course"], days_ahead=5)
    call_command("send_reminders", verbosity=0)
    assert task_worker() == 0
    ClinicSettings.objects.update(reminder_days_before=6)
    call_command("send_reminders", verbosity=0)
    assert task_worker() == 1 and len(smtp_server.messages) == 1


def test_a_refused_address_is_recorded_as_bounced(reminded, smtp_server, task_worker):
    smtp_server.refuse.add("maria@example.org")
    call_command("send_reminders", verbosity=0)
    task_worker()
    reminded.refresh_from_db()
    assert reminded.reminder_status == "bounced" and "refused" in reminded.reminder_detail


def test_a_server_that_is_down_is_retried_then_recorded_as_failed(reminded, settings, task_worker):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.REMINDER_RETRY_SECONDS = "127.0.0.1", 0
    call_command("send_reminders", verbosity=0)
    task_worker()
    reminded.refresh_from_db()
    assert reminded.reminder_status == "failed" and reminded.reminder_attempts == 4
    assert "gave up after 4 attempts" in reminded.reminder_detail


def test_a_moved_appointment_is_reminded_again(reminded, smtp_server, task_worker):
    call_command("send_reminders", verbosity=0)
    task_worker()
    booking.move(reminded, start=reminded.start + timedelta(hours=2))
    call_command("send_reminders", verbosity=0)
    task_worker()
    assert len(smtp_server.messages) == 2
    assert "SEQUENCE:1" in attachment(smtp_server.messages[1]).get_content()


def test_sms_goes_to_the_log_by_default(treated, patient, task_worker, caplog):
    ReminderChoice.objects.create(patient=patient, channel="sms", phone="+34 600 000 123")
    appointment = make_appointment(treated["course"], days_ahead=1)
    call_command("send_reminders", verbosity=0)
    with caplog.at_level(logging.INFO, logger="tpclinic.sms"):
        task_worker()
    assert "…0123" in caplog.text and "Detalles" in caplog.text  # in Spanish
    appointment.refresh_from_db()
    assert appointment.reminder_status == "sent" and appointment.reminder_detail == "sms"


def test_a_cancelled_appointment_is_not_reminded(reminded, smtp_server, task_worker):
    call_command("send_reminders", verbosity=0)
    booking.cancel(reminded, reason="Clinic closed")
    task_worker()
    assert smtp_server.messages == []
    assert Appointment.objects.get(pk=reminded.pk).reminder_status == ""


def test_a_scan_that_dies_half_way_leaves_nothing_claimed_without_a_task(treated, patient, smtp_server, task_worker):
    """Claims and tasks commit together: otherwise an appointment marked "queued" with no task is never reminded."""
    from unittest import mock

    from scheduling import tasks

    ReminderChoice.objects.create(patient=patient, channel="email", email="maria@example.org")
    first, second = make_appointment(treated["course"], days_ahead=1), make_appointment(treated["course"], days_ahead=2)
    from django_tasks_db.backend import DatabaseBackend

    real_enqueue, calls = DatabaseBackend.enqueue, []

    def dies_on_the_second(backend, task, args, kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise ConnectionError("the scan's machine went away")
        return real_enqueue(backend, task, args, kwargs)

    with mock.patch.object(DatabaseBackend, "enqueue", dies_on_the_second), pytest.raises(ConnectionError):
        tasks.queue_due_reminders()
    assert set(Appointment.objects.filter(pk__in=[first.pk, second.pk]).values_list("reminder_status", flat=True)) == {""}
    assert task_worker() == 0
    assert tasks.queue_due_reminders() == 2
    assert task_worker() == 2 and len(smtp_server.messages) == 2
