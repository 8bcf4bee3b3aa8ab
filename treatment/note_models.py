"""The procedure note of a signed session, and each clinician's wording for it.

Declared here and imported by treatment/models.py so the session models stay readable. The note is
append-only (audit.AppendOnlyModel): written once when the session is signed, never changed;
corrections are audit Amendments shown beneath it.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.models import AppendOnlyModel


class NoteTemplate(models.Model):
    """A clinician's own phrases for the parts of the note that are routine.

    A blank phrase means the default, worded in the language the note is written in; a phrase the
    clinician typed is used as typed. `version` goes up on every change so a note names the wording
    it was written from.
    """

    PHRASES = ("time_out", "position", "skin_preparation", "tolerance", "no_complications",
               "blood_loss", "aftercare", "exercise")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="note_template")
    time_out = models.TextField(_("time-out"), blank=True)
    position = models.TextField(_("position"), blank=True)
    skin_preparation = models.TextField(_("skin preparation"), blank=True)
    tolerance = models.TextField(_("tolerance (when no complication)"), blank=True)
    no_complications = models.TextField(_("no complications"), blank=True)
    blood_loss = models.TextField(_("estimated blood loss"), blank=True)
    aftercare = models.TextField(_("aftercare instructions"), blank=True)
    exercise = models.TextField(_("exercise instructions"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Note template of {self.user} (version {self.version})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
        super().save(*args, **kwargs)


class ProcedureNote(AppendOnlyModel):
    """The note as written when the session was signed: its text never changes."""

    session = models.OneToOneField("treatment.Session", on_delete=models.PROTECT, related_name="procedure_note")
    text = models.TextField()
    language = models.CharField(max_length=10, help_text="The language it was written in (the signer's interface).")
    template_version = models.PositiveIntegerField(
        default=0, help_text="The version of the clinician's NoteTemplate used; 0 for the defaults.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Procedure note of session {self.session_id}"
