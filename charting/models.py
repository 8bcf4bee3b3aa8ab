from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext_lazy as _

from anatomy import vocabulary
from patients.models import Patient
from tpclinic.limits import validate_clinical_day
from tpclinic.versioning import Versioned


class Side(models.TextChoices):
    LEFT = "left", _("Left")
    RIGHT = "right", _("Right")


class View(models.TextChoices):
    FRONT = "front", _("Front")
    BACK = "back", _("Back")


def validate_muscle(code: str) -> None:
    if code not in vocabulary.muscles():
        raise ValidationError(_("Unknown muscle %(code)s."), params={"code": code})


def validate_region(code: str) -> None:
    if code not in vocabulary.regions():
        raise ValidationError(_("Unknown body region %(code)s."), params={"code": code})


class TriggerPointQuerySet(models.QuerySet):
    def map_points(self) -> list[dict]:
        return map_points(self)


class TriggerPoint(Versioned):
    """A charted trigger point: a coded muscle and side, where it sits, and what the exam found."""

    class Activity(models.TextChoices):
        ACTIVE = "active", _("Active (reproduces the patient's pain)")
        LATENT = "latent", _("Latent (tender, no spontaneous pain)")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="trigger_points")
    muscle = models.CharField(_("muscle"), max_length=60, validators=[validate_muscle])
    side = models.CharField(_("side"), max_length=5, choices=Side.choices)
    region = models.CharField(_("body region"), max_length=40, validators=[validate_region])
    region_side = models.CharField(_("region side"), max_length=5, choices=Side.choices, blank=True)
    view = models.CharField(_("body map view"), max_length=5, choices=View.choices)
    map_x = models.FloatField(_("map x"), validators=[MinValueValidator(0), MaxValueValidator(1000)])
    map_y = models.FloatField(_("map y"), validators=[MinValueValidator(0), MaxValueValidator(1000)])
    taut_band = models.BooleanField(_("taut band"), default=False)
    palpable_nodule = models.BooleanField(_("palpable nodule"), default=False)
    local_twitch_response = models.BooleanField(_("local twitch response"), default=False)
    jump_sign = models.BooleanField(_("jump sign"), default=False)
    referred_pain_reproduced = models.BooleanField(_("referred pain reproduced"), default=False)
    activity = models.CharField(_("activity"), max_length=6, choices=Activity.choices, default=Activity.ACTIVE)
    found_on = models.DateField(_("found on"), validators=[validate_clinical_day])
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True, validators=[validate_clinical_day])
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TriggerPointQuerySet.as_manager()

    class Meta:
        ordering = ["found_on", "id"]

    def __str__(self):
        return pgettext("muscle and side", "%(muscle)s, %(side)s") % {
            "muscle": self.muscle_name, "side": str(self.get_side_display()).lower()}

    @property
    def muscle_name(self) -> str:
        """The muscle's name in the active language (English when it has no translated label)."""
        return vocabulary.muscle_label(self.muscle, get_language())

    @property
    def place(self) -> vocabulary.Place:
        return vocabulary.Place(self.region, self.region_side or None)

    @property
    def region_label(self) -> str:
        if self.region not in vocabulary.regions():
            return self.region
        return vocabulary.place_label(self.place, get_language())

    @property
    def is_resolved(self) -> bool:
        return self.resolved_on is not None

    @property
    def findings(self) -> list[str]:
        names = [
            ("taut_band", _("taut band")), ("palpable_nodule", _("palpable nodule")),
            ("local_twitch_response", _("local twitch response")), ("jump_sign", _("jump sign")),
            ("referred_pain_reproduced", _("referred pain reproduced")),
        ]
        return [str(label) for field, label in names if getattr(self, field)]

    def clean(self):
        if self.region:
            try:
                vocabulary.check_place(self.region, self.region_side or None)
            except vocabulary.VocabularyError as error:
                raise ValidationError({"region": str(error)}) from None
        if self.resolved_on and self.found_on and self.resolved_on < self.found_on:
            raise ValidationError({"resolved_on": _("A trigger point cannot resolve before it was found.")})


def map_points(trigger_points) -> list[dict]:
    """Trigger points as the body map tag draws them, numbered in the order they are listed."""
    return [
        {"id": tp.pk, "view": tp.view, "x": tp.map_x, "y": tp.map_y, "label": str(tp), "number": number,
         "resolved": tp.is_resolved}
        for number, tp in enumerate(trigger_points, start=1)
    ]
