"""Import of staff and the patient: Practitioner, PractitionerRole, Patient, Coverage, AllergyIntolerance,
MedicationStatement and Condition (risk flags; course diagnoses are read by the CarePlan).

Staff accounts are created only from our own username identifier and never changed once they exist;
patients are matched by MRN, and a foreign MRN never merges two different people.
"""
from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model

from accounts.models import Role, StaffProfile
from interop import fhir_codes as codes
from interop.fhir_import import (Entry, Importer, Skip, codes_in, concept_text, first_code, handler, text)
from patients.models import Allergy, Medication, Patient

ANIMAL = "http://hl7.org/fhir/StructureDefinition/patient-animal"


# ------------------------------------------------------------------ staff


def _unique_username(wanted: str) -> str:
    users = get_user_model().objects
    name, n = wanted[:140], 1
    while users.filter(username=name).exists():
        n += 1
        name = f"{wanted[:140]}-{n}"
    return name


@handler("Practitioner")
def import_practitioner(ctx: Importer, entry: Entry):
    resource = entry.resource
    usernames = [i.get("value") for i in resource.get("identifier", [])
                 if i.get("system") == codes.USERNAME_SYSTEM and i.get("value")]
    name = (resource.get("name") or [{}])[0]
    first = " ".join(text(g) for g in name.get("given", []) if text(g))
    last = text(name.get("family"))
    user = ctx.existing(entry, get_user_model())
    if user is None and usernames:
        user = get_user_model().objects.filter(username=usernames[0]).first()
        if user is not None and entry.source != ctx.own_source and (user.first_name, user.last_name) != (first, last):
            user = None  # same username elsewhere, different person: a new account below
    if user is not None:
        return "matched", user, f"matched staff account {user.username!r}; import never changes staff accounts."
    if not usernames:
        raise Skip("it has no tpclinic username identifier (system " + codes.USERNAME_SYSTEM + "); staff accounts "
                   "are not created from other systems' practitioners. Create the account in tpclinic first.")
    email = next((text(t.get("value")) for t in resource.get("telecom", []) if t.get("system") == "email"), "")
    user = get_user_model()(username=_unique_username(usernames[0]), first_name=first[:150], last_name=last[:150],
                            email=email[:254], is_active=resource.get("active", True) is not False)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    qualification = (resource.get("qualification") or [{}])[0]
    ctx.credentials[user.pk] = concept_text(qualification.get("code"))[:60]
    return "created", user, (f"created staff account {user.username!r} without a password; an administrator sets "
                             "one before it can log in.")


@handler("PractitionerRole")
def import_practitioner_role(ctx: Importer, entry: Entry):
    resource = entry.resource
    user = ctx.resolve(resource.get("practitioner"), get_user_model(), entry)
    if user is None:
        raise Skip("its practitioner is not a staff account in this Bundle or known here.", "not-found")
    if ("user", user.pk) not in ctx.created or hasattr(user, "staff_profile"):
        return "matched", user, "role of an existing staff account left as it is (import never changes roles)."
    role = None
    for concept in resource.get("code", []):
        role = role or first_code(concept, codes.STAFF_ROLE)
    if role not in Role.values:
        raise Skip(f"its code has no tpclinic staff role ({', '.join(Role.values)}) in {codes.STAFF_ROLE}.")
    interval = next((e.get("valuePositiveInt") for e in resource.get("extension", [])
                     if e.get("url") == codes.EXT_PREFERRED_INTERVAL), None)
    profile = StaffProfile(user=user, role=role, credentials=ctx.credentials.get(user.pk, ""),
                           preferred_interval_days=interval or 14)
    profile.full_clean()
    profile.save()
    return "created", profile, f"gave {user.username!r} the role {role}."


# ------------------------------------------------------------------ the patient


def _mrn(resource: dict) -> tuple[str | None, bool]:
    """(MRN, is it in our own MRN system): our system first, else an identifier typed MR."""
    identifiers = [i for i in resource.get("identifier", []) if text(i.get("value"))]
    for identifier in identifiers:
        if identifier.get("system") == codes.mrn_system():
            return text(identifier["value"]), True
    for identifier in identifiers:
        if "MR" in codes_in(identifier.get("type"), codes.V2_0203):
            return text(identifier["value"]), False
    return None, False


def _name(resource: dict) -> dict:
    names = resource.get("name", [])
    for use in ("official", "usual", None):
        for name in names:
            if use is None or name.get("use") == use:
                return name
    return {}


