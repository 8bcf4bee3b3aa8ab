"""SMART Backend Services: a server (no person present) gets a `system/` token with client credentials.

The client proves who it is with a client assertion (RFC 7523 `private_key_jwt`, as SMART App Launch
2.x "Backend Services" asks): a JWT it signs with RS384 or ES384, whose `iss` and `sub` are its
client_id, `aud` this server's token endpoint, `exp` at most five minutes ahead, and a `jti` never
used before. The key must be in the JWK Set registered for the client (`tpclinic smart_client
--backend --jwks FILE --user USERNAME`), or in the JWK Set the client publishes at a URL registered
instead (`--jwks-url URL`, the spec's `jwks_uri`): fetched with a timeout, cached for a few minutes,
and fetched again once when an assertion names a key (`kid`) the cached set lacks, so a client can
rotate its keys. An assertion whose header carries `jku` is taken only when that URL is the one the client
registered (Backend Services: the server SHALL match `jku` to the registered JWK Set URL); a client
registered with a JWK Set file has no URL to match, so an assertion with `jku` is refused. The keys are
always the registered ones: `jku` is checked, never fetched as given. The token acts as the client's user (an administrator or
clinician), so roles, the audit trail and `system/` scopes together decide what it reaches.
"""
from __future__ import annotations

import base64
import json
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone as dt_timezone

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from jwcrypto import jwk, jwt
from jwcrypto.common import JWException
from oauth2_provider.models import get_application_model

from accounts import roles
from accounts.models import Role
from interop.models import AssertionUse, BackendClient

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ["RS384", "ES384"]
MAX_LIFETIME = timedelta(minutes=5)
BACKEND_ROLES = {Role.ADMIN, Role.CLINICIAN}
# Backend tokens read and search only (bulk export, search); tpclinic takes no writes from a backend.
READ_ACTIONS = {"read", "r", "s", "rs"}
JWKS_TIMEOUT_SECONDS = 5  # a slow key server must not hold a token request (or a worker) for long
JWKS_CACHE_SECONDS = 300  # keys fetched from a client's jwks_uri are reused this long
JWKS_MAX_BYTES = 64 * 1024  # a JWK Set is a few kB; more is not one
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class AssertionRefused(Exception):
    """Why a client assertion was not accepted (for the log; the client only learns `invalid_client`)."""


def jwks_problem(jwks: dict) -> str | None:
    """Why a JWK Set cannot be registered for a backend client, or None."""
    try:
        keys = jwk.JWKSet.from_json(json.dumps(jwks))
    except (JWException, ValueError, TypeError) as error:
        return f"not a JWK Set: {error}"
    if not keys["keys"]:
        return "the JWK Set has no keys"
    for key in keys["keys"]:
        if key.has_private:
            return f"key {key.get('kid', '')!r} is a private key: register only the public half"
        if key["kty"] not in {"RSA", "EC"} or (key["kty"] == "EC" and key.get("crv") != "P-384"):
            return f"key {key.get('kid', '')!r}: RS384 needs an RSA key and ES384 an EC P-384 key"
    return None


def jwks_url_problem(url: str) -> str | None:
    """Why a URL cannot be a client's jwks_uri, or None: keys travel over TLS (plain http only on this machine)."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme == "https" and parsed.hostname:
        return None
    if parsed.scheme == "http" and parsed.hostname in LOOPBACK_HOSTS:
        return None
    return f"{url!r} is not an https URL"


class KeysUnavailable(Exception):
    """A client's published JWK Set could not be fetched or is not a usable JWK Set."""


def fetch_jwks(url: str) -> dict:
    """The JWK Set at `url`, fetched now (with a timeout and a size cap) and checked as registration checks a file."""
    problem = jwks_url_problem(url)
    if problem:
        raise KeysUnavailable(problem)
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=JWKS_TIMEOUT_SECONDS) as response:  # noqa: S310 (scheme checked)
            body = response.read(JWKS_MAX_BYTES + 1)
    except (OSError, ValueError) as error:  # URLError, HTTPError and timeouts are OSErrors
        raise KeysUnavailable(f"{url}: {error}") from None
    if len(body) > JWKS_MAX_BYTES:
        raise KeysUnavailable(f"{url}: more than {JWKS_MAX_BYTES} bytes")
    try:
        jwks = json.loads(body)
    except ValueError as error:
        raise KeysUnavailable(f"{url}: not JSON: {error}") from None
    problem = jwks_problem(jwks)
    if problem:
        raise KeysUnavailable(f"{url}: {problem}")
    return jwks


