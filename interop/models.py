"""What the interop app keeps: API tokens, where imported FHIR resources went, and our FHIR identity.

Tokens are stored as SHA-256 digests only, so a copy of the database does not hand out API access;
the token itself is shown once, by `tpclinic api_token`. FhirLink remembers which local record an
imported resource became, so importing the same Bundle again updates instead of duplicating.
"""
import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings

TOKEN_PREFIX = "tpc_"
LAST_USED_RESOLUTION = timedelta(minutes=1)  # write last_used at most once a minute per token


def token_lifetime() -> timedelta:
    """How long a new token works (API_TOKEN_DAYS, 90 by default): a leaked token does not work forever."""
    return timedelta(days=settings.API_TOKEN_DAYS)


def default_expiry():
    return timezone.now() + token_lifetime()


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the JSON API and the FHIR endpoints; acts as its user, with that user's role."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80, help_text=_("What the token is for, e.g. 'billing export'."))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=12, editable=False, help_text=_("Start of the token, to recognise it."))
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.BooleanField(_("revoked"), default=False)
    expires = models.DateTimeField(_("expires"), default=default_expiry,
                                   help_text=_("The token stops working at this time; rotate it before then."))

    use_noted = False  # find() sets it when this use was the one that wrote last_used

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.prefix}..., {self.user})"

    @classmethod
    def issue(cls, user, name: str, days: int | None = None) -> tuple["ApiToken", str]:
        """Create a token; the plain value is returned once and never stored."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        lifetime = timedelta(days=days) if days is not None else token_lifetime()
        token = cls.objects.create(user=user, name=name, token_hash=hash_token(raw), prefix=raw[:12],
                                   expires=timezone.now() + lifetime)
        return token, raw

    @classmethod
    def rotate(cls, user, name: str, days: int | None = None) -> tuple["ApiToken", str, int]:
        """Issue a new token named `name` and revoke the user's working tokens of that name.
        Returns (token, plain value, how many were revoked)."""
        revoked = cls.objects.filter(user=user, name=name, revoked=False).update(revoked=True)
        token, raw = cls.issue(user, name, days)
        return token, raw, revoked

    @classmethod
    def find(cls, raw: str) -> tuple["ApiToken | None", str]:
        """(token, "") for a token that works now; otherwise (the token if known, why it is refused).

        A working token's last_used is written at most once a minute; `use_noted` says this call wrote it.
        """
        if not raw or len(raw) > 200:
            return None, "unknown"
        token = cls.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
        if token is None:
            return None, "unknown"
        now = timezone.now()
        if token.revoked:
            return token, "revoked"
        if token.expires <= now:
            return token, "expired"
        if not token.user.is_active:
            return token, "inactive"
        if token.last_used is None or now - token.last_used > LAST_USED_RESOLUTION:
            cls.objects.filter(pk=token.pk).update(last_used=now)
            token.last_used, token.use_noted = now, True
        return token, ""

    @classmethod
    def user_for(cls, raw: str):
        """The active user behind a working token, or None."""
        token, refusal = cls.find(raw)
        return token.user if token is not None and not refusal else None

    @property
    def expired(self) -> bool:
        return self.expires <= timezone.now()


class Installation(models.Model):
    """One row: this database's identity as a FHIR source (`meta.source` on what we export).

    Importing a file that came from this same database can then update the records it came
    from, while files from other tpclinic installations (whose ids mean other rows) cannot.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    @classmethod
    def source_uri(cls) -> str:
        row = cls.objects.order_by("pk").first() or cls.objects.create()
        return f"urn:uuid:{row.uuid}"


class FhirLink(models.Model):
    """An imported resource (by source, type and id) and the local record it was stored in."""

    source = models.CharField(max_length=255, blank=True, help_text="meta.source of the resource, if it had one.")
    resource_type = models.CharField(max_length=64)
    resource_id = models.CharField(max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "resource_type", "resource_id"], name="interop_fhirlink_unique"),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.resource_type}/{self.resource_id} from {self.source or 'unknown source'}"


class ResourceVersion(models.Model):
    """One version of a FHIR resource as tpclinic served it: the server's version history.

    A FHIR resource is often built from several records (a Procedure from a session and its
    injections), so its version cannot be one record's counter: each time a resource is served
    and its content differs from the last version kept, the next version is written here with
    the content, so `meta.versionId`, ETags, vread and `_history` are real (interop.fhir_versions).
    `patient_id` lets access be judged for versions of records since deleted.
    """

    resource_type = models.CharField(max_length=64)
    resource_id = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    digest = models.CharField(max_length=64, help_text="SHA-256 of the resource without meta.")
    last_updated = models.DateTimeField()
    patient_id = models.BigIntegerField(null=True, blank=True)
    resource = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resource_type", "resource_id", "version"],
                                               name="interop_resource_version_once")]
        indexes = [models.Index(fields=["resource_type", "resource_id", "-version"], name="interop_rv_latest")]

    def __str__(self):
        return f"{self.resource_type}/{self.resource_id}/_history/{self.version}"


