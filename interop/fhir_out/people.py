"""Exporters for staff and the patient: Practitioner, PractitionerRole, Patient, Coverage,
AllergyIntolerance, MedicationStatement, body measurements and risk conditions."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from accounts.models import StaffProfile
from audit.models import Amendment
from interop import fhir_codes as codes
from interop.fhir_export import CHUNK, Scope, concept, coding, display_name, exporter, instant, labels, ref
from patients.models import Allergy, Medication, Patient
from referral.models import PainDrawing
from safety.models import AdverseEvent, ConsentRecord
from treatment.models import Course, Session


# ------------------------------------------------------------------ staff


def staff_users(scope: Scope) -> QuerySet:
    """Everyone a resource in scope names as a Practitioner, so a Bundle's references resolve inside it.

    People who recorded something (consent, adverse events, pain drawings, amendments) are included;
    a patient's own portal login never is: what a patient recorded refers to their Patient resource.
    """
    sessions = Session.objects.filter(pk__in=scope.session_ids()) if scope.one_patient else scope.sessions()
    wanted = (
        Q(pk__in=Course.objects.filter(patient__in=scope.patient_ids()).values("clinician"))
        | Q(pk__in=sessions.values("clinician"))
        | Q(pk__in=sessions.exclude(signed_by=None).values("signed_by"))
    )
    recorders = Q()
    for values in _recorders(scope, sessions):
        recorders |= Q(pk__in=values)
    wanted |= recorders & Q(patient_record__isnull=True)
    if scope.whole_clinic:
        wanted |= Q(staff_profile__isnull=False)
    return get_user_model().objects.filter(wanted).order_by("pk")


def _recorders(scope: Scope, sessions: QuerySet) -> list[QuerySet]:
    return [
        ConsentRecord.objects.filter(session__in=sessions).values("recorded_by"),
        AdverseEvent.objects.filter(session__in=sessions).values("recorded_by"),
        PainDrawing.objects.filter(patient__in=scope.patient_ids()).exclude(recorded_by=None).values("recorded_by"),
        Amendment.objects.filter(content_type=ContentType.objects.get_for_model(Session),
                                 object_id__in=sessions.values("pk")).values("author"),
    ]


STAFF_FIELDS = ("pk", "username", "first_name", "last_name", "email", "is_active", "staff_profile__id",
                "staff_profile__role", "staff_profile__credentials", "staff_profile__preferred_interval_days")


def staff_rows(scope: Scope) -> list[dict]:
    """`staff_users` as `values()` rows, fetched once per export: Practitioner and PractitionerRole both
    read them (staff are few, even for a whole clinic, so they are held rather than streamed)."""
    if "staff" not in scope.memo:
        scope.memo["staff"] = list(staff_users(scope).values(*STAFF_FIELDS))
    return scope.memo["staff"]


@exporter("Practitioner")
def practitioners(scope: Scope):
    for user in staff_rows(scope):
        name = {"use": "official", "family": user["last_name"], "given": [user["first_name"]]}
        if not (user["first_name"].strip() or user["last_name"].strip()):
            name = {"text": user["username"]}
        credentials = user["staff_profile__credentials"]
        yield {
            "resourceType": "Practitioner",
            "id": str(user["pk"]),
            "identifier": [{"system": codes.USERNAME_SYSTEM, "value": user["username"]}],
            "active": user["is_active"],
            "name": [name],
            "telecom": [{"system": "email", "value": user["email"], "use": "work"}] if user["email"].strip() else [],
            "qualification": [{"code": {"text": credentials}}] if credentials and credentials.strip() else [],
        }


@exporter("PractitionerRole")
def practitioner_roles(scope: Scope):
    roles = labels(StaffProfile, "role")
    for user in staff_rows(scope):
        if user["staff_profile__id"] is None:
            continue
        role = user["staff_profile__role"]
        nucc = codes.nucc_for(role, user["staff_profile__credentials"])
        yield {
            "resourceType": "PractitionerRole",
            "id": str(user["pk"]),
            "extension": [{"url": codes.EXT_PREFERRED_INTERVAL,
                           "valuePositiveInt": user["staff_profile__preferred_interval_days"]}],
            "active": user["is_active"],
            "practitioner": ref("Practitioner", user["pk"], display_name(user["first_name"], user["last_name"],
                                                                         user["username"])),
            "code": [concept(codes.STAFF_ROLE, role, roles.get(role, role))],
            "specialty": [concept(codes.NUCC, *nucc)] if nucc else [],
        }


# ------------------------------------------------------------------ the patient


def _patients(scope: Scope):
    """The patients in scope, in pk order: read once for one patient's record, by Patient, Coverage and the
    body measurement and risk Observations/Conditions (which skip the patients they have nothing for)."""
    chosen = scope.patients.select_related("fhir_demographics").order_by("pk")
    return scope.held("patients", lambda: chosen.iterator(chunk_size=CHUNK))


@exporter("Patient")
def patients(scope: Scope):
    for patient in _patients(scope):
        kept = getattr(patient, "fhir_demographics", None)  # what an imported Patient said beyond our fields
        resource = {
            "resourceType": "Patient",
            "id": str(patient.pk),
            "meta": {"lastUpdated": instant(patient.updated_at)},
            "identifier": [{
                "use": "usual",
                "type": concept(codes.V2_0203, "MR", "Medical record number"),
                "system": codes.mrn_system(),
                "value": patient.mrn,
            }] + (kept.identifiers if kept else []),
            "active": True,
            "name": patient_names(patient, kept),
            "telecom": kept.telecoms if kept else [],
            "gender": patient.sex,
            "birthDate": patient.birth_date.isoformat(),
            "address": kept.addresses if kept else [],
        }
        if kept and kept.meta_source:
            resource["meta"]["source"] = kept.meta_source
        if kept and kept.deceased:
            resource.update(kept.deceased)
        if patient.preferred_language:  # unknown when an import did not say: never a default
            resource["communication"] = [{
                "language": {"coding": [{"system": codes.BCP47, "code": patient.preferred_language}],
                             "text": patient.preferred_language},
                "preferred": True,
            }]
        yield resource


def patient_names(patient: Patient, kept) -> list[dict]:
    """Every name as imported; our own fields' name first when it is not one of them (edited since)."""
    ours = {"use": "official", "family": patient.family_name, "given": [patient.given_name]}
    names = list(kept.names) if kept else []
    same = any((n.get("family") or "").casefold() == patient.family_name.casefold()
               and " ".join(n.get("given", [])).casefold() == patient.given_name.casefold() for n in names)
    return names if same else [ours] + names


