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
