"""The booking workflow: propose the next session, book, move, cancel, check in, no-show.

The rules (slots, clashes) are in scheduling/slots.py; the due date is the course's own
(the course's stored `Course.next_due_on`), the payer's earliest date is safety.payer's. Every change bumps the
appointment's SEQUENCE so calendars that imported the .ics replace their copy.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from safety import payer
from tpclinic import dates
from treatment.workflow import last_treatment, payer_history
from scheduling import slots
from scheduling.models import Appointment, ClinicianSession, ClinicSettings, Room
from treatment.models import Course, Session


class BookingRefused(Exception):
    """A booking that cannot be made; `message` is for the person booking."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def hours(clinic: ClinicSettings) -> slots.Hours:
    return slots.Hours(clinic.weekdays, clinic.opens_at, clinic.closes_at)


def templates_for(clinician) -> list[slots.Template]:
    return [slots.Template(s.weekday, s.starts_at, s.ends_at, s.slot_minutes)
            for s in ClinicianSession.objects.filter(clinician=clinician)]


def busy_for(clinician, room, start: datetime, end: datetime, exclude=None) -> list[slots.Busy]:
    """Active appointments of the clinician (and of the room, if given) between start and end."""
    found = Appointment.objects.filter(status__in=Appointment.ACTIVE, start__lt=end,
                                       start__gt=start - timedelta(hours=5))
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    busy = []
    for appointment in found.filter(clinician=clinician):
        busy.append(slots.Busy(appointment.start, appointment.end, "clinician"))
    if room is not None:
        for appointment in found.filter(room=room):
            busy.append(slots.Busy(appointment.start, appointment.end, "room"))
    return busy


def payer_earliest(course: Course) -> date | None:
    """The first date the patient's payer covers a session at the places treated last time; None
    when the payer sets no limit (or nothing has been treated yet)."""
    last = last_treatment(course)
    if last is None:
        return None
    patient = course.patient
    return payer.earliest_compliant_date(patient.payer, payer_history(patient), set(last.sites),
                                         last.day + timedelta(days=1))


def usual_time(course: Course, day: date) -> time:
    """The clinician's usual time: this course's last appointment's time of day, else the start of
    the clinician's session on that weekday, else their first session, else the clinic's opening."""
    last = course.appointments.exclude(status=Appointment.Status.CANCELLED).order_by("-start").first()
    if last is not None:
        return timezone.localtime(last.start).time()
    sessions = list(ClinicianSession.objects.filter(clinician=course.clinician).order_by("weekday", "starts_at"))
    same_day = [s for s in sessions if s.weekday == day.weekday()]
    if same_day or sessions:
        return (same_day or sessions)[0].starts_at
    return ClinicSettings.current().opens_at


@dataclass
class Proposal:
    due: date | None
    payer_from: date | None
    start: datetime | None
    slots: list[datetime]
    minutes: int
    room: Room | None


def propose(course: Course, *, count: int = 6, now: datetime | None = None) -> Proposal:
    """The due date at the clinician's usual time, and the first free slots around it."""
    now = now or timezone.now()
    clinic = ClinicSettings.current()
    today = timezone.localdate(now)
    due = course.next_due_on
    around = max(due or today, today)
    templates = templates_for(course.clinician)
    minutes = templates[0].slot_minutes if templates else clinic.default_minutes
    session = ClinicianSession.objects.filter(clinician=course.clinician, weekday=around.weekday()).first()
    room = session.room if session else None
    tz = timezone.get_current_timezone()
    start = datetime.combine(around, usual_time(course, around), tz)
    window_start = datetime.combine(around - timedelta(days=15), time(0), tz)
    busy = busy_for(course.clinician, None, window_start, window_start + timedelta(days=31))
    free = slots.free_slots(around, hours(clinic), templates, busy, tz, minutes=minutes, count=count, not_before=now)
    return Proposal(due, payer_earliest(course), start, free, minutes, room)


def _lock(clinician, room) -> None:
    """Serialise bookings for one clinician (and room): the check and the insert happen as one."""
    get_user_model().objects.select_for_update().filter(pk=clinician.pk).exists()
    if room is not None:
        Room.objects.select_for_update().filter(pk=room.pk).exists()


def _refuse_clashes(clinician, room, start, minutes, exclude=None) -> None:
    end = start + timedelta(minutes=minutes)
    found = slots.clashes(start, minutes, busy_for(clinician, room, start, end, exclude=exclude))
    if not found:
        return
    clash = found[0]
    when = f"{timezone.localtime(clash.start):%H:%M}–{timezone.localtime(clash.end):%H:%M}"
    if clash.who == "room":
        raise BookingRefused(_("Double booking: %(room)s is already booked %(when)s. Choose another time or room.")
                             % {"room": room.name, "when": when}, "start")
    name = clinician.get_full_name() or clinician.get_username()
    raise BookingRefused(_("Double booking: %(clinician)s already has an appointment %(when)s. Choose another time.")
                         % {"clinician": name, "when": when}, "start")


