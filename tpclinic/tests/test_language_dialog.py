"""The preferred-language dialog opens by itself once for visitors and patients, never for staff."""
import pytest

pytestmark = pytest.mark.django_db


def offered(response) -> bool:
    return 'data-auto-open="1"' in response.content.decode()


def test_a_visitor_is_asked_once_and_closing_the_dialog_is_remembered(client):
    assert offered(client.get("/library/"))
    assert client.post("/i18n/dismiss/").status_code == 204
    assert client.cookies["language_chosen"].value == "1"
    assert not offered(client.get("/library/"))


def test_choosing_a_language_is_remembered_and_switches_the_page(client):
    client.post("/i18n/setlang/", {"language": "es", "next": "/library/"})
    page = client.get("/library/")
    assert not offered(page) and 'lang="es"' in page.content.decode()


def test_staff_pages_never_open_it_by_themselves(clinician_client):
    assert not offered(clinician_client.get("/courses/worklist/"))
    assert 'id="language-dialog"' in clinician_client.get("/courses/worklist/").content.decode()


def test_a_patients_choice_is_stored_on_their_record(client, patient, django_user_model):
    patient.user = django_user_model.objects.create_user("maria", password="correct-horse-battery")
    patient.save()
    client.force_login(patient.user)
    assert offered(client.get("/portal/"))
    client.post("/i18n/setlang/", {"language": "ar", "next": "/portal/"})
    patient.refresh_from_db()
    assert patient.preferred_language == "ar"
