from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anatomy.vocabulary import Place, parse_place
from patients.models import Patient
from referral import drawings


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
    def extent_pct(self) -> float:
        return 100 * drawings.extent(self.places)

    def ranking_input(self) -> list[tuple[Place, int]]:
        return [(parse_place(mark["place"]), mark.get("intensity", 5)) for mark in self.marks]
