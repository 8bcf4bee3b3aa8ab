from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anatomy.vocabulary import Place, parse_place
from charting.models import TriggerPoint, validate_muscle
from patients.models import Patient
from referral import drawings, examination, learning


class PainDrawing(models.Model):
    """Where the patient hurts on a given day: regions with side and an intensity 0-10."""

    class Source(models.TextChoices):
        CLINICIAN = "clinician", _("Clinician")
        PATIENT = "patient", _("Patient")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="pain_drawings")
    drawn_on = models.DateField(_("date"), default=timezone.localdate)
    marks = models.JSONField(_("marked regions"), default=list,
                             help_text='List of {"place": "CODE:side", "intensity": 0-10}.')
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.CLINICIAN)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-drawn_on", "-id"]
        indexes = [models.Index(fields=["patient", "drawn_on"])]

    def __str__(self):
        return f"Pain drawing {self.drawn_on:%Y-%m-%d} ({len(self.marks)} regions)"

    @property
    def places(self) -> list[Place]:
        return [parse_place(mark["place"]) for mark in self.marks]

    @property
    def keys(self) -> list[str]:
        return [mark["place"] for mark in self.marks]

    @property
    def mark_codes(self) -> list[str]:
        """The marks as the body map and the forms write them: `neck.angle:left@7`."""
        return [mark["place"] if mark.get("intensity") is None else f'{mark["place"]}@{mark["intensity"]}'
                for mark in self.marks]

    @property
    def extent_pct(self) -> float:
        return 100 * drawings.extent(self.places)

    def ranking_input(self) -> list[tuple[Place, int]]:
        return [(parse_place(mark["place"]), mark.get("intensity", 5)) for mark in self.marks]

    def findings_map(self) -> dict[tuple[str, str], dict[str, bool]]:
        """The examination findings recorded after this drawing: (muscle, side) -> {finding: present}."""
        found: dict[tuple[str, str], dict[str, bool]] = {}
        for row in self.findings.all():
            found.setdefault((row.muscle, row.side), {})[row.finding] = row.present
        return found


def validate_finding(code: str) -> None:
    if code not in examination.findings():
        raise ValidationError(_("Unknown examination finding %(code)s.") % {"code": code})


class ExaminationFinding(models.Model):
    """One finding of the trigger point examination of a candidate muscle, recorded after (and with)
    a saved pain drawing. One row per drawing, muscle, side and finding: recording it again changes
    whether it was present. Charting the muscle as a trigger point links the findings to it."""

    class Side(models.TextChoices):
        LEFT = "left", _("Left")
        RIGHT = "right", _("Right")

    drawing = models.ForeignKey(PainDrawing, on_delete=models.CASCADE, related_name="findings")
    muscle = models.CharField(_("muscle"), max_length=60, validators=[validate_muscle])
    side = models.CharField(_("side"), max_length=5, choices=Side.choices)
    finding = models.CharField(_("finding"), max_length=30, validators=[validate_finding])
    present = models.BooleanField(_("present"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    trigger_point = models.ForeignKey(TriggerPoint, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="examination_findings")

    class Meta:
        ordering = ["drawing", "muscle", "side", "finding"]
        constraints = [models.UniqueConstraint(fields=["drawing", "muscle", "side", "finding"],
                                               name="referral_one_finding_per_drawing_muscle_side")]

    def __str__(self):
        state = _("present") if self.present else _("absent")
        return f"{self.muscle} {self.side}: {examination.finding(self.finding).label} {state}"

    @property
    def label(self) -> str:
        return examination.finding(self.finding).label


class LearnedModel(models.Model):
    """One build of the clinic's learned referral model (issue 17): counts of confirmed examples per
    muscle and side-relative zone, and nothing else. No patient, drawing, course or date of care is
    stored, so the counts can be shared. The newest row is the clinic's model."""

    version = models.CharField(max_length=80)
    examples = models.PositiveIntegerField()
    counts = models.JSONField(help_text="learning.ClinicModel.to_dict(): counts per muscle and zone only.")
    source = models.CharField(max_length=10, choices=[("clinic", "clinic records"), ("file", "pooled file")])
    built_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-built_at", "-id"]
        get_latest_by = ["built_at", "id"]

    def __str__(self):
        return f"Learned referral model {self.version} ({self.examples} examples)"

    @classmethod
    def store(cls, model: "learning.ClinicModel", source: str) -> "LearnedModel":
        return cls.objects.create(version=model.version, examples=model.examples, counts=model.to_dict(), source=source)

    @classmethod
    def current(cls) -> "learning.ClinicModel | None":
        row = cls.objects.order_by("-built_at", "-id").only("pk", "version").first()
        if row is None:
            return None
        if _current.get("key") != (row.pk, row.version):  # read and parse the counts once per build
            counts = cls.objects.values_list("counts", flat=True).get(pk=row.pk)
            _current.update(key=(row.pk, row.version), model=learning.ClinicModel.from_dict(counts))
        return _current["model"]


_current: dict = {}
