import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def portal_urls(session_pk, appointment_pk):
    return [
        reverse("portal:home"), reverse("portal:diary"), reverse("portal:handout"), reverse("portal:visits"),
        reverse("portal:reminders"), reverse("portal:appointment_request"),
        reverse("portal:appointment_ics", args=[appointment_pk]), reverse("portal:consent", args=[session_pk]),
        reverse("portal:appointment_change", args=[appointment_pk]),
    ]


def test_anonymous_users_are_sent_to_log_in(client, upcoming, appointment):
    for url in portal_urls(upcoming.pk, appointment.pk):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url


@pytest.mark.parametrize("who", ["clinician", "nurse", "front_desk"])
def test_staff_get_403_on_portal_pages(client, upcoming, appointment, who, request):
    client.force_login(request.getfixturevalue(who))
    for url in portal_urls(upcoming.pk, appointment.pk):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("portal:diary"), {"day": "2020-01-01", "pain": "3"}).status_code == 403


def test_a_user_who_is_neither_staff_nor_patient_gets_403(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x" * 12))
    assert client.get(reverse("portal:home")).status_code == 403


def test_superuser_is_not_a_patient(client, django_user_model, patient):
    admin = django_user_model.objects.create_superuser("root", password="x" * 12)
    patient.user = admin
    patient.save()
    client.force_login(admin)
    assert client.get(reverse("portal:home")).status_code == 403


def test_another_patients_session_is_404(patient_client, other_session, other_appointment):
    assert patient_client.get(reverse("portal:appointment_ics", args=[other_appointment.pk])).status_code == 404
    assert patient_client.get(reverse("portal:appointment_change", args=[other_appointment.pk])).status_code == 404
    assert patient_client.post(reverse("portal:appointment_cancel", args=[other_appointment.pk])).status_code == 404
    other_appointment.refresh_from_db()
    assert other_appointment.status == "booked"
    assert patient_client.get(reverse("portal:consent", args=[other_session.pk])).status_code == 404
    response = patient_client.post(reverse("portal:consent", args=[other_session.pk]), {"agree": "on"})
    assert response.status_code == 404
    other_session.refresh_from_db()
    assert not other_session.consent_recorded and not other_session.consents.exists()


def test_home_shows_only_my_appointments(patient_client, appointment, other_appointment):
    page = patient_client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:appointment_ics", args=[appointment.pk]) in page
    assert reverse("portal:appointment_ics", args=[other_appointment.pk]) not in page
    assert "Smith" not in page


def test_diary_shows_only_my_entries(patient_client, patient, other_patient):
    from portal.models import DiaryEntry
    from django.utils import timezone

    DiaryEntry.objects.create(patient=other_patient, day=timezone.localdate(), pain=9, note="john-secret-note")
    DiaryEntry.objects.create(patient=patient, day=timezone.localdate(), pain=4, note="maria-note")
    page = patient_client.get(reverse("portal:diary")).content.decode()
    assert "maria-note" in page and "john-secret-note" not in page
    # Another patient's day in the query string only pre-fills from my own diary.
    page = patient_client.get(reverse("portal:diary"), {"day": timezone.localdate().isoformat()}).content.decode()
    assert "john-secret-note" not in page


def test_staff_handout_needs_staff(client, patient_user, patient):
    url = reverse("portal:staff_handout", args=[patient.pk])
    assert client.get(url).status_code == 302
    client.force_login(patient_user)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("lang, greeting", [("es", "Hola, Maria"), ("ar", "مرحبًا Maria"), ("en", "Hello, Maria")])
def test_portal_pages_are_translated(patient_client, patient, lang, greeting):
    from pathlib import Path

    catalog = Path(__file__).resolve().parent.parent / "locale" / lang / "LC_MESSAGES" / "django.mo"
    if lang != "en" and not catalog.exists():
        pytest.skip("translations not compiled: run `make messages`")
    patient.preferred_language = lang  # the record's language wins over the browser's
    patient.save()
    page = patient_client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en" if lang != "en" else "es").content.decode()
    assert greeting in page
