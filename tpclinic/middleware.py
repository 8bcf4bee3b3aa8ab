"""Refuse NUL characters in query strings before they reach the database.

PostgreSQL cannot store or compare text containing NUL (0x00), so a search with one would fail
deep in a query. Submitted fields are already refused with a message by the forms (Django's
ProhibitNullCharactersValidator) and the API; this covers the query strings they do not see.
"""
import json

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation

from tpclinic.signals import record_language

MESSAGE = "The request contains a NUL character (0x00), which no field accepts. Remove it and try again."


def _has_nul(request) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists())


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            if request.path.startswith(("/api/", "/fhir/")):
                # 422 is the status every API operation declares for input it cannot accept.
                status = 422 if request.path.startswith("/api/") else 400
                body = {"type": "about:blank", "title": "Unacceptable input", "status": status, "detail": MESSAGE}
                return HttpResponse(json.dumps(body), status=status, content_type="application/problem+json")
            return HttpResponse(MESSAGE, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class RecordLanguageMiddleware:
    """Once a patient is signed in, the language on their record wins over the cookie and the
    browser: it is active for their every request, and at login (tpclinic.signals) it becomes the
    browser's remembered language too, so the next visit opens in it before they sign in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        chosen = record_language(user) if user is not None and user.is_authenticated else None
        if chosen:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        remembered = getattr(request, "record_language", None)
        if remembered:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, remembered, max_age=settings.LANGUAGE_COOKIE_AGE,
                                path=settings.LANGUAGE_COOKIE_PATH, secure=settings.LANGUAGE_COOKIE_SECURE,
                                httponly=settings.LANGUAGE_COOKIE_HTTPONLY, samesite=settings.LANGUAGE_COOKIE_SAMESITE)
        return response