def client_keys(client: BackendClient, kid: str | None = None) -> dict:
    """The client's JWK Set: registered, or fetched from its URL through a short cache. An assertion naming a
    `kid` the cached set lacks fetches once more (the client may have rotated its keys)."""
    if not client.jwks_url:
        problem = jwks_problem(client.jwks)  # e.g. emptied in the admin site: refused, never a server error
        if problem:
            raise KeysUnavailable(f"registered keys: {problem}")
        return client.jwks
    key = f"interop.backend.jwks:{client.jwks_url}"
    cached = cache.get(key)
    if cached is not None and (kid is None or any(k.get("kid") == kid for k in cached.get("keys", []))):
        return cached
    jwks = fetch_jwks(client.jwks_url)
    cache.set(key, jwks, JWKS_CACHE_SECONDS)
    return jwks


def _unverified_header(assertion: str) -> dict:
    try:
        header = assertion.split(".")[0]
        found = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
        return found if isinstance(found, dict) else {}
    except ValueError:
        return {}


def _unverified_claims(assertion: str) -> dict:
    try:
        payload = assertion.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        raise AssertionRefused("the client assertion is not a JWT") from None


def authenticate(assertion: str, token_endpoint: str):
    """The backend client's Application if the assertion is good (its `jti` is then spent), else AssertionRefused."""
    client_id = _unverified_claims(assertion).get("iss")
    application = (get_application_model().objects.select_related("backend_client", "user")
                   .filter(client_id=str(client_id or ""), backend_client__isnull=False).first())
    if application is None:
        raise AssertionRefused(f"no backend client {client_id!r}")
    if acting_user(application) is None:
        raise AssertionRefused(f"{application.client_id} acts as no active administrator or clinician")
    header = _unverified_header(assertion)
    jku_problem = jku_refusal(application.backend_client, header.get("jku"))
    if jku_problem:
        raise AssertionRefused(f"assertion of {application.client_id}: {jku_problem}")
    try:
        jwks = client_keys(application.backend_client, header.get("kid"))
    except KeysUnavailable as error:
        raise AssertionRefused(f"keys of {application.client_id}: {error}") from None
    keys = jwk.JWKSet.from_json(json.dumps(jwks))
    try:
        checked = jwt.JWT(jwt=assertion, key=keys, algs=ALGORITHMS, expected_type="JWS",
                          check_claims={"iss": application.client_id, "sub": application.client_id,
                                        "aud": token_endpoint, "exp": None, "jti": None})
    except (JWException, ValueError, TypeError) as error:
        raise AssertionRefused(f"assertion of {application.client_id}: {error}") from None
    claims = json.loads(checked.claims)
    expires = datetime.fromtimestamp(int(claims["exp"]), tz=dt_timezone.utc)
    if expires > timezone.now() + MAX_LIFETIME + timedelta(seconds=60):  # 60 s: clock skew, as jwcrypto allows
        raise AssertionRefused("the assertion's exp is more than five minutes ahead")
    AssertionUse.objects.filter(expires__lt=timezone.now() - timedelta(minutes=1)).delete()
    try:
        with transaction.atomic():
            AssertionUse.objects.create(client_id=application.client_id, jti=str(claims["jti"]), expires=expires)
    except IntegrityError:
        raise AssertionRefused(f"assertion {claims['jti']!r} was already used") from None
    return application


def jku_refusal(client: BackendClient, jku) -> str | None:
    """Why an assertion's `jku` header refuses it, or None (no `jku`, or exactly the registered JWK Set URL)."""
    if jku is None:
        return None
    if not client.jwks_url:
        return f"jku {jku!r} given, but the client registered a JWK Set, not a URL"
    if jku != client.jwks_url:
        return f"jku {jku!r} is not the registered JWK Set URL"
    return None


def acting_user(application):
    """The user a backend client's token acts as: its application's user, while active and still an
    administrator or clinician; None otherwise (the token then opens nothing)."""
    user = application.user
    if user is None or not user.is_active or roles.role_of(user) not in BACKEND_ROLES:
        return None
    return user


def is_backend(application) -> bool:
    return BackendClient.objects.filter(application=application).exists()