def book(course: Course, *, start: datetime, minutes: int, by, room: Room | None = None,
         early_reason: str = "", clinician=None, now: datetime | None = None) -> Appointment:
    """Book a session of `course`; refuses the past, a closed course, a double booking, and a date
    before the payer's earliest without a reason."""
    now = now or timezone.now()
    clinician = clinician or course.clinician
    if not course.is_open:
        raise BookingRefused(_("This course is closed; reopen it before booking a session."))
    if start < now - timedelta(minutes=5):
        raise BookingRefused(_("That time has already passed. Choose a time in the future."), "start")
    earliest = payer_earliest(course)
    early_reason = early_reason.strip()
    if earliest is not None and timezone.localdate(start) < earliest and not early_reason:
        raise BookingRefused(_("The payer covers the next session from %(day)s. To book earlier, give a reason.")
                             % {"day": dates.long_date(earliest)}, "early_reason")
    with transaction.atomic():
        _lock(clinician, room)
        _refuse_clashes(clinician, room, start, minutes)
        return Appointment.objects.create(
            patient=course.patient, course=course, clinician=clinician, room=room, start=start, minutes=minutes,
            booked_by=by, early_reason=early_reason if earliest is not None else "",
        )


def move(appointment: Appointment, *, start: datetime, minutes: int | None = None, room=None) -> Appointment:
    minutes = minutes or appointment.minutes
    with transaction.atomic():
        _lock(appointment.clinician, room)
        _refuse_clashes(appointment.clinician, room, start, minutes, exclude=appointment)
        appointment.start, appointment.minutes, appointment.room = start, minutes, room
        appointment.sequence += 1
        appointment.reminder_status = ""  # a new time deserves a new reminder
        appointment.save(update_fields=["start", "minutes", "room", "sequence", "reminder_status"])
    return appointment


def _set_status(appointment: Appointment, status: str, **fields) -> Appointment:
    for name, value in fields.items():
        setattr(appointment, name, value)
    appointment.status = status
    appointment.sequence += 1
    appointment.save(update_fields=["status", "sequence", *fields])
    return appointment


def cancel(appointment: Appointment, *, reason: str) -> Appointment:
    reason = reason.strip()
    if not reason:
        raise BookingRefused(_("Give a reason for cancelling."), "reason")
    if appointment.status != Appointment.Status.BOOKED:
        raise BookingRefused(_("Only a booked appointment can be cancelled."))
    return _set_status(appointment, Appointment.Status.CANCELLED, cancel_reason=reason[:200])


def no_show(appointment: Appointment) -> Appointment:
    if appointment.status != Appointment.Status.BOOKED:
        raise BookingRefused(_("Only a booked appointment can be marked as not attended."))
    return _set_status(appointment, Appointment.Status.NO_SHOW)


def check_in(appointment: Appointment) -> Session:
    """The patient has arrived: the appointment's draft session is created (once) for the clinician."""
    with transaction.atomic():
        locked = Appointment.objects.select_for_update(of=("self",)).select_related("course").get(pk=appointment.pk)
        if locked.session_id:
            return locked.session
        if locked.status != Appointment.Status.BOOKED:
            raise BookingRefused(_("Only a booked appointment can be checked in."))
        if not locked.course.is_open:
            raise BookingRefused(_("This course is closed; reopen it before adding a session."))
        session = Session.objects.create(course=locked.course, clinician=locked.clinician, performed_at=locked.start)
        if locked.course.status == Course.Status.PLANNED:
            Course.objects.filter(pk=locked.course_id).update(status=Course.Status.ACTIVE)
        locked.session = session
        _set_status(locked, Appointment.Status.CHECKED_IN, session=session)
    appointment.refresh_from_db()
    return session


def close_signed_appointment(sender, session, **kwargs) -> None:
    """The checked-in appointment of a session that has just been signed is done (and its calendar
    entry moves on a version). Connected to treatment's `session_signed` in SchedulingConfig.ready."""
    Appointment.objects.filter(session=session, status=Appointment.Status.CHECKED_IN).update(
        status=Appointment.Status.DONE, sequence=F("sequence") + 1)


def patient_may_cancel(appointment: Appointment, now: datetime | None = None) -> bool:
    """Patients cancel online up to the clinic's set time before the start."""
    now = now or timezone.now()
    limit = timedelta(hours=ClinicSettings.current().cancel_hours_before)
    return appointment.status == Appointment.Status.BOOKED and appointment.start - now >= limit
