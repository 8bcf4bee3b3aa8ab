from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLINICIAN = "clinician", _("Clinician")
    NURSE = "nurse", _("Nurse or medical assistant")
    FRONT_DESK = "front_desk", _("Front desk")
    ADMIN = "admin", _("Administrator")


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
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True,
        help_text=_("Pages open in this language at login; blank follows the browser."),
    )

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.username} ({self.get_role_display()})"

    @property
    def is_clinician(self) -> bool:
        return self.role == Role.CLINICIAN
