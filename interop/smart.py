"""SMART on FHIR App Launch 2.x on django-oauth-toolkit: scopes, launch context, the access a token grants.

django-oauth-toolkit (DOT) is the OAuth 2.0 server (codes, PKCE, tokens, refresh, introspection,
revocation). What SMART adds lives here: scopes of both versions (`patient/Observation.read`,
`user/*.cruds`), the patient in context (picked on the authorisation page, or the patient's own
record), `patient` in the token response, refresh tokens only with `offline_access`, and the
`Grant` a token gives the FHIR server (`grant_for`).
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from oauth2_provider.models import AbstractApplication
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import BaseScopes

from accounts import roles
from interop import backend
from interop.fhir_server import base_url

SCOPE = re.compile(r"^(patient|user|system)/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|c?r?u?d?s?)$")
PLAIN_SCOPES = {"openid", "fhirUser", "launch", "launch/patient", "offline_access", "online_access", "profile"}
V1_ACTIONS = {"read": "rs", "write": "cud", "*": "cruds"}
log = logging.getLogger(__name__)


def key(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def issuer(request: HttpRequest) -> str:
    """This authorisation server's name: the site root, as in RFC 9207's `iss`, the id_token and the
    SMART configuration (one value, so an app can compare them)."""
    return request.build_absolute_uri("/").rstrip("/")


def fhir_user_reference(user) -> str | None:
    """`Patient/{id}` for a patient's login, `Practitioner/{id}` for staff (their user id, as exported)."""
    patient = getattr(user, "patient_record", None)
    if patient is not None:
        return f"Patient/{patient.pk}"
    return f"Practitioner/{user.pk}" if roles.is_staff_member(user) else None


def _django_request(request) -> HttpRequest:
    """The Django request behind an oauthlib one (DOT passes Django's META as the oauthlib headers)."""
    django_request = HttpRequest()
    django_request.META = dict(request.headers)
    if request.headers.get("X_DJANGO_OAUTH_TOOLKIT_SECURE"):
        django_request.META["wsgi.url_scheme"] = "https"
    return django_request


def redirect_uri_problem(uri: str) -> str | None:
    """Why an app may not use this redirect URI, or None. Plain http only for a native app's loopback
    callback (RFC 8252 section 7.3; RFC 9700 section 2.1 asks https of every other redirect)."""
    parts = urlsplit(uri)
    if parts.scheme == "http" and parts.hostname not in {"127.0.0.1", "::1"}:
        return f"{uri}: plain http is only for a loopback address (127.0.0.1 or [::1]); use https"
    return None


def parse(scope: str) -> tuple[str, str, set[str]] | None:
    """`patient/Observation.rs` -> ("patient", "Observation", {"r", "s"}); None for other scopes."""
    match = SCOPE.match(scope)
    if not match or not match.group(3):
        return None
    level, resource_type, actions = match.groups()
    return level, resource_type, set(V1_ACTIONS.get(actions, actions))


def valid_scope(scope: str) -> bool:
    return scope in PLAIN_SCOPES or parse(scope) is not None


def describe(scope: str) -> str:
    """A scope in plain words, in the user's language, for the authorisation page."""
    fixed = {
        "openid": _("Know who you are"), "fhirUser": _("Know who you are in tpclinic (your staff or patient record)"),
        "launch": _("Open with the patient you are working on"),
        "launch/patient": _("Open with one patient's record (you choose it)"),
        "offline_access": _("Keep access after you close the app, until you revoke it"),
        "online_access": _("Keep access while you are logged in"), "profile": _("Know your name"),
    }
    if scope in fixed:
        return fixed[scope]
    level, resource_type, actions = parse(scope)
    what = _("all kinds of records") if resource_type == "*" else resource_type
    verbs = [word for letter, word in (("r", _("read")), ("s", _("search")), ("c", _("create")),
                                       ("u", _("change")), ("d", _("delete"))) if letter in actions]
    whose = {"patient": _("of the patient chosen"), "user": _("that you can see"),
             "system": _("of every patient")}[level]
    return f"{', '.join(verbs).capitalize()}: {what}, {whose}"


class Described(dict):
    def __missing__(self, scope):
        return describe(scope) if valid_scope(scope) else scope


class SmartScopes(BaseScopes):
    """Any well-formed SMART scope may be asked for; the token then reaches only what it names."""

    def get_all_scopes(self):
        return Described()

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        wanted = getattr(request, "scopes", None) or []
        return [s for s in wanted if valid_scope(s)]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return ["patient/*.rs"]


