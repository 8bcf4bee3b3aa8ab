"""Who is calling: a bearer token for the API, a token or the web session for the FHIR endpoints.

The token acts as its user, so the API applies exactly the roles the web UI applies (access.py).
"""
from __future__ import annotations

from ninja.security import HttpBearer

from interop.models import ApiToken
from interop.smart import grant_for


def bearer_value(request) -> str | None:
    """The token from `Authorization: Bearer <token>`, or None when the header is absent or not Bearer."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


class BearerToken(HttpBearer):
    """django-ninja auth: `Authorization: Bearer tpc_...`; the user is also put on request.user.

    With `check`, the caller's role is judged here, before ninja reads the request body: a role that
    may not use the operation gets its 403 (or 404) problem whatever it sent, never a 422 listing
    what was wrong with the body. `check(request, user)` raises a Problem to refuse. (The class keeps
    its name for every instance: ninja names the OpenAPI security scheme after it.)
    """

    def __init__(self, check=None):
        self.check = check
        super().__init__()

    def authenticate(self, request, token):
        user = ApiToken.user_for(token.strip())
        if user is not None:
            request.user = user
            if self.check is not None:
                self.check(request, user)
        return user


def fhir_user(request):
    """FHIR endpoints accept a token or a logged-in web session; None means 401.

    A request that sends a token is judged by the token alone (a bad token is not rescued by a
    session cookie). Returns (user, via_token).
    """
    if "Authorization" in request.headers:
        raw = bearer_value(request)
        user = ApiToken.user_for(raw) if raw else None
        if user is None and raw:
            user = oauth_user(request, raw)
        if user is not None:
            request.user = user  # so the audit trail names who used the token
        return user, True
    if request.user.is_authenticated and request.user.is_active:
        return request.user, False
    return None, False


def oauth_user(request, raw: str):
    """The user of a valid SMART access token (interop.smart), its grant kept on request.smart_grant."""
    found = grant_for(raw)
    if found is None:
        return None
    request.smart_grant = found[1]
    return found[0]
