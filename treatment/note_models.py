"""The procedure note of a signed session, and each clinician's wording for it.

Declared here and imported by treatment/models.py so the session models stay readable. The note is
append-only (audit.AppendOnlyModel): written once when the session is signed, never changed;
corrections are audit Amendments shown beneath it.
"""
from hashlib import sha256

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, router, transaction
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


class NotePdf(AppendOnlyModel):
    """A procedure note as printed (PDF), kept so that downloads and exports read stored bytes instead of
    rendering it again: WeasyPrint takes most of a second a note, which would dominate a clinic's export.

    The PDF shows the signed text, its amendments and the session's ultrasound stills. The text never
    changes and amendments are only added, so one PDF is kept per state of what it shows (`shows`, a
    digest of the amendments and stills it was made from); a new amendment brings a new PDF on first
    use, and none is ever changed. `sha256` is checked on every read.
    """

    note = models.ForeignKey(ProcedureNote, on_delete=models.PROTECT, related_name="pdfs")
    shows = models.CharField(max_length=64, help_text="SHA-256 of what the PDF shows beside the text: the "
                                                      "amendments and stills it was rendered with.")
    file = models.FileField(upload_to="notes/%Y/%m/")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the PDF's bytes, checked when it is read.")
    size = models.PositiveIntegerField(help_text="Bytes.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["note", "shows"], name="treatment_notepdf_one_per_state")]

    def __str__(self):
        return f"PDF of the procedure note of session {self.note.session_id} ({self.size} bytes)"

    @classmethod
    def keep(cls, note: ProcedureNote, shows: str, data: bytes) -> "NotePdf":
        """Store `data` as the PDF of `note` in state `shows`. When another request or server stored one
        for that state first, theirs is kept and returned, and this copy's file is removed."""
        field = cls._meta.get_field("file")
        name = field.storage.save(field.generate_filename(None, f"procedure-note-{note.session_id}.pdf"),
                                  ContentFile(data))
        try:
            with transaction.atomic():
                return cls.objects.create(note=note, shows=shows, file=name, sha256=sha256(data).hexdigest(),
                                          size=len(data))
        except IntegrityError:
            field.storage.delete(name)
            # Read where it was written: a lagging replica might not show the other server's row yet.
            return cls.objects.using(router.db_for_write(cls)).get(note=note, shows=shows)

    def read(self) -> bytes | None:
        """The stored bytes; None when the file is missing or its hash no longer matches (the caller
        renders the note again and logs it)."""
        try:
            with self.file.open("rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            return None
        return data if sha256(data).hexdigest() == self.sha256 else None
