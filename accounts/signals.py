"""What a login starts: the session's clock (for its absolute lifetime) and, for users with no
second step, the end of the failure count (staff clear it only with their code: accounts/views.py)."""
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts import mfa, sessions
from accounts.lockout import login_completed


@receiver(user_logged_in, dispatch_uid="accounts.login_started")
def login_started(sender, request, user, **kwargs):
    if request is None:
        return
    sessions.start(request)
    if not mfa.required_for(user):
        login_completed(request, user)
