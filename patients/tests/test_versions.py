"""Lost updates: a patient form opened before someone else's save cannot silently put old values back."""
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from patients.models import Patient

pytestmark = pytest.mark.django_db


def form_fields(html: str) -> dict:
    """The values a browser would post back from the edit page's text and hidden inputs."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="checkbox"' not in tag and name.group(1) != "csrfmiddlewaretoken":
            fields[name.group(1)] = value.group(1).replace("&quot;", '"') if value else ""
    for select in re.finditer(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(2))
        fields[select.group(1)] = chosen.group(1) if chosen else ""
    return fields


def opened_form(client, patient) -> dict:
    response = client.get(reverse("patients:edit", args=[patient.pk]))
    assert response.status_code == 200
    return form_fields(response.content.decode())


def test_a_stale_form_cannot_put_back_the_old_weight_and_pregnancy(clinician_client, patient):
    url = reverse("patients:edit", args=[patient.pk])
    nurse_form = opened_form(clinician_client, patient)           # the nurse opens the form: 68 kg, not pregnant
    colleague = dict(opened_form(clinician_client, patient), weight_kg="48", pregnant="on")
    assert clinician_client.post(url, colleague).status_code == 302  # a colleague records 48 kg and the pregnancy
    nurse_form.update(weight_kg="70", given_name="María")          # the nurse saves her stale form

    response = clinician_client.post(url, nurse_form)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Someone else saved this record while you were editing it" in body
    assert "Weight (kg): 68.0 → now 48.0" in body and "Pregnant: no → now yes" in body
    assert 'value="70"' in body and 'value="María"' in body       # what she typed is kept
    patient.refresh_from_db()
    assert (patient.weight_kg, patient.pregnant, patient.given_name) == (Decimal("48.0"), True, "Maria")
    # Saving the kept form again, after reading the message, is a deliberate choice and goes through.
    again = form_fields(body)
    again["pregnant"] = "on"
    assert clinician_client.post(url, again).status_code == 302
    patient.refresh_from_db()
    assert (patient.weight_kg, patient.pregnant, patient.given_name) == (Decimal("70.0"), True, "María")


@pytest.mark.parametrize("version", [None, "", "0", "-1", "²", "abc", str(2**70)])
def test_a_form_without_a_valid_version_is_refused(clinician_client, patient, version):
    data = opened_form(clinician_client, patient)
    data["weight_kg"] = "90"
    if version is None:
        del data["version"]
    else:
        data["version"] = version
    response = clinician_client.post(reverse("patients:edit", args=[patient.pk]), data)
    assert response.status_code == 200
    assert "version" in response.content.decode()
    patient.refresh_from_db()
    assert patient.weight_kg == Decimal("68.0") and patient.version == 1


def test_each_save_moves_the_version_on(clinician_client, patient):
    url = reverse("patients:edit", args=[patient.pk])
    first = opened_form(clinician_client, patient)
    assert first["version"] == "1"
    clinician_client.post(url, dict(first, weight_kg="69"))
    assert opened_form(clinician_client, patient)["version"] == "2"
    patient.refresh_from_db()
    patient.save()  # a save by the system also counts: a form opened before it is stale
    assert Patient.objects.get(pk=patient.pk).version == 3
