"""Clinical review of the texts patients read (library articles, consent forms, the handout)."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TextReview(models.Model):
    """A clinician with the reviewer role approved one exact wording of one text in one language.

    `fingerprint` is the SHA-256 of the wording approved: when the shipped text changes, the review
    no longer matches and the text is a draft again until someone approves the new wording. Reviews
    are kept as a history (one row per approval), never edited.
    """

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Health library article")
        CONSENT = "consent", _("Consent form")
        HANDOUT = "handout", _("Patient handout")

    kind = models.CharField(_("kind of text"), max_length=10, choices=Kind.choices)
    key = models.CharField(_("text"), max_length=100, help_text=_("The article's slug; 'form' or 'handout' otherwise."))
    language = models.CharField(_("language"), max_length=10)
    fingerprint = models.CharField(_("wording fingerprint"), max_length=64)
    version = models.CharField(_("data version"), max_length=40, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("reviewer"))
    reviewer_name = models.CharField(_("reviewer's name as shown"), max_length=150)
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["kind", "key", "language"], name="library_review_text")]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.kind} {self.key} [{self.language}] reviewed by {self.reviewer_name} on {self.reviewed_at:%Y-%m-%d}"
