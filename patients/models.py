from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.validators import validate_language_tag
from safety.models import Payer
from tpclinic.limits import validate_birth_date
from tpclinic.versioning import Versioned


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Patient(Versioned):
    mrn = models.CharField(_("MRN"), max_length=32, unique=True, help_text=_("Medical record number"))
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    birth_date = models.DateField(_("date of birth"), validators=[validate_birth_date])
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    height_cm = models.DecimalField(
        _("height (cm)"), max_digits=5, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(40), MaxValueValidator(260)],
    )
    weight_kg = models.DecimalField(
        _("weight (kg)"), max_digits=5, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(2), MaxValueValidator(400)],
    )
    measured_on = models.DateField(
        _("height and weight measured on"), null=True, blank=True,
        help_text=_("When the height or weight on file was taken (FHIR vital signs' effective date)."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=35, default="en", validators=[validate_language_tag],
        help_text=_("BCP 47 tag, e.g. en, es, ar"),
    )
    payer = models.CharField(_("payer policy"), max_length=40, choices=Payer.choices, default=Payer.NONE)
    payer_name = models.CharField(_("payer / plan name"), max_length=120, blank=True)
    bleeding_disorder = models.BooleanField(_("bleeding disorder"), default=False)
    copd = models.BooleanField(_("COPD or emphysema"), default=False)
    pregnant = models.BooleanField(_("pregnant"), default=False)
    renal_disease = models.BooleanField(_("renal disease"), default=False)
    hepatic_disease = models.BooleanField(_("hepatic disease"), default=False)
    cardiac_disease = models.BooleanField(_("cardiac disease"), default=False)
    diabetes = models.BooleanField(_("diabetes"), default=False,
                                   help_text=_("A corticosteroid can raise the blood sugar for several days."))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="patient_record",
        help_text=_("The patient's own portal login, if they have one."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["family_name", "given_name"])]

    def __str__(self):
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    def save(self, *args, **kwargs):
        # A height or weight on file always has a date: the day it is first recorded, unless given.
        if self.measured_on is None and (self.height_cm is not None or self.weight_kg is not None):
            self.measured_on = timezone.localdate()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "measured_on"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        return self.age_on(date.today())

    @property
    def on_anticoagulant(self) -> bool:
        return any(m.kind == Medication.Kind.ANTICOAGULANT for m in self.medications.all())

    @property
    def on_antiplatelet(self) -> bool:
        return any(m.kind == Medication.Kind.ANTIPLATELET for m in self.medications.all())

    @property
    def risk_conditions(self) -> list[str]:
        names = {
            "bleeding_disorder": _("bleeding disorder"), "copd": _("COPD"), "pregnant": _("pregnant"),
            "renal_disease": _("renal disease"), "hepatic_disease": _("hepatic disease"),
            "cardiac_disease": _("cardiac disease"), "diabetes": _("diabetes"),
        }
        return [str(label) for field, label in names.items() if getattr(self, field)]


class Allergy(models.Model):
    class AnaestheticClass(models.TextChoices):
        NONE = "", _("Not a local anaesthetic")
        AMIDE = "amide", _("Amide local anaesthetic")
        ESTER = "ester", _("Ester local anaesthetic")

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="allergies")
    substance = models.CharField(_("substance"), max_length=120)
    anaesthetic_class = models.CharField(
        _("local anaesthetic class"), max_length=10, choices=AnaestheticClass.choices, blank=True, default="",
    )
    reaction = models.CharField(_("reaction"), max_length=200, blank=True)

    class Meta:
        verbose_name_plural = "allergies"

    def __str__(self):
        return self.substance


class Medication(models.Model):
    """Medicines that change bleeding risk at the needle."""

    class Kind(models.TextChoices):
        ANTICOAGULANT = "anticoagulant", _("Anticoagulant")
        ANTIPLATELET = "antiplatelet", _("Antiplatelet")

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="medications")
    name = models.CharField(_("medicine"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"
