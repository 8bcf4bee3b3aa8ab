"""Staff who logged in with a password only are held at the second step until they confirm a code.

Runs after django_otp's OTPMiddleware (which sets user.is_verified()). Until verified, a staff
session reaches only the login, code, enrolment and logout pages; everything else redirects
there (htmx requests get an HX-Redirect). The one exception is a request that interop's
TokenMiddleware authenticated with a valid API token on /api/ or /fhir/ (`request.auth_token`):
it is judged by the token. An Authorization header by itself opens nothing. Each held request is
audited once, as `mfa-required`.
"""
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from accounts import mfa
from accounts.signals import MFA_REQUIRED, announce


ALLOWED_URL_NAMES = {
    "login", "logout", "healthz", "set_language", "dismiss_language",
    "accounts:mfa_verify", "accounts:mfa_enrol", "accounts:idle_logout", "accounts:keepalive",
}


class MFARequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._held(request):
            return self._send_to_second_step(request)
        return self.get_response(request)

    def _held(self, request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not mfa.required_for(user) or mfa.is_verified(request):
            return False
        if getattr(request, "auth_token", None) is not None and request.path_info.startswith(mfa.TOKEN_PATHS):
            return False
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return False
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            name = ""
        return name not in ALLOWED_URL_NAMES

    def _send_to_second_step(self, request):
        target = "accounts:mfa_verify" if mfa.has_device(request.user) else "accounts:mfa_enrol"
        next_url = request.get_full_path() if request.method == "GET" else reverse("home")
        url = f"{reverse(target)}?{urlencode({'next': next_url})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
        else:
            response = redirect(url)
        announce(MFA_REQUIRED, request=request, user=request.user, status=response.status_code,
                     detail="held at the second step" + (" (an Authorization header did not count)"
                                                         if "Authorization" in request.headers else ""))
        return response
