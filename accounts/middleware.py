"""Staff who logged in with a password only are held at the second step until they confirm a code.

Runs after django_otp's OTPMiddleware (which sets user.is_verified()). Until verified, a staff
session reaches only the login, code, enrolment and logout pages; everything else redirects
there (htmx requests get an HX-Redirect). API calls with a bearer token are judged by the token.
"""
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from accounts import mfa

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
        if request.headers.get("Authorization", "").lower().startswith("bearer "):
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
            return response
        return redirect(url)
