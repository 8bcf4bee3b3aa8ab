from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from safety import data_files
from safety.agents import Agent


class Role(models.TextChoices):
    CLINICIAN = "clinician", _("Clinician")
    NURSE = "nurse", _("Nurse or medical assistant")
    FRONT_DESK = "front_desk", _("Front desk")
    ADMIN = "admin", _("Administrator")


class Needle(models.TextChoices):
    """Needle sizes a clinician can make their default: gauge and length (the injection row's two fields)."""

    G25_38 = "25-38", _("25 G, 38 mm (1.5 in)")
    G25_25 = "25-25", _("25 G, 25 mm (1 in)")
    G27_32 = "27-32", _("27 G, 32 mm (1.25 in)")
    G22_38 = "22-38", _("22 G, 38 mm (1.5 in)")
    G22_64 = "22-64", _("22 G, 64 mm (2.5 in)")
    G25_64 = "25-64", _("25 G, 64 mm (2.5 in)")


class StaffProfile(models.Model):
    """What the clinic knows about a member of staff beyond their login."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CLINICIAN)
    credentials = models.CharField(_("credentials"), max_length=60, blank=True, help_text=_("e.g. MD, DO, PT"))
    preferred_interval_days = models.PositiveSmallIntegerField(
        _("preferred interval between sessions (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("New courses start with this interval; each course can change it."),
    )
    default_agent = models.CharField(
        _("default injectate"), max_length=20, choices=Agent.choices, blank=True,
        help_text=_("New injection rows start with this injectate."),
    )
    default_needle = models.CharField(
        _("default needle"), max_length=8, choices=Needle.choices, blank=True,
        help_text=_("New injection rows start with this needle."),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True,
        help_text=_("Pages open in this language at login; blank follows the browser."),
    )

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.username} ({self.get_role_display()})"

    def injection_defaults(self) -> dict:
        """The injection row fields this clinician's defaults set (none when they chose none)."""
        values = {}
        if self.default_agent:
            values["agent"] = self.default_agent
            anaesthetic = data_files.dose_limits().agents.get(self.default_agent)
            if anaesthetic:  # start at a strength the agent comes in for infiltration (dose_limits.toml)
                values["concentration_pct"] = anaesthetic.starting_pct
        if self.default_needle:
            gauge, length = self.default_needle.split("-")
            values.update(needle_gauge=int(gauge), needle_length_mm=int(length))
        return values

    @property
    def is_clinician(self) -> bool:
        return self.role == Role.CLINICIAN
