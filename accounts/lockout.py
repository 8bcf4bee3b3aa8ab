"""Login lockout (django-axes): per username and address, and per username from any address.

django-axes counts failures per lockout parameter and compares them all with one limit. The pair
(username, address) gets AXES_FAILURE_LIMIT (5): a typo-prone user at one desk. The username
alone gets the larger LOGIN_USERNAME_FAILURE_LIMIT (20), so guessing from many addresses (a botnet,
or forged proxy headers) still locks the account. Wrong second-factor codes count like wrong
passwords, and a correct password alone clears nothing: only a completed login does
(`login_completed`), so knowing the password does not buy unlimited code guesses.
"""
from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render


class LockoutHandler(AxesDatabaseHandler):
    def username_failures(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        attempts = AccessAttempt.objects.filter(username=username)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def get_failures(self, request, credentials=None) -> int:
        """The pair's failures, or the pair limit once the username's own limit is reached."""
        failures = super().get_failures(request, credentials)
        if self.username_failures(request, credentials) >= settings.LOGIN_USERNAME_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures


def login_completed(request, user) -> None:
    """Password and (for staff) code both passed: clear this address's failures for this user."""
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.get_implementation().reset_user_attempts(request, {"username": user.get_username()})


def lockout_response(request, original_response=None, credentials=None):
    """The page shown when login is paused after repeated failures."""
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    minutes = int(cool_off.total_seconds() // 60) if hasattr(cool_off, "total_seconds") else None
    by_username = LockoutHandler().username_failures(request, credentials) >= settings.LOGIN_USERNAME_FAILURE_LIMIT
    return render(request, "registration/locked_out.html", {
        "failure_limit": settings.LOGIN_USERNAME_FAILURE_LIMIT if by_username else settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": minutes, "by_username": by_username,
    }, status=settings.AXES_HTTP_RESPONSE_CODE)
