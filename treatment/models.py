from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, gettext, pgettext
from django.utils.translation import gettext_lazy as _

from anatomy import vocabulary
from charting.models import Side, TriggerPoint, validate_muscle
from patients.models import Patient
from safety import agents
from tpclinic.limits import validate_session_date
from tpclinic.versioning import Versioned
from treatment import course_rules
# The procedure note's models live in their own module (they name Session by label) and are
# registered with the app here, like the rest of its models.
from treatment.note_models import NotePdf, NoteTemplate, ProcedureNote  # noqa: F401

PAIN_SCALE = [MinValueValidator(0), MaxValueValidator(10)]


# The appointment statuses that hold the course's next visit (scheduling.Appointment.ACTIVE, which
# reaches this app only through its `appointments` reverse relation; a scheduling test pins the two).
BOOKED_APPOINTMENT = ("booked", "checked-in")


SIGNED_PREFETCH = "signed_for_schedule"  # CourseQuerySet.with_schedule's prefetch of signed sessions


class CourseQuerySet(models.QuerySet):
    """The one home of "open course" and of the worklist's counts."""

    def open(self):
        """Planned or active courses. `__in=[True]` compiles to an equality the worklist index can seek
        on; `is_open=True` becomes a bare column test that SQLite answers with a full scan."""
        return self.filter(is_open__in=[True])

    def with_schedule(self):
        """Prefetch what a course's line reads (Course.response, last_session, due_status): its signed
        sessions' dates and first pain scores, and its appointments. Not whole sessions: their screen
        snapshots are JSON, and a worklist page of 50 courses would build some 350 of them."""
        signed = Session.objects.filter(status=Session.Status.SIGNED).only(
            "id", "course_id", "status", "performed_at", "pain_before")
        # Under its own name: `course.sessions.all()` stays every session, not these trimmed signed ones.
        return self.prefetch_related(models.Prefetch("sessions", queryset=signed, to_attr=SIGNED_PREFETCH),
                                     "appointments")

    def due_counts(self, today) -> dict:
        """How many of these courses Course.due_status() puts in each bucket, counted in the database
        from the stored schedule (same meaning as course_rules.due_status: the example table in
        treatment/tests/test_schedule.py checks each bucket against it), plus the total."""
        start_of_today = timezone.make_aware(datetime.combine(today, time.min))
        # The courses with a booking ahead, found once (an index range on status and start) rather than
        # per course: a correlated EXISTS let SQLite walk every future booking for each open course.
        appointment = Course._meta.get_field("appointments").related_model  # scheduling's, not imported
        booked = appointment.objects.filter(status__in=BOOKED_APPOINTMENT, start__gte=start_of_today).values("course_id")
        waiting = self.order_by().filter(sessions_done__lt=models.F("planned_sessions")).exclude(pk__in=booked)
        soon = today + timedelta(days=course_rules.DUE_SOON_DAYS)
        started = models.Q(sessions_done__gt=0)
        counts = waiting.aggregate(
            overdue=models.Count("pk", filter=started & models.Q(next_due_on__lt=today)),
            due=models.Count("pk", filter=started & models.Q(next_due_on__gte=today, next_due_on__lte=soon)),
            not_scheduled=models.Count("pk", filter=models.Q(sessions_done=0)),
        )
        return {**counts, "total": self.order_by().count()}


