"""Text messages through a pluggable backend (settings.SMS_BACKEND, a dotted path to a class with
`send(to, text)`); the default writes them to the log, for a clinic without an SMS provider yet."""
from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("tpclinic.sms")


class SmsFailed(Exception):
    """The provider refused or could not deliver; `permanent` when retrying cannot help (bad number)."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class LogBackend:
    def send(self, to: str, text: str) -> None:
        digits = "".join(c for c in to if c.isdigit())
        log.info("SMS to …%s: %s", digits[-4:], text)


def backend():
    return import_string(settings.SMS_BACKEND)()
