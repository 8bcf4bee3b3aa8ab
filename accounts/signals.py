"""What a login starts: the session's clock (for its absolute lifetime) and, for users with no
second step, the end of the failure count (staff clear it only with their code: accounts/views.py).

And what accounts does that the audit trail must record: logins completed at the second step,
failed second factors, sessions held for one, password changes and resets. accounts is imported
by every app, the audit trail among them, so it does not import the trail: the code that does the
thing sends `security_event` with the event's action and facts, and audit's receiver writes it
(audit/signals.py), as Django's own `user_logged_in` is sent by auth and written by audit.
"""
from django.contrib.auth.signals import user_logged_in
from django.dispatch import Signal, receiver

from accounts import mfa, sessions
from accounts.lockout import login_completed

# Audit actions (AuditEvent.action holds 32 characters); audit.models.Action lists them by these values.
LOGIN = "login"
MFA_REQUIRED = "mfa-required"
MFA_FAILED = "mfa-failed"
PASSWORD_CHANGED = "pw-changed"
RESET_REQUESTED = "pw-reset-req"
PASSWORD_RESET = "pw-reset"

# Sent with action=..., request=..., and audit.record.write()'s keyword facts (user, status, detail).
security_event = Signal()


def announce(action: str, request, **facts) -> None:
    security_event.send(sender=__name__, action=action, request=request, **facts)


@receiver(user_logged_in, dispatch_uid="accounts.login_started")
def login_started(sender, request, user, **kwargs):
    if request is None:
        return
    sessions.start(request)
    if not mfa.required_for(user):
        login_completed(request, user)
