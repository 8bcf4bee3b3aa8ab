from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models import Patient
from referral.models import PainDrawing

NOTE_MAX = 280


class DiaryEntry(models.Model):
    """One day of the patient's pain diary: a 0-10 score, a short note and, optionally, where it hurt."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="diary_entries")
    day = models.DateField(_("day"))
    pain = models.PositiveSmallIntegerField(
        _("pain (0-10)"), validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    note = models.CharField(_("note"), max_length=NOTE_MAX, blank=True)
    drawing = models.ForeignKey(
        PainDrawing, null=True, blank=True, on_delete=models.SET_NULL, related_name="diary_entries",
        verbose_name=_("pain drawing"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("diary entry")
        verbose_name_plural = _("diary entries")
        constraints = [
            models.UniqueConstraint(fields=["patient", "day"], name="portal_one_diary_entry_per_day"),
            models.CheckConstraint(condition=models.Q(pain__gte=0, pain__lte=10), name="portal_diary_pain_0_10"),
        ]

    def __str__(self):
        return f"{self.patient}: {self.day:%Y-%m-%d} pain {self.pain}/10"

    @property
    def region_count(self) -> int:
        return len(self.drawing.marks) if self.drawing_id and self.drawing else 0

    def clean(self):
        if self.day and self.day > timezone.localdate():
            raise ValidationError({"day": _("The diary cannot have an entry for a day in the future.")})

