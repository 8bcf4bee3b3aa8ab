"""What patients receive about an appointment, worded in their language and free of clinical detail:
the calendar file and the reminder message."""
from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from scheduling import ics
from tpclinic import dates, language


def when(appointment) -> str:
    return dates.visit_time(appointment.start)


def clinic_name() -> str:
    return getattr(settings, "CLINIC_NAME", "tpclinic")


def calendar_file(appointment, *, host: str) -> str:
    """The .ics of the appointment in the active language (no diagnosis, no treatment named)."""
    clinician = appointment.clinician.get_full_name() or appointment.clinician.get_username()
    return ics.appointment_calendar(
        appointment, host=host,
        summary=_("Appointment at %(clinic)s") % {"clinic": clinic_name()},
        description=_("With %(clinician)s. Please tell the clinic if you cannot come.") % {"clinician": clinician},
        location=appointment.room.name if appointment.room_id else "",
    )


def reminder(appointment, *, portal_url: str, host: str) -> dict:
    """Subject, plain text and .ics of the reminder, in the patient's preferred language."""
    with translation.override(language.supported(appointment.patient.preferred_language)):
        values = {"name": appointment.patient.given_name, "when": when(appointment), "clinic": clinic_name(),
                  "portal": portal_url}
        subject = _("Reminder: your appointment on %(when)s") % values
        body = _(
            "Hello %(name)s,\n\n"
            "This is a reminder of your appointment at %(clinic)s on %(when)s.\n\n"
            "To see your appointments, add this one to your calendar, cancel or ask for another time, "
            "open your portal: %(portal)s\n\n"
            "If you cannot come, please tell the clinic.\n"
        ) % values
        short = _("%(clinic)s: appointment %(when)s. Details: %(portal)s") % values
        calendar = calendar_file(appointment, host=host)
    return {"subject": subject, "body": body, "sms": short, "ics": calendar}
