"""An absolute session lifetime: SESSION_MAX_AGE_HOURS (12) after the login, the session ends,
however active it was. The idle time-out (SESSION_IDLE_SECONDS) is renewed by every request and by
the page's keep-alive; this limit is not, so a stolen or forgotten session cookie cannot be kept
alive for ever. The login time is kept in the session itself."""
from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

LOGIN_AT = "tpclinic_login_at"


def max_age_seconds() -> int:
    return int(settings.SESSION_MAX_AGE_HOURS * 3600)


def start(request) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[LOGIN_AT] = int(time.time())


def expired(request) -> bool:
    started = request.session.get(LOGIN_AT)
    return started is not None and time.time() - started >= max_age_seconds()


class SessionLifetimeMiddleware:
    """After the authentication and message middleware: ends a session past its lifetime; the
    request then goes on as anonymous (pages send it to the login page, keep-alive answers 401)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            if LOGIN_AT not in request.session:
                start(request)  # a session from before this version: its clock starts now
            elif expired(request):
                logout(request)
                messages.info(request, _("You were logged out because you logged in %(hours)s hours ago. "
                                         "Log in again to carry on.") % {"hours": settings.SESSION_MAX_AGE_HOURS})
        return self.get_response(request)
