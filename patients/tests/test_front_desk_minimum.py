"""Minimum necessary on the patient record: the front desk keeps identity, language and payer only."""
from decimal import Decimal

from conftest import make_appointment
from patients.models import Allergy
from treatment.models import Course


def test_the_front_desk_edits_demographics_and_payer_but_not_what_feeds_the_dose_and_the_screen(client, front_desk,
                                                                                               patient):
    patient.pregnant = True
    patient.save()
    Allergy.objects.create(patient=patient, substance="Lidocaine", anaesthetic_class="amide", reaction="hives")
    client.force_login(front_desk)
    page = client.get(f"/patients/{patient.pk}/edit/").content.decode()
    assert 'name="payer"' in page and 'name="family_name"' in page
    for clinical in ('name="weight_kg"', 'name="pregnant"', 'name="allergies-TOTAL_FORMS"', "Lidocaine"):
        assert clinical not in page

    patient.refresh_from_db()
    response = client.post(f"/patients/{patient.pk}/edit/", {
        "mrn": patient.mrn, "given_name": "Maria", "family_name": "López", "birth_date": "1980-05-17",
        "sex": "female", "preferred_language": "es", "payer": "medicare-uniform-tpi-2024", "payer_name": "",
        "version": patient.version, "weight_kg": "40", "pregnant": "",  # not on the form: ignored
    })
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.family_name == "López" and patient.payer == "medicare-uniform-tpi-2024"
    assert patient.weight_kg == Decimal("68") and patient.pregnant is True
    assert patient.allergies.count() == 1


def test_a_clinician_still_edits_the_clinical_fields(client, clinician, patient):
    client.force_login(clinician)
    page = client.get(f"/patients/{patient.pk}/edit/").content.decode()
    assert 'name="weight_kg"' in page and 'name="pregnant"' in page and 'name="allergies-TOTAL_FORMS"' in page


def test_the_front_desk_summary_lists_booked_appointments(client, front_desk, patient, clinician):
    course = Course.objects.create(patient=patient, clinician=clinician, interval_days=14)
    make_appointment(course, days_ahead=5)
    client.force_login(front_desk)
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "None scheduled" not in page and "Alice Ward" in page
