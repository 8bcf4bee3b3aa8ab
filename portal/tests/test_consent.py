import pytest
from django.urls import reverse

from safety import consent as consent_text
from safety.models import ConsentRecord

pytestmark = pytest.mark.django_db


def test_consent_page_is_in_my_language_only(patient_client, upcoming):
    page = patient_client.get(reverse("portal:consent", args=[upcoming.pk])).content.decode()
    spanish = consent_text.form_for("es")
    assert spanish.title in page and spanish.statement in page
    assert consent_text.form_for("en").title not in page


def test_fallback_notice_for_a_language_without_a_form(patient_client, patient, upcoming):
    patient.preferred_language = "fr"
    patient.save()
    page = patient_client.get(reverse("portal:consent", args=[upcoming.pk])).content.decode()
    assert consent_text.form_for("fr").fallback_notice in page


def test_signing_creates_a_portal_consent_record(patient_client, patient_user, upcoming):
    response = patient_client.post(reverse("portal:consent", args=[upcoming.pk]), {"agree": "on"})
    assert response.status_code == 302
    record = ConsentRecord.objects.get(session=upcoming)
    assert record.method == ConsentRecord.Method.PORTAL
    assert record.recorded_by == patient_user
    assert record.language == "es" and record.flags == []
    assert record.form_version == consent_text.form_for("es").version
    upcoming.refresh_from_db()
    assert upcoming.consent_recorded
    # A second submission does not record it twice.
    patient_client.post(reverse("portal:consent", args=[upcoming.pk]), {"agree": "on"})
    assert ConsentRecord.objects.filter(session=upcoming).count() == 1


def test_not_ticking_the_box_records_nothing(patient_client, patient, upcoming):
    patient.preferred_language = "en"  # the page speaks the record's language
    patient.save()
    response = patient_client.post(reverse("portal:consent", args=[upcoming.pk]), {})
    assert response.status_code == 400
    assert "Tick the box to confirm" in response.content.decode()
    assert not ConsentRecord.objects.exists()
    upcoming.refresh_from_db()
    assert not upcoming.consent_recorded


def test_signed_session_refuses_consent(patient_client, upcoming):
    upcoming.status = "signed"
    upcoming.save()
    page = patient_client.get(reverse("portal:consent", args=[upcoming.pk])).content.decode()
    assert 'name="agree"' not in page
    response = patient_client.post(reverse("portal:consent", args=[upcoming.pk]), {"agree": "on"})
    assert response.status_code == 302
    assert not ConsentRecord.objects.exists()
    upcoming.refresh_from_db()
    assert not upcoming.consent_recorded


def test_home_asks_for_consent_until_signed(patient_client, upcoming):
    url = reverse("portal:consent", args=[upcoming.pk])
    assert url in patient_client.get(reverse("portal:home")).content.decode()
    patient_client.post(url, {"agree": "on"})
    assert url not in patient_client.get(reverse("portal:home")).content.decode()
