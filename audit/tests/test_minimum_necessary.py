"""Minimum necessary: the front desk sees demographics, scheduling and payer; exports are for
clinicians and administrators and are audited per patient."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from conftest import make_appointment
from tpclinic import dates

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_client(client, front_desk):
    client.force_login(front_desk)
    return client


def token_for(user):
    from interop.models import ApiToken

    return {"Authorization": f"Bearer {ApiToken.issue(user, 'tests')[1]}"}


def test_the_front_desk_chart_shows_demographics_appointments_and_payer_only(desk_client, clinician, small_clinic):
    patient = small_clinic["patient"]
    patient.payer_name = "Acme Health"
    patient.save()
    draft = small_clinic["draft"]
    draft.notes = "Taut band, jump sign"
    draft.save()
    appointment = make_appointment(draft.course, days_ahead=3)  # the booked visit, not a draft session
    page = desk_client.get(reverse("patients:chart", args=[patient.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert patient.mrn in text and "Acme Health" in text
    assert dates.visit_time(appointment.start) in text
    for clinical in ("Tolerated well.", "Taut band", "Allerg", "Trapezius", "M79.12", "Safety facts"):
        assert clinical not in text, clinical


@pytest.mark.parametrize("url_name,key", [
    ("treatment:course", "course"), ("treatment:session", "signed"), ("safety:consent", "signed"),
])
def test_the_front_desk_cannot_read_clinical_pages(desk_client, small_clinic, url_name, key):
    assert desk_client.get(reverse(url_name, args=[small_clinic[key].pk])).status_code == 403


def test_the_front_desk_reads_patients_but_not_clinical_records_in_the_api(client, front_desk, small_clinic):
    auth = token_for(front_desk)
    patient = small_clinic["patient"]
    assert client.get(f"/api/v1/patients/{patient.pk}", headers=auth).status_code == 200
    for path in (f"/api/v1/sessions?patient={patient.pk}", f"/api/v1/courses/{small_clinic['course'].pk}",
                 f"/api/v1/patients/{patient.pk}/trigger-points", f"/api/v1/patients/{patient.pk}/pain-drawings",
                 f"/api/v1/patients/{patient.pk}/diary-entries", "/api/v1/adverse-events"):
        assert client.get(path, headers=auth).status_code == 403, path


@pytest.mark.parametrize("role_fixture,allowed", [
    ("front_desk", False), ("nurse", False), ("clinician", True), ("administrator", True),
])
def test_only_clinicians_and_administrators_export_a_whole_record(client, request, role_fixture, allowed,
                                                                  small_clinic):
    patient = small_clinic["patient"]
    response = client.get(f"/fhir/Patient/{patient.pk}/$everything",
                          headers=token_for(request.getfixturevalue(role_fixture)))
    assert response.status_code == (200 if allowed else 403)
    exports = AuditEvent.objects.filter(action=Action.EXPORT)
    if allowed:
        [export] = exports
        assert list(export.disclosures.values_list("patient_id", flat=True)) == [patient.pk]
    else:
        assert not exports.exists()
        assert AuditEvent.objects.filter(action=Action.REFUSED, status=403).exists()
