"""Who is calling: the one place an API token is read and judged.

`TokenMiddleware` runs after Django's session authentication and before the second-factor hold.
On the token paths (/api/ and /fhir/) a request that sends an `Authorization` header is judged by
that header alone: a valid token (known, not revoked, not expired, its user active) makes the
token's user the request's user (`request.auth_token`, `request.token_user`); anything else makes
the request anonymous, so a bad token is never rescued by a session cookie. Everywhere else the
header means nothing: web pages are opened by a session that passed the second step, never by a
token. The JSON API (`BearerToken`), the FHIR views (`fhir_user`), the second-factor hold and the
audit trail all read this one result. A token acts as its user, so the API applies exactly the
roles the web UI applies (access.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from ninja.security import HttpBearer

from accounts.mfa import TOKEN_PATHS
from audit import record
from audit.models import Action
from interop.models import ApiToken
from interop.smart import grant_for

@dataclass(frozen=True)
class TokenCheck:
    """What the request's Authorization header proved: a token, or why not (`refusal`)."""

    sent: bool = False
    token: ApiToken | None = None
    refusal: str = ""  # "", "malformed", "unknown", "revoked", "expired", "inactive"

    @property
    def user(self):
        return self.token.user if self.token is not None else None


NOTHING_SENT = TokenCheck()


def bearer_value(request) -> str | None:
    """The token from `Authorization: Bearer <token>`, or None when the header is absent or not Bearer."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def on_token_path(request) -> bool:
    return request.path_info.startswith(TOKEN_PATHS)


def check_token(request) -> TokenCheck:
    """Judge the request's Authorization header once (the answer is kept on the request)."""
    cached = getattr(request, "_token_check", None)
    if cached is not None:
        return cached
    if "Authorization" not in request.headers:
        result = NOTHING_SENT
    else:
        raw = bearer_value(request)
        if raw is None:
            result = TokenCheck(sent=True, refusal="malformed")
        else:
            token, refusal = ApiToken.find(raw)
            result = TokenCheck(sent=True, token=token if not refusal else None, refusal=refusal)
            if token is not None and refusal in {"expired", "revoked"}:
                request._refused_token = token  # named in the audit trail
    request._token_check = result
    return result


def token_user(request):
    """The user of a valid token sent with this request, or None."""
    return check_token(request).user


class TokenMiddleware:
    """Authenticate API tokens on /api/ and /fhir/ (see the module docstring); audit their use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        check = NOTHING_SENT
        if on_token_path(request):
            check = check_token(request)
            if check.token is not None:
                request.user = check.token.user
            elif check.sent:
                request.user = AnonymousUser()
        request.auth_token = check.token
        request.token_user = check.user
        response = self.get_response(request)
        if on_token_path(request) and request.method != "OPTIONS":
            self._audit(request, check, response)
        return response

    @staticmethod
    def _audit(request, check: TokenCheck, response) -> None:
        if check.token is not None:
            if getattr(check.token, "use_noted", False):  # once a minute per token, like last_used
                record.write(Action.TOKEN_USE, request=request, user=check.token.user, object_type="interop.apitoken",
                             object_id=check.token.pk, status=response.status_code,
                             detail=f"{check.token.prefix}... {check.token.name}")
            return
        if response.status_code != 401:
            return  # public endpoints (the OpenAPI document, the specialists directory)
        refused = getattr(request, "_refused_token", None)
        reason = check.refusal or "no token"
        record.write(Action.TOKEN_DENIED, request=request, user=refused.user if refused is not None else None,
                     object_type="interop.apitoken" if refused is not None else "",
                     object_id=refused.pk if refused is not None else "", status=401,
                     detail=f"{reason} token" if check.sent else "no token")


class BearerToken(HttpBearer):
    """django-ninja auth: `Authorization: Bearer tpc_...`, judged by `check_token`.

    With `check`, the caller's role is judged here, before ninja reads the request body: a role that
    may not use the operation gets its 403 (or 404) problem whatever it sent, never a 422 listing
    what was wrong with the body. `check(request, user)` raises a Problem to refuse. (The class keeps
    its name for every instance: ninja names the OpenAPI security scheme after it.)
    """

    def __init__(self, check=None):
        self.check = check
        super().__init__()

    def authenticate(self, request, token):
        user = token_user(request)
        if user is not None:
            request.user = user
            if self.check is not None:
                self.check(request, user)
        return user


def fhir_user(request):
    """FHIR endpoints accept a token or a logged-in web session (one that passed the second step:
    MFARequiredMiddleware holds any other); None means 401.

    A request that sends an Authorization header is judged by the token alone. Returns (user, via_token).
    """
    check = check_token(request)
    if check.sent:
        if check.user is None and check.refusal == "unknown":  # not an API token: perhaps a SMART one
            raw = bearer_value(request)
            user = oauth_user(request, raw) if raw else None
            if user is not None:
                request.user = user  # so the audit trail names who used the token
            return user, True
        return check.user, True
    if request.user.is_authenticated and request.user.is_active:
        return request.user, False
    return None, False


def refusal_detail(request) -> str | None:
    """Why the token was refused, for the 401 problem, when that tells the caller what to do."""
    refused = getattr(request, "_refused_token", None)
    check = getattr(request, "_token_check", None)
    if refused is None or check is None:
        return None
    if check.refusal == "expired":
        return (f"This API token ({refused.prefix}...) expired on {refused.expires:%Y-%m-%d}. Ask an administrator "
                f"for a new one (`tpclinic api_token USERNAME --rotate`).")
    if check.refusal == "revoked":
        return f"This API token ({refused.prefix}...) was revoked. Ask an administrator for a new one."
    return None


def oauth_user(request, raw: str):
    """The user of a valid SMART access token (interop.smart), its grant kept on request.smart_grant."""
    found = grant_for(raw)
    if found is None:
        return None
    request.smart_grant = found[1]
    return found[0]
