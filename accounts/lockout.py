"""The page shown when login is paused after repeated failures (django-axes lockout)."""
from django.conf import settings
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    minutes = int(cool_off.total_seconds() // 60) if hasattr(cool_off, "total_seconds") else None
    return render(request, "registration/locked_out.html", {
        "failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes,
    }, status=settings.AXES_HTTP_RESPONSE_CODE)
