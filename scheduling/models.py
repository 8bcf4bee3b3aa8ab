"""Appointments, the clinic's hours and each clinician's sessions, reminder choices and requests."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models import Patient
from treatment.models import Course, Session

WEEKDAY_NUMBERS = {str(day) for day in range(7)}  # 0 Monday .. 6 Sunday, as datetime.weekday()

WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
            (5, _("Saturday")), (6, _("Sunday"))]


class ClinicSettings(models.Model):
    """The clinic's opening hours and its scheduling and reminder policy; one row, edited by an admin."""

    opens_at = models.TimeField(_("opens at"), default=time(8, 0))
    closes_at = models.TimeField(_("closes at"), default=time(18, 0))
    open_days = models.CharField(
        _("open days"), max_length=20, default="0,1,2,3,4",
        help_text=_("Weekday numbers, Monday = 0, separated by commas."),
    )
    default_minutes = models.PositiveSmallIntegerField(
        _("default appointment length (minutes)"), default=30, validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("send reminders this many days before"), default=2, validators=[MaxValueValidator(30)],
    )
    cancel_hours_before = models.PositiveSmallIntegerField(
        _("patients may cancel online up to this many hours before"), default=24,
        validators=[MaxValueValidator(24 * 14)],
    )

    class Meta:
        verbose_name = _("clinic settings")
        verbose_name_plural = _("clinic settings")

    def __str__(self):
        return str(_("Clinic hours and scheduling"))

    @classmethod
    def current(cls) -> "ClinicSettings":
        found = cls.objects.order_by("pk").first()
        return found or cls.objects.create()

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(int(d) for d in self.open_days.replace(" ", "").split(",") if d in WEEKDAY_NUMBERS)

    def clean(self):
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": _("The clinic must close after it opens.")})
        parts = [p for p in self.open_days.replace(" ", "").split(",") if p]
        if not parts or any(p not in WEEKDAY_NUMBERS for p in parts):
            raise ValidationError({"open_days": _("Give weekday numbers from 0 (Monday) to 6 (Sunday), e.g. 0,1,2,3,4.")})


class Room(models.Model):
    """A room or chair; two appointments never share one at the same time."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("room or chair")
        verbose_name_plural = _("rooms and chairs")

    def __str__(self):
        return self.name


class ClinicianSession(models.Model):
    """A clinician's regular session: a weekday, its hours, the length of a slot and the usual room."""

    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinic_sessions",
                                  verbose_name=_("clinician"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"), default=30, validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("usual room"))

    class Meta:
        ordering = ["clinician", "weekday", "starts_at"]
        verbose_name = _("clinician session")
        verbose_name_plural = _("clinician sessions")

    def __str__(self):
        return f"{self.clinician}: {self.get_weekday_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"

    def clean(self):
        if self.starts_at and self.ends_at and self.starts_at >= self.ends_at:
            raise ValidationError({"ends_at": _("A session must end after it starts.")})


class AppointmentQuerySet(models.QuerySet):
    def upcoming(self):
        """Booked (or checked-in) appointments from the start of today on, soonest first; also reached
        as `patient.appointments.upcoming()` by apps that must not import this one."""
        start_of_today = datetime.combine(timezone.localdate(), time(0), timezone.get_current_timezone())
        return self.filter(status__in=Appointment.ACTIVE, start__gte=start_of_today).order_by("start", "pk")


class Appointment(models.Model):
    """A booked visit. On check-in it gets its draft session; SEQUENCE counts changes for calendars."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CHECKED_IN = "checked-in", _("Checked in")
        DONE = "done", _("Done")
        NO_SHOW = "no-show", _("Did not attend")
        CANCELLED = "cancelled", _("Cancelled")

    class Reminder(models.TextChoices):
        NONE = "", _("Not sent")
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")

    # Appointments that hold a clinician's and a room's time.
    ACTIVE = (Status.BOOKED, Status.CHECKED_IN)

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="appointments")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments",
                                  verbose_name=_("clinician"))
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("room or chair"))
    start = models.DateTimeField(_("start"))
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"), default=30,
                                               validators=[MinValueValidator(5), MaxValueValidator(240)])
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.BOOKED)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    early_reason = models.CharField(
        _("reason for booking before the payer's date"), max_length=200, blank=True,
    )
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("booked by"))
    booked_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE: bumped on every change of time or status.")
    session = models.OneToOneField(Session, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="appointment")
    reminder_status = models.CharField(_("reminder"), max_length=8, choices=Reminder.choices, blank=True, default="")
    reminder_at = models.DateTimeField(null=True, blank=True, help_text="When the reminder was last tried.")
    reminder_attempts = models.PositiveSmallIntegerField(default=0)
    reminder_detail = models.CharField(max_length=255, blank=True, help_text="Channel, or why sending failed.")

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start", "pk"]
        indexes = [
            models.Index(fields=["clinician", "start"]),
            models.Index(fields=["room", "start"]),
            models.Index(fields=["status", "start"]),
        ]

    def __str__(self):
        return f"{self.patient.full_name}: {timezone.localtime(self.start):%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def end(self):
        return self.start + timedelta(minutes=self.minutes)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class ReminderChoice(models.Model):
    """How the patient wants to be reminded; chosen by the patient in the portal."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message (SMS)")
        NONE = "none", _("No reminders")

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="reminder_choice")
    channel = models.CharField(_("remind me by"), max_length=5, choices=Channel.choices, default=Channel.NONE)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("mobile number"), max_length=32, blank=True)

    def clean(self):
        if self.channel == self.Channel.EMAIL and not self.email:
            raise ValidationError({"email": _("Enter the e-mail address for your reminders.")})
        if self.channel == self.Channel.SMS and not self.phone:
            raise ValidationError({"phone": _("Enter the mobile number for your reminders.")})


class AppointmentRequest(models.Model):
    """A patient's request for an appointment, or to change one; lands on the front desk's list."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="appointment_requests")
    appointment = models.ForeignKey(Appointment, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="change_requests")
    preferred_days = models.CharField(_("preferred days"), max_length=100, blank=True)
    preferred_times = models.CharField(_("preferred times"), max_length=100, blank=True)
    note = models.CharField(_("message to the clinic"), max_length=280, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["handled_at", "created_at"]

    def __str__(self):
        return f"{self.patient.full_name}: {'change' if self.appointment_id else 'new'} ({self.created_at:%Y-%m-%d})"
