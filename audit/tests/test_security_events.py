"""accounts announces its security events; the trail (which imports accounts, not the reverse) writes them."""
import pytest
from django.test import RequestFactory

from accounts import signals
from audit.models import Action, AuditEvent


def test_the_login_action_is_the_trails_own():
    assert signals.LOGIN == Action.LOGIN


@pytest.mark.django_db
def test_an_announced_event_is_written_with_who_and_what(clinician):
    request = RequestFactory().post("/accounts/mfa/verify/")
    request.user = clinician
    signals.announce(signals.MFA_FAILED, request=request, user=clinician, detail="wrong code")
    event = AuditEvent.objects.get(action=signals.MFA_FAILED)
    assert (event.username, event.role, event.detail, event.path) == (
        "clinician", "clinician", "wrong code", "/accounts/mfa/verify/")


def test_every_action_the_security_code_writes_is_a_named_audit_action():
    """The trail's report names each action; a code accounts or the token check writes is one of them."""
    from accounts import signals as security
    from audit.models import Action

    written = {security.LOGIN, security.MFA_REQUIRED, security.MFA_FAILED, security.PASSWORD_CHANGED,
               security.RESET_REQUESTED, security.PASSWORD_RESET, "token-used", "token-denied"}
    assert written <= set(Action.values)
    assert all(len(code) <= AuditEvent._meta.get_field("action").max_length for code in Action.values)
