"""`PUT /fhir/Patient/{id}`: a patient's demographics, under optimistic locking (`If-Match`).

Only what the web's patient form calls identity and language changes here: names, gender,
birth date, preferred language. The MRN is the record's identity and is not changed through
FHIR; clinical records (signed or not) are never written through a PUT. The values go through
the web's own PatientForm, so its rules and messages apply, and the update writes one audit event
with the values before and after. Elements tpclinic does not keep (telecom, address...) are
refused by name rather than dropped, so a client never believes something was stored that was not.
"""
from __future__ import annotations

from django.db import transaction
from django.forms.models import model_to_dict

from audit import events
from audit.models import Action
from interop import fhir_codes as codes
from interop import fhir_schema
from interop.fhir_server import Refusal
from patients.forms import PatientForm
from patients.models import Patient
from tpclinic.versioning import StaleVersion

# Elements a Patient PUT may carry: what tpclinic exports (echoed back unchanged) and the demographics it keeps.
ACCEPTED = {"resourceType", "id", "meta", "text", "identifier", "active", "name", "gender", "birthDate",
            "communication"}
DEMOGRAPHICS = ("given_name", "family_name", "birth_date", "sex", "preferred_language")


def changes_from(resource: dict, patient: Patient) -> dict:
    """The model values the resource states; Refusal (400/409/422) for what tpclinic cannot take."""
    problems = fhir_schema.errors(resource)
    if problems:
        raise Refusal(400, "structure", "The body is not a valid FHIR R4 Patient: " + "; ".join(problems))
    unknown = sorted(set(resource) - ACCEPTED)
    if unknown:
        raise Refusal(422, "not-supported", "tpclinic does not keep Patient." + ", Patient.".join(unknown)
                      + " through FHIR; send the resource without it. Nothing was changed.")
    ours = [i for i in resource.get("identifier", []) if i.get("system") == codes.mrn_system()]
    if any(i.get("value") != patient.mrn for i in ours):
        raise Refusal(409, "conflict", f"The MRN identifies this record ({patient.mrn}) and is not changed through "
                      "FHIR. Nothing was changed.")
    names = resource.get("name") or []
    name = next((n for n in names if n.get("use") == "official"), names[0] if names else None)
    if name is None or not name.get("family") or not name.get("given"):
        raise Refusal(422, "required", "Patient.name needs a family name and a given name. Nothing was changed.")
    values = {"family_name": name["family"], "given_name": " ".join(name["given"])}
    if "birthDate" not in resource:
        raise Refusal(422, "required", "Patient.birthDate is required here. Nothing was changed.")
    values["birth_date"] = resource["birthDate"]
    values["sex"] = resource.get("gender", "unknown")
    preferred = [c for c in resource.get("communication", []) if c.get("preferred")] or resource.get("communication", [])
    if preferred:
        coding = next((c for c in preferred[0]["language"].get("coding", []) if c.get("system") == codes.BCP47), None)
        if coding is None:
            raise Refusal(422, "code-invalid", "Patient.communication.language needs a BCP 47 coding "
                          f"({codes.BCP47}). Nothing was changed.")
        values["preferred_language"] = coding["code"]
    return values


def update_patient(request, user, patient: Patient, resource: dict) -> list[str]:
    """Apply the resource's demographics through the web's form; returns the fields changed."""
    values = changes_from(resource, patient)
    data = {key: value for key, value in model_to_dict(patient, fields=PatientForm.Meta.fields).items()
            if value is not None}
    data.update(values)
    # The record's own version as read with the If-Match check (the caller's `patient`): a web save
    # that lands in between makes the form stale, and the client gets 412, not a lost update.
    data["version"] = patient.version
    form = PatientForm(data, instance=Patient.objects.get(pk=patient.pk))
    if not form.is_valid():
        if form.has_error("__all__", "stale"):
            raise Refusal(412, "conflict", f"Patient/{patient.pk} changed while this update was applied; read it "
                          "again and reapply your change. Nothing was changed.")
        wording = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
        raise Refusal(422, "invariant", f"{wording}. Nothing was changed.")
    stored = Patient.objects.get(pk=patient.pk)
    before = events.snapshot(stored, DEMOGRAPHICS)
    changed = [name for name in DEMOGRAPHICS if str(form.cleaned_data[name]) != str(getattr(stored, name))]
    with transaction.atomic():
        try:
            saved = form.save()
        except StaleVersion:
            raise Refusal(412, "conflict", f"Patient/{patient.pk} changed while this update was applied; read it "
                          "again and reapply your change. Nothing was changed.") from None
        events.record(Action.UPDATE, obj=saved, before=before, after=events.snapshot(saved, DEMOGRAPHICS),
                      request=request, user=user, status=200, detail="FHIR update (PUT Patient)")
    return changed
