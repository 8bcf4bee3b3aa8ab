"""Lost updates through the API: every update names the version it read; a stale one is a 409 that says what changed."""
from decimal import Decimal

import pytest
from django.urls import reverse

from interop.tests.conftest import problem
from patients.models import Patient
from patients.tests.test_versions import form_fields

pytestmark = pytest.mark.django_db


def test_the_nurses_stale_form_cannot_undo_an_api_update(api, client, clinic, nurse, clinician):
    """The attack: weight 70 kg and pregnant=false put back over an API update of 48 kg and pregnant=true."""
    patient = clinic["other"]
    patient.sex, patient.weight_kg = "female", Decimal("70")
    patient.save()
    client.force_login(nurse)
    url = reverse("patients:edit", args=[patient.pk])
    stale_form = form_fields(client.get(url).content.decode())
    read = api.get(f"/api/v1/patients/{patient.pk}", user=clinician).json()

    updated = api.patch(f"/api/v1/patients/{patient.pk}",
                        {"version": read["version"], "weight_kg": 48, "pregnant": True}, user=clinician)
    assert updated.status_code == 200, updated.content
    assert updated.json()["version"] == read["version"] + 1

    response = client.post(url, stale_form)
    assert response.status_code == 200
    assert "Weight (kg): 70.0 → now 48.0" in response.content.decode()
    patient.refresh_from_db()
    assert (patient.weight_kg, patient.pregnant) == (Decimal("48.0"), True)


def test_a_stale_api_update_is_a_409_naming_what_differs(api, clinic, clinician, nurse):
    patient = clinic["other"]
    path = f"/api/v1/patients/{patient.pk}"
    version = api.get(path, user=clinician).json()["version"]
    assert api.patch(path, {"version": version, "weight_kg": 48}, user=clinician).status_code == 200

    body = problem(api.patch(path, {"version": version, "weight_kg": 70, "payer_name": "Aetna"}, user=nurse), 409)

    assert body["current_version"] == version + 1
    assert {"field": "weight_kg", "now": 48.0, "sent": 70.0} in body["changes"]
    assert "weight_kg" in body["detail"] and "48" in body["detail"]
    assert Patient.objects.get(pk=patient.pk).weight_kg == Decimal("48.0")


@pytest.mark.parametrize("version", [None, 0, -3, 2**70, "²"])
def test_an_update_without_a_valid_version_is_refused(api, clinic, clinician, version):
    patient = clinic["other"]
    body = {"weight_kg": 48} if version is None else {"weight_kg": 48, "version": version}
    answer = problem(api.patch(f"/api/v1/patients/{patient.pk}", body, user=clinician), 422)
    assert [e["field"] for e in answer["errors"]] == ["version"]
    assert Patient.objects.get(pk=patient.pk).weight_kg is None
