"""The audit trail, amendments to signed notes, and refused edits: all append-only.

Nothing here is ever changed or deleted by the application: the models refuse it (save() of an
existing row, delete(), QuerySet.update()/delete()), and the database refuses it too (triggers
installed by migration 0002, see audit/db.py).
"""
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import signals as security


class AppendOnlyError(Exception):
    """An attempt to change or delete an append-only record."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.label} is append-only: rows cannot be updated.")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.label} is append-only: rows cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(f"{self.model._meta.label} is append-only: rows cannot be updated.")

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.label} is append-only: rows cannot be updated.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} is append-only: a saved row cannot be changed.")
        kwargs["force_insert"] = True
        kwargs.pop("force_update", None)
        kwargs.pop("update_fields", None)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} is append-only: a row cannot be deleted.")


class Action(models.TextChoices):
    """What happened, named by the code that did it (audit/events.py); never guessed from a URL."""

    READ = "read", _("Read")
    LIST = "list", _("Listed (search, worklist, report)")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    SIGN = "sign", _("Sign")
    COSIGN = "cosign", _("Co-sign")
    CONSENT = "consent", _("Consent")
    AMEND = "amend", _("Amend")
    ADMIN_ADD = "admin-add", _("Admin: add")
    ADMIN_CHANGE = "admin-change", _("Admin: change")
    ADMIN_DELETE = "admin-delete", _("Admin: delete")
    REFUSED = "refused", _("Refused")
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login-failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    TOKEN_USE = "token-used", _("API token used")
    TOKEN_DENIED = "token-denied", _("API token refused")
    # accounts names what it does (it cannot import the trail: accounts/signals.py); the codes are its own.
    MFA_REQUIRED = security.MFA_REQUIRED, _("Held for the second factor")
    MFA_FAILED = security.MFA_FAILED, _("Second factor failed")
    PASSWORD_CHANGED = security.PASSWORD_CHANGED, _("Password changed")
    RESET_REQUESTED = security.RESET_REQUESTED, _("Password reset requested")
    PASSWORD_RESET = security.PASSWORD_RESET, _("Password reset")


# Actions that show or hand over a patient's data: the accounting of disclosures lists them.
DISCLOSING = (Action.READ, Action.LIST, Action.EXPORT)


class AuditEvent(AppendOnlyModel):
    """Who did what to which record of which patient, when, from where, with what it changed.

    `user` is kept without a database constraint and `username` is copied, so the trail stays
    whole whatever happens to the account later; `patient_id` and `object_id` are plain values
    for the same reason. `before`/`after` hold the changed fields only. Rows form one hash chain
    (`seq`, `prev_hash`, `hash`; see audit/chain.py), so an edited, deleted or forged row is found
    by `tpclinic audit_verify`. Write events with audit.events.record(), never directly.
    """

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+",
    )
    username = models.CharField(_("user"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, blank=True)
    remote_addr = models.CharField(_("address"), max_length=45, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    patient_id = models.BigIntegerField(_("patient id"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    method = models.CharField(_("method"), max_length=10, blank=True)
    status = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    seq = models.BigIntegerField(_("number in the chain"), unique=True, null=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["patient_id", "at"], name="audit_patient_at"),
            models.Index(fields=["username", "at"], name="audit_username_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]
        default_permissions = ("view",)

    def __str__(self):
        what = f" {self.object_type} {self.object_id}".rstrip() if self.object_type else ""
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action}{what}"

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each changed field, for the reports."""
        before, after = self.before or {}, self.after or {}
        return [(key, before.get(key), after.get(key)) for key in sorted(set(before) | set(after))]

    def save(self, *args, **kwargs):
        """Appended at the end of the hash chain, under the chain's lock."""
        from audit import chain

        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} is append-only: a saved row cannot be changed.")
        chain.append(self, getattr(self, "disclosed", ()))


class AuditDisclosure(AppendOnlyModel):
    """One patient whose records an event showed or handed over (a read, a list, an export).

    Kept as rows, so "who saw patient X, and what left the clinic about her" is one query. The
    patient ids are also part of the event's hash, so a removed or added row breaks the chain.
    """

    event = models.ForeignKey(AuditEvent, on_delete=models.DO_NOTHING, db_constraint=False,
                              related_name="disclosures")
    patient_id = models.BigIntegerField(_("patient id"), db_index=True)

    class Meta:
        default_permissions = ("view",)
        constraints = [models.UniqueConstraint(fields=["event", "patient_id"], name="audit_disclosure_once")]

    def __str__(self):
        return f"event {self.event_id}: patient {self.patient_id}"


class ChainHead(models.Model):
    """The single row that holds the last link of the audit chain.

    Writers lock it (SELECT ... FOR UPDATE) so concurrent writers on PostgreSQL keep one chain;
    it also anchors the end of the chain, so deleting the newest rows is noticed.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        default_permissions = ()


class Amendment(AppendOnlyModel):
    """A dated, signed addition to a record that can no longer change (a signed session).

    The original stays as it was signed; amendments are shown beneath it, oldest first.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="amendments")
    reason = models.CharField(_("reason for the amendment"), max_length=200)
    text = models.TextField(_("amendment"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_amendment_object")]
        default_permissions = ("view",)

    def __str__(self):
        return f"Amendment by {self.author} at {self.created_at:%Y-%m-%d %H:%M}: {self.reason}"

    @classmethod
    def of(cls, record):
        """The amendments of `record` (any model), oldest first."""
        return cls.objects.filter(content_type=ContentType.objects.get_for_model(type(record)),
                                  object_id=record.pk).select_related("author")


class RejectedEdit(AppendOnlyModel):
    """A save refused because someone else changed the record first: what the user had typed.

    Kept so a refused edit is never lost: the user is shown it next to the current version and
    can copy what they need.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    patient = models.ForeignKey("patients.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(help_text="The submitted form, as typed.")
    base_version = models.PositiveIntegerField(null=True, blank=True, help_text="The version the user was editing.")
    current_version = models.PositiveIntegerField(null=True, blank=True, help_text="The version saved by the other person.")

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)

    def __str__(self):
        return f"Refused edit of {self.content_type.model} {self.object_id} by {self.user} at {self.created_at:%Y-%m-%d %H:%M}"
