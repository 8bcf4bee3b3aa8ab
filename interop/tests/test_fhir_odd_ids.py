"""Ids that look like numbers but are not (a superscript ², 25 nines) get a clear 4xx, never a 500.

`str.isdigit()` accepts "²", which `int()` refuses; every id read from a request goes through
tpclinic.limits.parse_id instead."""
import pytest
from django.urls import reverse

ODD = ["²", "9" * 25, "-1", "0"]
FHIR_JSON = "application/fhir+json"


@pytest.mark.parametrize("odd", ODD)
@pytest.mark.parametrize("path, params", [
    ("/fhir/Observation", {"patient": "Patient/{odd}"}),
    ("/fhir/Observation", {"_count": "{odd}"}),
    ("/fhir/Patient", {"_offset": "{odd}"}),
    ("/fhir/Group/{odd}/$export", {}),
    ("/fhir/Patient/{odd}/$everything", {}),
])
def test_fhir_answers_an_odd_id_with_a_4xx(api, clinic, clinician, path, params, odd):
    response = api.get(path.format(odd=odd), user=clinician, headers={"Accept": FHIR_JSON, "Prefer": "respond-async"},
                       **{k: v.format(odd=odd) for k, v in params.items()})
    assert 200 <= response.status_code < 500, (response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert response.json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize("odd", ODD)
def test_an_ehr_launch_for_an_odd_patient_is_refused(api, clinic, clinician, odd):
    response = api.post("/oauth/launch", raw=f"client_id=x&patient={odd}", user=clinician,
                        content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


@pytest.mark.parametrize("odd", ODD)
def test_the_day_list_ignores_an_odd_clinician(client, clinician, odd):
    client.force_login(clinician)
    response = client.get("/schedule/day/", {"clinician": odd})
    assert response.status_code == 200


@pytest.mark.parametrize("odd", ODD)
def test_a_page_asked_about_an_odd_patient_still_answers(client, clinician, odd):
    """The audit middleware reads ?patient= on every request to name the patient shown."""
    client.force_login(clinician)
    assert client.get("/courses/worklist/", {"patient": odd}).status_code == 200
    assert client.get(f"/api/v1/patients/{odd}/").status_code in (401, 404)


@pytest.mark.parametrize("odd", ODD)
def test_an_examination_of_an_odd_drawing_is_refused(client, clinician, patient, odd):
    client.force_login(clinician)
    response = client.post(reverse("referral:examine", args=[patient.pk]), {
        "drawing": odd, "muscle": "infraspinatus", "side": "right", "finding": "local-twitch", "present": "yes"})
    assert response.status_code == 422
