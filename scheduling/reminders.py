"""Which appointments are due a reminder, and sending one (called by the task in tasks.py).

Idempotent by construction: an appointment is claimed for a reminder by one UPDATE from "not sent"
to "queued", so however often `send_reminders` runs, each appointment is queued once; the task
sends only a queued reminder and records the outcome (sent, failed, bounced) on the appointment.
A move resets the appointment's reminder (booking.move), so the new time is reminded again.
"""
from __future__ import annotations

import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from scheduling import notices, sms
from scheduling.models import Appointment, ClinicSettings, ReminderChoice

MAX_ATTEMPTS = 4


class TryAgain(Exception):
    """Sending failed for a reason that may pass (server down); the task re-queues itself."""


def due(now: datetime | None = None):
    """Booked appointments starting within the clinic's reminder window, not yet reminded, of
    patients who chose e-mail or SMS."""
    now = now or timezone.now()
    days = ClinicSettings.current().reminder_days_before
    return Appointment.objects.filter(
        status=Appointment.Status.BOOKED, reminder_status="", start__gt=now, start__lte=now + timedelta(days=days),
        patient__reminder_choice__channel__in=[ReminderChoice.Channel.EMAIL, ReminderChoice.Channel.SMS],
    )


def claim(now: datetime | None = None) -> list[int]:
    """Mark due reminders as queued and return their appointment ids (each exactly once)."""
    claimed = []
    for pk in list(due(now).order_by("pk").values_list("pk", flat=True)):  # one order: concurrent scans never deadlock
        if Appointment.objects.filter(pk=pk, reminder_status="").update(reminder_status=Appointment.Reminder.QUEUED):
            claimed.append(pk)
    return claimed


def portal_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("portal:home")


def _record(appointment_pk: int, status: str, detail: str) -> None:
    Appointment.objects.filter(pk=appointment_pk).update(reminder_status=status, reminder_detail=detail[:255],
                                                         reminder_at=timezone.now())


def send(appointment_pk: int) -> str:
    """Send one queued reminder; returns what happened. Raises TryAgain for a passing failure."""
    with transaction.atomic():
        appointment = (Appointment.objects.select_for_update(of=("self",)).select_related("patient", "clinician", "room")
                       .filter(pk=appointment_pk).first())
        if appointment is None or appointment.reminder_status != Appointment.Reminder.QUEUED:
            return "skipped"  # sent already, or moved/cancelled since it was queued
        if appointment.status != Appointment.Status.BOOKED:
            _record(appointment_pk, "", "not sent: no longer booked")
            return "skipped"
        Appointment.objects.filter(pk=appointment_pk).update(reminder_attempts=appointment.reminder_attempts + 1)
    choice = ReminderChoice.objects.filter(patient=appointment.patient).first()
    message = notices.reminder(appointment, portal_url=portal_url(), host=settings.SITE_URL.split("//")[-1].split(":")[0])
    try:
        if choice is not None and choice.channel == ReminderChoice.Channel.EMAIL:
            email = EmailMultiAlternatives(message["subject"], message["body"], settings.DEFAULT_FROM_EMAIL,
                                           [choice.email])
            email.attach(f"appointment-{appointment.pk}.ics", message["ics"], "text/calendar")
            email.send()
            channel = "email"
        elif choice is not None and choice.channel == ReminderChoice.Channel.SMS:
            sms.backend().send(choice.phone, message["sms"])
            channel = "sms"
        else:
            _record(appointment_pk, "", "not sent: the patient chose no reminders")
            return "skipped"
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as refused:
        _record(appointment_pk, Appointment.Reminder.BOUNCED, f"refused by the mail server: {refused}")
        return "bounced"
    except sms.SmsFailed as failed:
        if failed.permanent:
            _record(appointment_pk, Appointment.Reminder.BOUNCED, f"refused by the SMS provider: {failed}")
            return "bounced"
        return _failed(appointment, failed)
    except (OSError, smtplib.SMTPException) as failed:
        return _failed(appointment, failed)
    _record(appointment_pk, Appointment.Reminder.SENT, channel)
    return "sent"


def _failed(appointment, error) -> str:
    attempts = appointment.reminder_attempts + 1
    if attempts >= MAX_ATTEMPTS:
        _record(appointment.pk, Appointment.Reminder.FAILED, f"gave up after {attempts} attempts: {error}")
        return "failed"
    Appointment.objects.filter(pk=appointment.pk).update(reminder_detail=f"attempt {attempts} failed: {error}"[:255],
                                                         reminder_at=timezone.now())
    raise TryAgain(str(error))