class LaunchContext(models.Model):
    """The SMART launch context of an authorisation code, access token or refresh token (by SHA-256).

    The patient chosen on the authorisation page (or a patient's own record) travels from the code
    to the tokens made from it, so the token response names `patient` and a `patient/` scope
    reaches that patient only (interop.smart).
    """

    key = models.CharField(max_length=64, unique=True)
    patient = models.ForeignKey("patients.Patient", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"launch context {self.key[:8]}... patient {self.patient_id}"


class BulkExport(models.Model):
    """One FHIR Bulk Data export request: what was asked, by whom (which token), and how far it got.

    The work runs on the task queue (interop.tasks.run_bulk_export); files go to Django's storage
    under `fhir-exports/<id>/` and are served only to the token (or web user) that asked.
    """

    class Status(models.TextChoices):
        ACCEPTED = "accepted"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        CANCELLED = "cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requester = models.CharField(max_length=80, help_text="SHA-256 of the token that asked, or user:<id> for a session.")
    request_url = models.CharField(max_length=2000)
    level = models.CharField(max_length=10)  # system, patient, group
    group = models.CharField(max_length=64, blank=True)
    types = models.JSONField(default=list)
    since = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    progress = models.CharField(max_length=200, blank=True)
    transaction_time = models.DateTimeField(null=True, blank=True)
    output = models.JSONField(default=list)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    def folder(self) -> str:
        return f"fhir-exports/{self.pk}"


class PatientDemographics(models.Model):
    """What an imported Patient resource said that the Patient model has no field for, kept as read.

    Foreign identifiers, every name (given names as separate items), telecoms, addresses, `deceased[x]`
    and `meta.source` come back in every read of the Patient (fhir_out.people); the original resource
    is kept whole, and `unmapped` lists the elements tpclinic keeps only there (each was a warning in
    the import's OperationOutcome), so nothing read is lost even where tpclinic cannot use it.
    """

    patient = models.OneToOneField("patients.Patient", on_delete=models.CASCADE, related_name="fhir_demographics")
    identifiers = models.JSONField(default=list, blank=True, help_text="Identifier elements not in MRN_SYSTEM.")
    names = models.JSONField(default=list, blank=True, help_text="Every HumanName as read.")
    telecoms = models.JSONField(default=list, blank=True, help_text="Every ContactPoint that has a value.")
    addresses = models.JSONField(default=list, blank=True)
    deceased = models.JSONField(null=True, blank=True, help_text='{"deceasedBoolean": false} or '
                                '{"deceasedDateTime": "..."}; null when the resource did not say.')
    meta_source = models.CharField(max_length=255, blank=True)
    original = models.JSONField(help_text="The resource exactly as imported (the latest import).")
    earlier = models.JSONField(default=list, blank=True, help_text="Earlier imports' resources that differed, oldest "
                               "first: re-importing (our own export, say) never loses what an earlier one said.")
    unmapped = models.JSONField(default=list, blank=True, help_text="FHIRPath of each element kept only in `original`.")
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "patient demographics"

    def __str__(self):
        return f"FHIR demographics of patient {self.patient_id}"


class BackendClient(models.Model):
    """A SMART Backend Services client: an OAuth app that signs its own assertions (private_key_jwt) with a
    key from the JWKS registered here, and acts as its application's user (an administrator or clinician),
    so roles and the audit trail apply to it as to that person (interop.backend)."""

    application = models.OneToOneField(oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE,
                                       related_name="backend_client")
    jwks = models.JSONField(default=dict, blank=True,
                            help_text=_("The client's public keys (a JWK Set), RS384 or ES384; empty when a URL is given."))
    jwks_url = models.URLField(_("JWK Set URL"), blank=True, help_text=_(
        "Where the client publishes its public keys instead (fetched with a timeout and cached), so it can rotate "
        "them without re-registering."))
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"backend client {self.application}"


class AssertionUse(models.Model):
    """A client assertion's `jti`, kept until the assertion expires: the same assertion is never accepted twice."""

    client_id = models.CharField(max_length=100)
    jti = models.CharField(max_length=255)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client_id", "jti"], name="assertion_used_once")]
