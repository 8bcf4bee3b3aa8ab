"""Password change (logged in) and password reset by e-mail: Django's own views, in the site's
pages, audited; a reset never skips the second factor."""
import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.testing import next_code
from audit.models import AuditEvent
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "a-fresh-longer-passphrase"


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_verified_user_changes_their_password_and_other_sessions_end(client, clinician, django_user_model):
    from django.test import Client

    elsewhere = Client()
    elsewhere.force_login(clinician)
    client.force_login(clinician)
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200 and "Change your password" in page.content.decode()
    weak = client.post(reverse("accounts:password_change"),
                       {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"})
    assert weak.status_code == 200 and "errorlist" in weak.content.decode()
    done = client.post(reverse("accounts:password_change"),
                       {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done.url == reverse("accounts:password_change_done")
    assert client.get(done.url).status_code == 200
    clinician.refresh_from_db()
    assert clinician.check_password(NEW)
    assert elsewhere.get(reverse("patients:list")).status_code == 302, "the other session ended"
    assert AuditEvent.objects.filter(action="pw-changed", username="clinician").count() == 1


def test_a_password_only_session_cannot_change_the_password(client, clinician):
    login(client, "clinician", PASSWORD)
    response = client.post(reverse("accounts:password_change"),
                           {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:mfa_verify"))
    clinician.refresh_from_db()
    assert clinician.check_password(PASSWORD)


def test_password_reset_by_e_mail_then_the_code_as_before(client, clinician):
    clinician.email = "alice.ward@clinic.example"
    clinician.save()
    assert "Forgot your password?" in client.get(reverse("login")).content.decode()
    sent = client.post(reverse("accounts:password_reset"), {"email": "Alice.Ward@clinic.example"})
    assert sent.status_code == 302 and sent.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice.ward@clinic.example"] and "tpclinic" in message.subject
    link = re.search(r"https?://[^/\s]+(/account/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Set a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0] if form.redirect_chain else link,
                       {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done.url == reverse("accounts:password_reset_complete")
    clinician.refresh_from_db()
    assert clinician.check_password(NEW)
    # the link works once
    assert "does not work any more" in client.get(link, follow=True).content.decode()
    # staff still need their code after a reset
    login(client, "clinician", NEW)
    assert client.get(reverse("patients:list")).url.startswith(reverse("accounts:mfa_verify"))
    assert client.post(reverse("accounts:mfa_verify"), {"otp_token": next_code(clinician.totpdevice_set.get())}
                       ).status_code == 302
    actions = list(AuditEvent.objects.filter(username="clinician", action__startswith="pw-").order_by("pk")
                   .values_list("action", flat=True))
    assert actions == ["pw-reset-req", "pw-reset"]


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, clinician):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@clinic.example"})
    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []
    assert AuditEvent.objects.filter(action="pw-reset-req", username="").exists()


def test_the_reset_pages_follow_the_language(client):
    from django.conf import settings

    assert settings.EMAIL_BACKEND  # set from the environment; the demo prints to the console
    page = client.get(reverse("accounts:password_reset"), headers={"Accept-Language": "es"})
    assert page.status_code == 200 and "¿Olvidó su contraseña?" in page.content.decode()
