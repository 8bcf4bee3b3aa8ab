"""Multi-factor authentication for staff: a TOTP authenticator app (django-otp).

Staff log in with their password, then confirm with the 6-digit code from their app; staff with
no confirmed app are sent to enrol one first (QR code or typed key). Patients log in with a
password alone. See docs/permissions.md.
"""
from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.utils.safestring import mark_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles

DEVICE_NAME = "Authenticator app"

# Where an API token, not the web session, says who is calling (interop.auth.TokenMiddleware); a
# request there with a valid token is not held at the second step. Nowhere else does a token count.
TOKEN_PATHS = ("/api/", "/fhir/")


def required_for(user) -> bool:
    """Staff roles, and anyone who can open the admin site, need a second factor."""
    if not getattr(settings, "MFA_REQUIRED", True) or not user.is_authenticated:
        return False
    return roles.is_staff_member(user) or user.is_staff or user.is_superuser


def exempt_session(request) -> bool:
    """Sessions made by a backend listed in MFA_EXEMPT_BACKENDS (test settings only)."""
    from django.contrib.auth import BACKEND_SESSION_KEY

    exempt = getattr(settings, "MFA_EXEMPT_BACKENDS", None) or []
    session = getattr(request, "session", None)
    return bool(exempt and session is not None and session.get(BACKEND_SESSION_KEY) in exempt)


def is_verified(request) -> bool:
    user = request.user
    return bool(getattr(user, "is_verified", lambda: False)()) or exempt_session(request)


def confirmed_devices(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True)


def has_device(user) -> bool:
    return confirmed_devices(user).exists()


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (one per user, kept across page reloads)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The provisioning URI as an inline SVG QR code (no image request, no external service)."""
    return mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, dark="#111"))


def manual_key(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))
