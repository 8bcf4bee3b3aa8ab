import pytest
from django.urls import reverse

from patients.models import Allergy, Patient

pytestmark = pytest.mark.django_db


def test_every_clinical_page_needs_a_login(client, patient):
    for url in [reverse("patients:list"), reverse("patients:chart", args=[patient.pk]),
                reverse("patients:new"), reverse("treatment:worklist")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_search_finds_by_name_or_mrn(clinician_client, patient):
    Patient.objects.create(mrn="TP0002", given_name="John", family_name="Smith", birth_date="1970-01-01")
    by_name = clinician_client.get(reverse("patients:list"), {"q": "lope"})
    assert "Lopez" in by_name.content.decode() and "Smith" not in by_name.content.decode()
    by_mrn = clinician_client.get(reverse("patients:list"), {"q": "tp0002"})
    assert "Smith" in by_mrn.content.decode() and "Lopez" not in by_mrn.content.decode()
    htmx = clinician_client.get(reverse("patients:list"), {"q": "smith"}, HTTP_HX_REQUEST="true")
    assert "<html" not in htmx.content.decode() and "Smith" in htmx.content.decode()


def _patient_post(**overrides):
    data = {
        "mrn": "tp0100", "given_name": "Rania", "family_name": "Haddad", "birth_date": "1975-02-03",
        "sex": "female", "height_cm": "160", "weight_kg": "60", "preferred_language": "ar", "payer": "none",
        "payer_name": "", "allergies-TOTAL_FORMS": "1", "allergies-INITIAL_FORMS": "0",
        "allergies-0-substance": "Procaine", "allergies-0-anaesthetic_class": "ester", "allergies-0-reaction": "hives",
        "medications-TOTAL_FORMS": "1", "medications-INITIAL_FORMS": "0", "medications-0-name": "",
        "medications-0-kind": "",
    }
    data.update(overrides)
    return data


def test_new_patient_with_allergy_is_saved(clinician_client):
    response = clinician_client.post(reverse("patients:new"), _patient_post())
    patient = Patient.objects.get(mrn="TP0100")
    assert response.status_code == 302 and response["Location"] == reverse("patients:chart", args=[patient.pk])
    assert Allergy.objects.get(patient=patient).anaesthetic_class == "ester"


@pytest.mark.parametrize("field, value, message", [
    ("preferred_language", "spanish please", "not a language tag"),
    ("birth_date", "2999-01-01", "cannot be in the future"),
    ("weight_kg", "-4", "greater than or equal to 2"),
])
def test_bad_input_changes_nothing_and_keeps_what_was_typed(clinician_client, field, value, message):
    response = clinician_client.post(reverse("patients:new"), _patient_post(**{field: value}))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert 'value="Haddad"' in body
    assert not Patient.objects.exists() and not Allergy.objects.exists()


def test_duplicate_mrn_is_refused(clinician_client, patient):
    response = clinician_client.post(reverse("patients:new"), _patient_post(mrn=patient.mrn.lower()))
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Patient.objects.count() == 1


def test_chart_shows_record_and_safety_facts(clinician_client, patient):
    Allergy.objects.create(patient=patient, substance="Lidocaine", anaesthetic_class="amide")
    body = clinician_client.get(reverse("patients:chart", args=[patient.pk])).content.decode()
    assert "Maria Lopez" in body and "Lidocaine" in body and "Amide local anaesthetic" in body
    assert 'data-key="neck.angle:left"' in body


def test_unknown_patient_is_404_not_500(clinician_client):
    assert clinician_client.get(reverse("patients:chart", args=[999999])).status_code == 404


def test_height_and_weight_are_dated_the_day_they_are_entered_or_changed(clinician_client):
    from datetime import timedelta

    from django.utils import timezone

    clinician_client.post(reverse("patients:new"), _patient_post())
    patient = Patient.objects.get(mrn="TP0100")
    assert patient.measured_on == timezone.localdate()
    Patient.objects.filter(pk=patient.pk).update(measured_on=timezone.localdate() - timedelta(days=30))
    edit = {**_patient_post(), "version": patient.version, "allergies-TOTAL_FORMS": "0", "medications-TOTAL_FORMS": "0"}
    clinician_client.post(reverse("patients:edit", args=[patient.pk]), {**edit, "payer_name": "Acme"})
    patient.refresh_from_db()
    assert patient.measured_on == timezone.localdate() - timedelta(days=30)  # other fields: the date stays
    clinician_client.post(reverse("patients:edit", args=[patient.pk]), {**edit, "version": patient.version,
                                                                         "weight_kg": "62"})
    patient.refresh_from_db()
    assert patient.weight_kg == 62 and patient.measured_on == timezone.localdate()