@exporter("Coverage")
def coverages(scope: Scope):
    for patient in _patients(scope):
        if patient.payer == "none" and patient.payer_name == "":
            continue
        payor = {"display": patient.payer_name} if patient.payer_name.strip() else {
            "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "valueCode": "unknown"}],
        }
        yield {
            "resourceType": "Coverage",
            "id": str(patient.pk),
            "status": "active",
            "type": concept(codes.PAYER_POLICY, patient.payer, patient.get_payer_display()),
            "beneficiary": ref("Patient", patient.pk),
            "payor": [payor],
        }


@exporter("AllergyIntolerance")
def allergies(scope: Scope):
    for allergy in Allergy.objects.filter(patient__in=scope.patient_ids()).order_by("pk").iterator(chunk_size=CHUNK):
        code = {"text": allergy.substance}
        if allergy.anaesthetic_class:
            code["coding"] = [coding(codes.ANAESTHETIC_CLASS, allergy.anaesthetic_class,
                                     allergy.get_anaesthetic_class_display())]
        yield {
            "resourceType": "AllergyIntolerance",
            "id": str(allergy.pk),
            "clinicalStatus": concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active"),
            "category": ["medication"] if allergy.anaesthetic_class else [],
            "code": code,
            "patient": ref("Patient", allergy.patient_id),
            "reaction": [{"manifestation": [{"text": allergy.reaction}]}] if allergy.reaction.strip() else [],
        }


@exporter("MedicationStatement")
def medication_statements(scope: Scope):
    for medication in Medication.objects.filter(patient__in=scope.patient_ids()).order_by("pk").iterator(chunk_size=CHUNK):
        yield {
            "resourceType": "MedicationStatement",
            "id": str(medication.pk),
            "status": "active",
            "category": concept(codes.MEDICATION_KIND, medication.kind, medication.get_kind_display()),
            "medicationCodeableConcept": {"text": medication.name},
            "subject": ref("Patient", medication.patient_id),
        }


@exporter("Observation")
def body_measurements(scope: Scope):
    for patient in _patients(scope):
        for prefix, value, (loinc, display), unit in (
            ("height", patient.height_cm, codes.BODY_HEIGHT, "cm"),
            ("weight", patient.weight_kg, codes.BODY_WEIGHT, "kg"),
        ):
            if value is None:
                continue
            yield {
                "resourceType": "Observation",
                "id": f"{prefix}-{patient.pk}",
                "status": "final",
                "category": [concept(codes.OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")],
                "code": concept(codes.LOINC, loinc, display, display),
                "subject": ref("Patient", patient.pk),
                # vital-signs profile: effective[x] is required; the day the measurement was taken
                **({"effectiveDateTime": patient.measured_on.isoformat()} if patient.measured_on else {}),
                "valueQuantity": {"value": float(value), "unit": unit, "system": codes.UCUM, "code": unit},
            }


@exporter("Condition")
def risk_conditions(scope: Scope):
    names = {flag: str(Patient._meta.get_field(flag).verbose_name) for flag in codes.RISK_CONDITIONS}  # once
    for patient in _patients(scope):
        for flag, (icd, display) in codes.RISK_CONDITIONS.items():
            if not getattr(patient, flag):
                continue
            label = names[flag]
            yield {
                "resourceType": "Condition",
                "id": f"risk-{patient.pk}-{flag.replace('_', '-')}",
                "clinicalStatus": concept(codes.CONDITION_CLINICAL, "active"),
                "category": [concept(codes.CONDITION_CATEGORY, "problem-list-item", "Problem List Item")],
                "code": {"coding": [coding(codes.RISK, flag, label)]
                         + ([coding(codes.ICD10CM, icd, display)] if icd else []), "text": label},
                "subject": ref("Patient", patient.pk),
            }
