"""Patients: search, read, register and update, with allergies and bleeding-risk medicines.

Writes go through the web UI's PatientForm (MRN upper-cased and unique, birth date not in the
future, pregnancy vs sex check); the allergy and medication lists are replaced as a whole when
given, all in one transaction so a bad entry saves nothing.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal, Optional

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.forms import modelform_factory
from ninja import Field, Query, Router, Status

from interop.access import patient_for_reader, require_staff, staff_check
from interop.auth import BearerToken
from interop.endpoints.common import (PageQuery, check_form, form_data, get_or_404, instance_data,
                                      paginate, responses)
from interop.problems import conflict, invalid
from interop.schemas import PatientIn, PatientOut, PatientUpdate, Text, page_of
from patients.forms import PatientForm
from patients.models import Allergy, Medication, Patient

router = Router(tags=["patients"])
PatientPage = page_of(PatientOut)
AllergyForm = modelform_factory(Allergy, fields=["substance", "anaesthetic_class", "reaction"])
MedicationForm = modelform_factory(Medication, fields=["name", "kind"])


class PatientQuery(PageQuery):
    q: Optional[Text] = Field(None, max_length=100, description="Words matched against names, or an exact MRN.")
    sex: Optional[Literal["female", "male", "other", "unknown"]] = None
    updated_since: Optional[datetime] = Field(None, description="Only patients changed at or after this time.")


def as_utc(moment: datetime) -> datetime:
    """PostgreSQL refuses UTC offsets beyond +-15:59 that ISO 8601 allows; compare in UTC instead."""
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment


def patient_out(patient: Patient) -> Patient:
    """PatientOut reads the record itself (a ModelSchema); nothing to restate here."""
    return patient


@router.get("/patients", response=responses({200: PatientPage}, 401, 403, 422), summary="Search patients")
def list_patients(request, query: Query[PatientQuery]):
    require_staff(request.auth)
    patients = Patient.objects.prefetch_related("allergies", "medications")
    for word in (query.q or "").split():
        patients = patients.filter(Q(family_name__icontains=word) | Q(given_name__icontains=word) | Q(mrn__iexact=word))
    if query.sex:
        patients = patients.filter(sex=query.sex)
    if query.updated_since:
        patients = patients.filter(updated_at__gte=as_utc(query.updated_since))
    return paginate(patients.order_by("family_name", "given_name", "id"), query, patient_out, request=request,
                    patient_of=lambda patient: patient.pk)


@router.get("/patients/{int:patient_id}", response=responses({200: PatientOut}, 401, 403, 404),
            summary="Read a patient")
def get_patient(request, patient_id: int):
    return patient_out(patient_for_reader(request.auth, patient_id))


@router.post("/patients", response=responses({201: PatientOut}, 400, 401, 403, 409, 422),
             summary="Register a patient")
def create_patient(request, payload: PatientIn):
    require_staff(request.auth)
    patient = _save(Patient(), _values(payload))
    return Status(201, patient_out(patient))


@router.patch("/patients/{int:patient_id}", auth=BearerToken(staff_check), response=responses({200: PatientOut}, 400, 401, 403, 404, 409, 422),
              summary="Update a patient (only the fields sent, with the version you read)")
def update_patient(request, patient_id: int, payload: PatientUpdate):
    patient = get_or_404(Patient.objects.all(), patient_id, "patient")
    return patient_out(_save(patient, _values(payload)))


def _values(payload) -> dict:
    """The fields sent; list items complete with their defaults."""
    values = payload.model_dump(exclude_unset=True)
    for name in ("allergies", "medications"):
        if getattr(payload, name) is not None:
            values[name] = [item.model_dump() for item in getattr(payload, name)]
    return values


def _save(patient: Patient, values: dict) -> Patient:
    allergies = values.pop("allergies", None)
    medications = values.pop("medications", None)
    fields = PatientForm._meta.fields
    data = {**form_data(instance_data(patient, fields)), **form_data(values)} if patient.pk else form_data(
        {name: PatientIn.model_fields[name].default for name in fields if not PatientIn.model_fields[name].is_required()}
        | values)
    form = PatientForm(data, instance=patient)
    errors = check_form(form)
    allergy_forms = [AllergyForm(form_data(a)) for a in allergies or []]
    medication_forms = [MedicationForm(form_data(m)) for m in medications or []]
    for n, sub in enumerate(allergy_forms):
        errors += check_form(sub, f"allergies.{n}.")
    for n, sub in enumerate(medication_forms):
        errors += check_form(sub, f"medications.{n}.")
    if errors:
        raise invalid(errors)
    try:
        with transaction.atomic():
            saved = form.save()
            if allergies is not None:
                saved.allergies.all().delete()
                for sub in allergy_forms:
                    sub.instance.patient = saved
                    sub.save()
            if medications is not None:
                saved.medications.all().delete()
                for sub in medication_forms:
                    sub.instance.patient = saved
                    sub.save()
    except IntegrityError:
        raise conflict("Another change to this patient (or a patient with the same MRN) was saved at the same "
                       "moment; nothing was saved. Read the patient again and retry.") from None
    return Patient.objects.prefetch_related("allergies", "medications").get(pk=saved.pk)
