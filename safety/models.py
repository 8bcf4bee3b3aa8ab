from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tpclinic.versioning import Versioned

# Consent and adverse events belong to a treatment session. The models stay in this app (their
# tables, and the many readers of `safety.models`, keep their names) but name the session models by
# label only, so safety imports nothing from treatment; the workflow that writes them is treatment's.
SESSION, INJECTION = "treatment.Session", "treatment.Injection"


class Payer(models.TextChoices):
    """The payer policy on a patient's record (patients.Patient.payer); its rules live in
    safety/data/payer_policies.toml and safety/payer.py."""

    NONE = "none", _("No payer limits")
    MEDICARE_UNIFORM_TPI_2024 = "medicare-uniform-tpi-2024", _("Medicare uniform TPI LCD (2024)")


class ConsentRecord(models.Model):
    """The patient's consent to a session: which form, in which language, with this screen's flags."""

    class Method(models.TextChoices):
        IN_CLINIC = "in-clinic", _("In clinic, witnessed by staff")
        PORTAL = "portal", _("Electronically in the patient portal")

    session = models.ForeignKey(SESSION, on_delete=models.PROTECT, related_name="consents")
    form_version = models.CharField(max_length=40)
    language = models.CharField(max_length=35)
    flags = models.JSONField(default=list, help_text="Screen findings shown to the patient on the form.")
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.IN_CLINIC)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"Consent {self.form_version} ({self.language}) {self.recorded_at:%Y-%m-%d %H:%M}"


class AdverseEvent(Versioned):
    class Kind(models.TextChoices):
        INFECTION = "infection", _("Infection")
        BLEEDING = "bleeding", _("Bleeding or haematoma")
        PNEUMOTHORAX = "pneumothorax", _("Pneumothorax")
        NERVE_INJURY = "nerve-injury", _("Nerve injury")
        ALLERGIC = "allergic", _("Allergic reaction")
        LAST = "last", _("Local anaesthetic systemic toxicity (LAST)")
        VASOVAGAL = "vasovagal", _("Vasovagal reaction")
        FLARE = "flare", _("Post-injection flare")

    class Severity(models.TextChoices):
        MILD = "mild", _("Mild")
        MODERATE = "moderate", _("Moderate")
        SEVERE = "severe", _("Severe")
        LIFE_THREATENING = "life-threatening", _("Life-threatening")

    class Outcome(models.TextChoices):
        ONGOING = "ongoing", _("Ongoing")
        RESOLVED = "resolved", _("Resolved")
        RESOLVED_WITH_SEQUELAE = "sequelae", _("Resolved with sequelae")
        HOSPITALISED = "hospitalised", _("Hospitalised")

    session = models.ForeignKey(SESSION, on_delete=models.PROTECT, related_name="adverse_events")
    injection = models.ForeignKey(INJECTION, null=True, blank=True, on_delete=models.PROTECT, related_name="adverse_events",
                                  help_text=_("The injection it followed, when known."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    onset_at = models.DateTimeField(_("onset"))
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices)
    action = models.TextField(_("action taken"), max_length=4000)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.ONGOING)
    follow_up = models.TextField(_("follow-up"), blank=True, max_length=4000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-onset_at"]
        verbose_name = _("adverse event")

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_severity_display()})"
