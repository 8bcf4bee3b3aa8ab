"""Helpers for the test suite only (never listed in production settings).

ForceLoginBackend is listed in the test settings before ModelBackend and in MFA_EXEMPT_BACKENDS,
so `client.force_login(user)` makes a session that counts as having passed the second factor,
while logging in through the login page (ModelBackend) still asks for the code.
"""
import time

from django.contrib.auth.backends import ModelBackend
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice


class ForceLoginBackend(ModelBackend):
    """Restores users from the session; never authenticates a username and password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        return None


def confirmed_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)


def next_code(device: TOTPDevice) -> str:
    """A code the device accepts now: the current step, or the next one when the current step was
    already used (a second login within 30 s); waits for a fresh step when both were used."""
    device.refresh_from_db()
    now_t = (int(time.time()) - device.t0) // device.step + device.drift
    step = max(now_t, device.last_t + 1)
    if step > now_t + device.tolerance:
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.2)
        return next_code(device)
    return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"


def code_for_key(hex_key: str, step: int = 30, digits: int = 6) -> str:
    totp = TOTP(bytes.fromhex(hex_key), step, 0, digits, 0)
    totp.time = time.time()
    return f"{totp.token():0{digits}d}"