class SmartValidator(OAuth2Validator):
    """DOT's validator plus SMART: scopes by shape, the launch context carried into the token, and the
    `fhirUser` claim of the id_token (with the `fhirUser` scope)."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "fhirUser": "fhirUser"}

    def get_additional_claims(self, request):
        reference = fhir_user_reference(request.user)
        if reference is None:
            return {}
        return {"fhirUser": f"{base_url(_django_request(request))}/{reference}"}

    def get_oidc_issuer_endpoint(self, request):
        return issuer(_django_request(request))


    def authenticate_client(self, request, *args, **kwargs):
        """A backend client's signed assertion (private_key_jwt, interop.backend); otherwise DOT's secrets."""
        if getattr(request, "client_assertion_type", None) != backend.ASSERTION_TYPE:
            return super().authenticate_client(request, *args, **kwargs)
        token_endpoint = _django_request(request).build_absolute_uri(reverse("interop:smart-token"))
        try:
            application = backend.authenticate(getattr(request, "client_assertion", None) or "", token_endpoint)
        except backend.AssertionRefused as refused:
            log.info("SMART backend client refused: %s", refused)
            return False
        if request.client_id and request.client_id != application.client_id:
            return False
        request.client, request.client_id = application, application.client_id
        return True

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        if request.grant_type == "client_credentials":
            # Backend Services: system/ read scopes only.
            return (bool(scopes) and all((parse(s) or ("",))[0] == "system" and s.rpartition(".")[2] in backend.READ_ACTIONS
                            for s in scopes))
        if "openid" in scopes and client.algorithm != AbstractApplication.RS256_ALGORITHM:
            return False  # an app added in the admin without "RSA with SHA-2 256" gets no id_token
        return bool(scopes) and all(valid_scope(s) for s in scopes)

    def save_bearer_token(self, token, request, *args, **kwargs):
        from interop.models import LaunchContext

        context = None
        if getattr(request, "code", None):
            context = LaunchContext.objects.filter(key=key(request.code)).first()
        elif getattr(request, "refresh_token", None):
            context = LaunchContext.objects.filter(key=key(request.refresh_token)).first()
        scopes = set((token.get("scope") or "").split())
        if "offline_access" not in scopes and "online_access" not in scopes:
            token.pop("refresh_token", None)
        super().save_bearer_token(token, request, *args, **kwargs)
        patient_id = context.patient_id if context else None
        for value in (token.get("access_token"), token.get("refresh_token")):
            if value:
                LaunchContext.objects.create(key=key(value), patient_id=patient_id)
        if patient_id is not None:
            token["patient"] = str(patient_id)
            token["need_patient_banner"] = True


@dataclass(frozen=True)
class Grant:
    """What one access token allows on the FHIR server."""

    scopes: frozenset
    patient_id: int | None

    def allows(self, resource_type: str, action: str) -> tuple[bool, bool]:
        """(allowed at all, only for the patient in context) for an action letter (r, s, u...)."""
        user_level = patient_level = False
        for scope in self.scopes:
            parsed = parse(scope)
            if parsed is None:
                continue
            level, kind, actions = parsed
            if kind not in {"*", resource_type} or action not in actions:
                continue
            if level in {"user", "system"}:
                user_level = True
            else:
                patient_level = True
        if user_level:
            return True, False
        return patient_level, patient_level


def grant_for(raw: str):
    """(user, Grant) for a valid, unexpired OAuth access token, else None. Used by interop.auth."""
    from oauth2_provider.models import get_access_token_model

    from interop.models import LaunchContext

    token = (get_access_token_model().objects.select_related("user", "application")
             .filter(token_checksum=key(raw)).first())
    if token is None or not token.is_valid():
        return None
    user = token.user
    if user is None and token.application is not None and backend.is_backend(token.application):
        user = backend.acting_user(token.application)  # client credentials: the client's own staff user
    if user is None or not user.is_active:
        return None
    context = LaunchContext.objects.filter(key=key(raw)).first()
    return user, Grant(frozenset(token.scope.split()), context.patient_id if context else None)


def introspection_claims(raw: str, request: HttpRequest) -> dict | None:
    """What SMART adds to RFC 7662 introspection for a resource server: the token's `patient` in context and,
    granted with `openid fhirUser`, its `fhirUser`. None when the FHIR server would refuse the token (expired,
    revoked, or its user gone): introspection then says `active: false`, as the server would act."""
    from oauth2_provider.models import get_access_token_model

    found = grant_for(raw)
    if found is None:
        return None
    user, grant = found
    claims = {}
    if grant.patient_id is not None:
        claims["patient"] = str(grant.patient_id)
    token = get_access_token_model().objects.get(token_checksum=key(raw))
    reference = fhir_user_reference(user) if token.user_id is not None else None
    if {"openid", "fhirUser"} <= grant.scopes and reference is not None:
        claims["fhirUser"] = f"{base_url(request)}/{reference}"
    return claims