class Course(Versioned):
    """A planned series of injection sessions for one patient and one diagnosis."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")

    OPEN = (Status.PLANNED, Status.ACTIVE)  # what `is_open` means

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="courses")
    diagnosis_code = models.CharField(_("diagnosis (ICD-10-CM)"), max_length=10, default="M79.18")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="courses")
    interval_days = models.PositiveSmallIntegerField(
        _("interval between sessions (days)"), validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    planned_sessions = models.PositiveSmallIntegerField(
        _("planned sessions"), default=3, validators=[MinValueValidator(1), MaxValueValidator(52)],
    )
    goals = models.TextField(_("goals"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    started_on = models.DateField(_("start"), default=timezone.localdate, validators=[validate_session_date])
    next_due_on = models.DateField(
        _("next session due"), null=True, blank=True, editable=False,
        help_text="Kept by refresh_schedule() so the worklist can sort and page in the database.",
    )
    is_open = models.GeneratedField(
        expression=models.Case(models.When(status__in=[str(s) for s in OPEN], then=models.Value(True)),
                               default=models.Value(False)),
        output_field=models.BooleanField(), db_persist=True,
        help_text="Planned or active, kept by the database so the worklist's index can lead with it.",
    )
    sessions_done = models.PositiveSmallIntegerField(default=0, editable=False,
                                                     help_text="Signed sessions, kept by refresh_schedule().")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [
            # The worklist: open courses by due date, for one clinician or all; the trailing columns
            # let its counts read the index alone.
            models.Index(fields=["clinician", "is_open", "next_due_on", "id", "sessions_done", "planned_sessions"],
                         name="course_open_by_clinician"),
            models.Index(fields=["is_open", "next_due_on", "id", "sessions_done", "planned_sessions"],
                         name="course_open_by_due"),
        ]

    def __str__(self):
        return f"{self.patient.full_name}: {self.diagnosis_code} from {self.started_on:%Y-%m-%d}"


    def signed_sessions(self) -> list["Session"]:
        """Signed sessions oldest first; uses a prefetch when the caller made one (with_schedule's, or
        of all sessions)."""
        sessions = getattr(self, SIGNED_PREFETCH, None)
        if sessions is None:
            sessions = self.sessions.all()
        return sorted((s for s in sessions if s.is_signed), key=lambda s: (s.performed_at, s.pk))

    def response(self) -> course_rules.ResponseJudgement:
        return course_rules.judge_response([s.pain_before for s in self.signed_sessions()])

    def last_session(self) -> "Session | None":
        signed = self.signed_sessions()
        return signed[-1] if signed else None

    def refresh_schedule(self, save: bool = True) -> None:
        """Recompute the stored schedule, the one copy every page reads: `next_due_on` (course_rules.next_due
        of the last signed session) and `sessions_done`. Called when a session is signed (signing, or
        Session.save of a signed session) or the plan changes (Course.save)."""
        signed = self.sessions.filter(status=Session.Status.SIGNED) if self.pk else Session.objects.none()
        last = signed.order_by("-performed_at").values_list("performed_at", flat=True).first()
        self.sessions_done = signed.count() if self.pk else 0
        self.next_due_on = course_rules.next_due(timezone.localdate(last) if last else None, self.interval_days, self.started_on)
        if save:
            Course.objects.filter(pk=self.pk).update(next_due_on=self.next_due_on, sessions_done=self.sessions_done)

    def save(self, *args, **kwargs):
        self.refresh_schedule(save=False)
        super().save(*args, **kwargs)

    def first_booking(self, today: date | None = None):
        """The first booked or checked-in appointment from today on (the scheduling app's, read through
        the `appointments` reverse relation, so a prefetch serves a whole page of courses)."""
        today = today or timezone.localdate()
        booked = [a for a in self.appointments.all()
                  if a.status in BOOKED_APPOINTMENT and timezone.localdate(a.start) >= today]
        return min(booked, key=lambda a: (a.start, a.pk), default=None)

    def due_status(self, today: date | None = None) -> course_rules.DueStatus:
        """Where the course stands (course_rules.due_status) from the stored schedule and its booking."""
        today = today or timezone.localdate()
        booking = self.first_booking(today)
        return course_rules.due_status(
            today=today, due=self.next_due_on,
            scheduled_on=timezone.localdate(booking.start) if booking else None,
            sessions_done=self.sessions_done, planned_sessions=self.planned_sessions,
        )


class Session(Versioned):
    """One visit of the course: pain scores, the injections given, and the signature."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    performed_at = models.DateTimeField(_("date and time"), default=timezone.now, validators=[validate_session_date])
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sessions")
    pain_before = models.PositiveSmallIntegerField(_("pain before (0-10)"), null=True, blank=True, validators=PAIN_SCALE)
    pain_after = models.PositiveSmallIntegerField(_("pain after (0-10)"), null=True, blank=True, validators=PAIN_SCALE)
    immediate_relief_pct = models.PositiveSmallIntegerField(
        _("immediate relief (%)"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    consent_recorded = models.BooleanField(_("consent recorded"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    systemic_infection = models.BooleanField(_("signs of systemic infection today"), default=False)
    site_infection = models.BooleanField(_("infection at or near a planned site"), default=False)
    dose_override_reason = models.TextField(
        _("reason for exceeding the dose limit"), blank=True,
        help_text=_("Only when the local anaesthetic total is over the limit and you proceed anyway."),
    )
    screen_snapshot = models.JSONField(default=dict, blank=True, help_text="The risk screen as shown when signed.")
    cpt_codes = models.CharField(_("CPT"), max_length=40, blank=True)
    em_code = models.CharField(
        _("separate E/M billed today"), max_length=5, blank=True,
        help_text=_("Only for a significant, separately identifiable evaluation on the day of the injections."),
    )
    bill_imaging_guidance = models.BooleanField(
        _("bill the imaging-guidance add-on"), default=False,
        help_text=_("Only when a site was ultrasound-guided and the patient's payer covers imaging guidance: the "
                    "live check gives the payer's note. Signing refuses it for a payer that does not cover it."),
    )
    status = models.CharField(_("status"), max_length=6, choices=Status.choices, default=Status.DRAFT)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["performed_at", "id"]
        indexes = [models.Index(fields=["course", "performed_at"])]
        verbose_name = _("session")

    def __str__(self):
        return f"Session {self.performed_at:%Y-%m-%d} ({self.get_status_display()})"

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.is_signed:  # a signed session moves the course's stored schedule
            self.course.refresh_schedule()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        if self.is_signed:
            self.course.refresh_schedule()
        return result

    def sign_problems(self) -> list[str]:
        """What must be fixed before this session can be signed."""
        problems = []
        if self.pain_before is None:
            problems.append(str(_("Record the pain score before the injections.")))
        if self.pain_after is None:
            problems.append(str(_("Record the pain score after the injections.")))
        if not self.consent_recorded:
            problems.append(str(_("Record the patient's consent.")))
        if not self.injections.exists():
            problems.append(str(_("Add at least one injection.")))
        return problems


class CoSignature(models.Model):
    """A covering clinician's signature on another clinician's session, with the reason they sign it.

    Only the session's own clinician signs it plainly; anyone else signing is recorded here, who,
    when, for whom and why, and shown beside the signature on the session and in its note.
    """

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="cosignatures")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        help_text="The session's clinician when it was co-signed.",
    )
    signed_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(_("attestation"), max_length=500)

    class Meta:
        ordering = ["signed_at", "id"]

    def __str__(self):
        return f"Co-signed by {self.signed_by} for {self.on_behalf_of} on {self.signed_at:%Y-%m-%d %H:%M}"


ULTRASOUND_STILL_MAX_BYTES = 5 * 1024 * 1024
# An image is recognised by its first bytes, not by the name or the browser's declared type.
ULTRASOUND_STILL_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg"}


def still_kind(head: bytes) -> str | None:
    """"png" or "jpeg" by the file's first bytes (never its name), None for anything else."""
    return next((kind for signature, kind in ULTRASOUND_STILL_SIGNATURES.items() if head.startswith(signature)), None)


def validate_ultrasound_still(upload) -> None:
    """An ultrasound still is a PNG or JPEG image of at most 5 MB; anything else is refused."""
    if upload.size > ULTRASOUND_STILL_MAX_BYTES:
        raise ValidationError(_("The ultrasound still is larger than 5 MB. Export a smaller image."))
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(8)
    upload.seek(position)
    if still_kind(head) is None:
        raise ValidationError(_("The ultrasound still must be a PNG or JPEG image."))


class Injection(models.Model):
    Agent = agents.Agent

    class Technique(models.TextChoices):
        SINGLE_PASS = "single", _("Single pass")
        FANNING = "fanning", _("Fanning")

    class Guidance(models.TextChoices):
        NONE = "none", _("None (landmark)")
        ULTRASOUND = "ultrasound", _("Ultrasound")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="injections")
    trigger_point = models.ForeignKey(TriggerPoint, on_delete=models.PROTECT, related_name="injections")
    agent = models.CharField(_("injectate"), max_length=20, choices=Agent.choices, default=Agent.LIDOCAINE)
    concentration_pct = models.DecimalField(
        _("concentration (%)"), max_digits=4, decimal_places=2, default=Decimal("1.00"),
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    with_epinephrine = models.BooleanField(_("with epinephrine"), default=False)
    volume_ml = models.DecimalField(
        _("volume (mL)"), max_digits=5, decimal_places=2, default=Decimal("1.00"),
        validators=[MinValueValidator(0), MaxValueValidator(50)],
    )
    needle_gauge = models.PositiveSmallIntegerField(
        _("needle gauge"), default=25, validators=[MinValueValidator(18), MaxValueValidator(32)],
    )
    needle_length_mm = models.PositiveSmallIntegerField(
        _("needle length (mm)"), default=38, validators=[MinValueValidator(5), MaxValueValidator(150)],
    )
    technique = models.CharField(_("technique"), max_length=10, choices=Technique.choices, default=Technique.FANNING)
    twitch_elicited = models.BooleanField(_("local twitch elicited"), default=False)
    guidance = models.CharField(_("guidance"), max_length=12, choices=Guidance.choices, default=Guidance.NONE)
    lot_number = models.CharField(_("lot"), max_length=40, blank=True)
    lot_expiry = models.DateField(_("lot expiry"), null=True, blank=True)
    ultrasound_image = models.FileField(
        _("ultrasound still"), upload_to="ultrasound/%Y/%m/", blank=True, validators=[validate_ultrasound_still],
        help_text=_("Only with ultrasound guidance: a PNG or JPEG image, at most 5 MB."),
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.trigger_point}: {self.describe_mixture()}"

    def components(self) -> list:
        """Every agent in the syringe, the row's own first: this row and its InjectionAgent rows (or,
        for a row as typed in the form, the agents typed with it, set by the form as `typed_mixture`)."""
        typed = getattr(self, "typed_mixture", None)
        if typed is not None:
            return [self, *typed]
        return [self, *self.mixed_agents.all()] if self.pk else [self]

    def replace_mixture(self, agents: list["InjectionAgent"], store=None) -> None:
        """The row's mixed agents become `agents` (the form and an import send the whole mixture).
        `store` keeps each new agent (default: save it); an import passes its bulk writer, and a row it
        has not written to the database yet has no old agents to delete."""
        if not self._state.adding:
            self.mixed_agents.all().delete()
        for agent in agents:
            agent.pk, agent.injection = None, self
            (store or InjectionAgent.save)(agent)
        self.typed_mixture = None

    def describe_mixture(self) -> str:
        """The whole syringe: the row's own agent, then each agent mixed with it."""
        return " + ".join([self.describe_injectate(), *(a.describe() for a in self.components()[1:])])

    def describe_injectate(self) -> str:
        if self.agent == self.Agent.DRY_NEEDLING:
            return str(self.get_agent_display())
        if self.agent == self.Agent.SALINE:
            return f"{self.get_agent_display()} {self.volume_ml} mL"
        values = {"agent": self.get_agent_display(), "pct": self.concentration_pct.normalize(), "ml": self.volume_ml}
        if self.with_epinephrine:
            return gettext("%(agent)s %(pct)s%% with epinephrine, %(ml)s mL") % values
        return f"{values['agent']} {values['pct']}%, {values['ml']} mL"

    def clean(self):
        if self.agent in {self.Agent.SALINE, self.Agent.DRY_NEEDLING}:
            self.concentration_pct = Decimal("0")
            self.with_epinephrine = False
        if self.agent == self.Agent.DRY_NEEDLING:
            self.volume_ml = Decimal("0")
        elif self.volume_ml is not None and self.volume_ml <= 0:
            raise ValidationError({"volume_ml": _("Enter the volume injected, more than 0 mL.")})
        if self.agent not in {self.Agent.SALINE, self.Agent.DRY_NEEDLING} and not self.concentration_pct:
            raise ValidationError({"concentration_pct": _("Enter the concentration of the local anaesthetic.")})
        if self.ultrasound_image and self.guidance != self.Guidance.ULTRASOUND:
            raise ValidationError({"ultrasound_image": _("Attach an ultrasound still only when the guidance is ultrasound.")})


def refuse_expired_lot(expiry, day) -> None:
    """A lot that expired before the session's day is refused: nothing expired is charted as given."""
    if expiry is not None and day is not None and expiry < day:
        raise ValidationError(_("This lot expired on %(expiry)s, before the session (%(day)s). Use another lot.")
                              % {"expiry": expiry.isoformat(), "day": day.isoformat()})


class InjectionAgent(models.Model):
    """A further agent in the same syringe as its injection's own agent (a mixture), e.g.
    bupivacaine 0.25% or triamcinolone 20 mg added to lidocaine 1%.

    The row's first agent stays on Injection (its fields are what every single-agent row already
    holds); the rules read the whole mixture through Injection.components(). A local anaesthetic
    or saline is given as concentration and volume; a corticosteroid as mg (and optionally mL).
    """

    injection = models.ForeignKey(Injection, on_delete=models.CASCADE, related_name="mixed_agents")
    agent = models.CharField(_("mixed with"), max_length=20, choices=agents.MIXTURE_CHOICES)
    concentration_pct = models.DecimalField(_("concentration (%)"), max_digits=4, decimal_places=2, null=True,
                                            blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)])
    with_epinephrine = models.BooleanField(_("with epinephrine"), default=False)
    volume_ml = models.DecimalField(_("volume (mL)"), max_digits=5, decimal_places=2, null=True, blank=True,
                                    validators=[MinValueValidator(0), MaxValueValidator(50)])
    dose_mg = models.DecimalField(_("dose (mg)"), max_digits=6, decimal_places=2, null=True, blank=True,
                                  validators=[MinValueValidator(0), MaxValueValidator(1000)])
    lot_number = models.CharField(_("lot"), max_length=40, blank=True)
    lot_expiry = models.DateField(_("lot expiry"), null=True, blank=True)

    FIELDS = ("agent", "concentration_pct", "with_epinephrine", "volume_ml", "dose_mg", "lot_number", "lot_expiry")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.describe()

    @property
    def is_steroid(self) -> bool:
        return self.agent in agents.Corticosteroid.values

    def describe(self) -> str:
        name = str(self.get_agent_display())
        if self.is_steroid:
            return f"{name} {f'{self.dose_mg.normalize():f}' if self.dose_mg is not None else '?'} mg"
        if self.agent == agents.Agent.SALINE:
            return f"{name} {self.volume_ml} mL"
        values = {"agent": name, "pct": f"{(self.concentration_pct or Decimal(0)).normalize():f}", "ml": self.volume_ml}
        if self.with_epinephrine:
            return gettext("%(agent)s %(pct)s%% with epinephrine, %(ml)s mL") % values
        return f"{values['agent']} {values['pct']}%, {values['ml']} mL"

    def clean(self):
        if self.is_steroid:
            self.concentration_pct, self.with_epinephrine = None, False
            if not self.dose_mg:
                raise ValidationError({"dose_mg": _("Enter the corticosteroid dose in mg.")})
            return
        self.dose_mg = None
        if self.agent == agents.Agent.SALINE:
            self.concentration_pct, self.with_epinephrine = None, False
        elif not self.concentration_pct:
            raise ValidationError({"concentration_pct": _("Enter the concentration of the local anaesthetic.")})
        if not self.volume_ml or self.volume_ml <= 0:
            raise ValidationError({"volume_ml": _("Enter the volume injected, more than 0 mL.")})


class InjectionSetQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The clinic-wide sets and the user's own."""
        return self.filter(models.Q(clinic_wide=True) | models.Q(owner=user))


class InjectionSet(models.Model):
    """A favourite: named injections a clinician gives often, applied to a draft in one click.

    Sites are muscle and side, not trigger points, so one set fits every patient; applying it
    matches them to the patient's charted points (workflow.favourite_rows). Clinic-wide sets are
    kept by administrators in the admin site; a personal set belongs to its owner only.
    """

    name = models.CharField(_("name"), max_length=80)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="injection_sets")
    clinic_wide = models.BooleanField(_("clinic-wide"), default=False,
                                      help_text=_("Shown to every clinician, not only its owner."))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InjectionSetQuerySet.as_manager()

    class Meta:
        ordering = ["-clinic_wide", "name", "id"]
        verbose_name = _("favourite injection set")

    def __str__(self):
        return self.name


class InjectionSetItem(models.Model):
    """One site of a favourite and what it receives: the fields of an injection row but the trigger point."""

    FIELDS = ("agent", "concentration_pct", "with_epinephrine", "volume_ml", "needle_gauge", "needle_length_mm",
              "technique", "guidance")

    injection_set = models.ForeignKey(InjectionSet, on_delete=models.CASCADE, related_name="items")
    muscle = models.CharField(_("muscle"), max_length=60, validators=[validate_muscle])
    side = models.CharField(_("side"), max_length=5, choices=Side.choices)
    agent = models.CharField(_("injectate"), max_length=20, choices=agents.Agent.choices)
    concentration_pct = models.DecimalField(_("concentration (%)"), max_digits=4, decimal_places=2,
                                            validators=[MinValueValidator(0), MaxValueValidator(10)])
    with_epinephrine = models.BooleanField(_("with epinephrine"), default=False)
    volume_ml = models.DecimalField(_("volume (mL)"), max_digits=5, decimal_places=2,
                                    validators=[MinValueValidator(0), MaxValueValidator(50)])
    needle_gauge = models.PositiveSmallIntegerField(_("needle gauge"),
                                                    validators=[MinValueValidator(18), MaxValueValidator(32)])
    needle_length_mm = models.PositiveSmallIntegerField(_("needle length (mm)"),
                                                        validators=[MinValueValidator(5), MaxValueValidator(150)])
    technique = models.CharField(_("technique"), max_length=10, choices=Injection.Technique.choices)
    guidance = models.CharField(_("guidance"), max_length=12, choices=Injection.Guidance.choices)
    mixture = models.JSONField(
        default=list, blank=True,
        help_text="The agents mixed with this item's own, as InjectionAgent fields (agent, concentration_pct, "
                  "with_epinephrine, volume_ml, dose_mg as strings); lots are not kept in a favourite.",
    )

    class Meta:
        ordering = ["id"]

    def mixed_agents(self) -> list[InjectionAgent]:
        """The kept mixture as unsaved InjectionAgent rows (its JSON strings read as the fields' types)."""
        return [InjectionAgent(**{name: InjectionAgent._meta.get_field(name).to_python(value)
                                  for name, value in agent.items() if name in InjectionAgent.FIELDS})
                for agent in self.mixture or []]

    def describe_mixture(self) -> str:
        """What the item gives, worded as an injection row with the same syringe would be."""
        injection = Injection(**{name: getattr(self, name) for name in self.FIELDS})
        injection.typed_mixture = self.mixed_agents()
        return injection.describe_mixture()

    def __str__(self):
        return pgettext("muscle and side", "%(muscle)s, %(side)s") % {
            "muscle": vocabulary.muscle_label(self.muscle, get_language()), "side": str(self.get_side_display()).lower()}