@handler("Patient")
def import_patient(ctx: Importer, entry: Entry):
    resource = entry.resource
    if any(e.get("url") == ANIMAL for e in resource.get("extension", [])):
        raise Skip("it describes an animal; tpclinic records people only.", "not-supported")
    mrn, ours = _mrn(resource)
    if not mrn:
        raise Skip("it has no MRN: tpclinic matches patients by medical record number, an identifier of type MR "
                   f"({codes.V2_0203}) or with system {codes.mrn_system()}.", "required")
    name = _name(resource)
    given = " ".join(text(g) for g in name.get("given", []) if text(g))
    family = text(name.get("family"))
    born = resource.get("birthDate")
    linked = ctx.existing(entry, Patient)
    by_mrn = Patient.objects.filter(mrn=mrn).first()
    if linked and by_mrn and linked != by_mrn:
        raise Skip(f"MRN {mrn} belongs to a different patient here than the one this resource was imported into "
                   "before; resolve the duplicate in tpclinic first.", "conflict")
    patient = linked or by_mrn
    if patient is not None and patient is by_mrn and not linked and not ours:
        same = (patient.family_name.casefold() == family.casefold() and born and patient.birth_date.isoformat() == born)
        if not same:
            raise Skip(f"MRN {mrn} (from another record system) already belongs to a different patient here "
                       "(name or date of birth differ); not merged.", "conflict")
    created = patient is None
    patient = patient or Patient(sex="unknown", preferred_language="en")
    patient.mrn = mrn
    if given:
        patient.given_name = given
    if family:
        patient.family_name = family
    if born:
        if len(born) != 10:
            raise Skip(f"its birth date {born} is not a full date; tpclinic needs year, month and day.", "required")
        patient.birth_date = date.fromisoformat(born)
    elif created:
        raise Skip("it has no birth date; tpclinic needs one (doses and screening depend on age).", "required")
    if resource.get("gender") in {"female", "male", "other", "unknown"}:
        patient.sex = resource["gender"]
    for communication in sorted(resource.get("communication", []), key=lambda c: not c.get("preferred")):
        language = first_code(communication.get("language"), codes.BCP47) or concept_text(communication.get("language"))
        if language:
            patient.preferred_language = language
            break
    patient.full_clean(exclude=["user"])
    patient.save()
    return ("created" if created else "updated"), patient, f"{'created' if created else 'updated'} patient " \
        f"{patient.pk} (MRN {patient.mrn})."


@handler("Coverage")
def import_coverage(ctx: Importer, entry: Entry):
    resource = entry.resource
    patient = ctx.patient_of(entry, resource.get("beneficiary"), "beneficiary")
    policy = first_code(resource.get("type"), codes.PAYER_POLICY)
    if policy is not None:
        if policy not in dict(Patient._meta.get_field("payer").choices):
            raise Skip(f"its payer policy {policy!r} is not one tpclinic knows.", "code-invalid")
        patient.payer = policy
    displays = [text(p.get("display")) for p in resource.get("payor", []) if text(p.get("display"))]
    if displays or policy is not None:
        patient.payer_name = displays[0] if displays else ""
    patient.full_clean(exclude=["user"])
    patient.save(update_fields=["payer", "payer_name", "updated_at"])
    return "updated", patient, f"payer of patient {patient.pk} set."


@handler("AllergyIntolerance")
def import_allergy(ctx: Importer, entry: Entry):
    resource = entry.resource
    patient = ctx.patient_of(entry, resource.get("patient"), "patient")
    code = resource.get("code") or {}
    substance = text(code.get("text")) or next(
        (text(c.get("display")) or text(c.get("code")) for c in code.get("coding", [])
         if c.get("system") != codes.ANAESTHETIC_CLASS), "")
    if not substance:
        raise Skip("it names no substance (code.text or a coding).", "required")
    allergy = ctx.existing(entry, Allergy)
    if allergy is not None and allergy.patient_id != patient.pk:
        raise Skip("it was imported before for a different patient.", "conflict")
    created = allergy is None
    allergy = allergy or Allergy(patient=patient)
    allergy.substance = substance[:120]
    allergy.anaesthetic_class = first_code(code, codes.ANAESTHETIC_CLASS) or ""
    reactions = [concept_text(m) for r in resource.get("reaction", []) for m in r.get("manifestation", [])]
    allergy.reaction = "; ".join(r for r in reactions if r)[:200]
    allergy.full_clean()
    allergy.save()
    return ("created" if created else "updated"), allergy, f"allergy to {allergy.substance} of patient {patient.pk}."


@handler("MedicationStatement")
def import_medication(ctx: Importer, entry: Entry):
    resource = entry.resource
    patient = ctx.patient_of(entry, resource.get("subject"))
    kind = first_code(resource.get("category"), codes.MEDICATION_KIND)
    if kind not in dict(Medication.Kind.choices):
        raise Skip("tpclinic records only medicines that change bleeding risk; mark one with category "
                   f"anticoagulant or antiplatelet in {codes.MEDICATION_KIND}.", "not-supported")
    name = concept_text(resource.get("medicationCodeableConcept"))
    if not name:
        raise Skip("it names no medicine (medicationCodeableConcept).", "required")
    medication = ctx.existing(entry, Medication)
    if medication is not None and medication.patient_id != patient.pk:
        raise Skip("it was imported before for a different patient.", "conflict")
    created = medication is None
    medication = medication or Medication(patient=patient)
    medication.name, medication.kind = name[:120], kind
    medication.full_clean()
    medication.save()
    return ("created" if created else "updated"), medication, f"{kind} {name} of patient {patient.pk}."


@handler("Condition")
def import_condition(ctx: Importer, entry: Entry):
    resource = entry.resource
    flag = next((c for c in codes_in(resource.get("code"), codes.RISK) if c in codes.RISK_CONDITIONS), None)
    if flag is not None:
        patient = ctx.patient_of(entry, resource.get("subject"))
        status = first_code(resource.get("clinicalStatus"), codes.CONDITION_CLINICAL)
        value = status not in {"inactive", "resolved", "remission"}
        setattr(patient, flag, value)
        patient.full_clean(exclude=["user"])
        patient.save(update_fields=[flag, "updated_at"])
        return "updated", None, f"{flag} set to {value} for patient {patient.pk}."
    if id(entry) in ctx.diagnoses:
        return "used", None, "read as the diagnosis of the course (CarePlan) that addresses it."
    raise Skip("tpclinic keeps a diagnosis only with a treatment course (a CarePlan that addresses it), and the "
               f"risk conditions it screens for ({codes.RISK}).", "not-supported")
