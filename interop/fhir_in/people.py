"""Import of staff and the patient: Practitioner, PractitionerRole, Patient, Coverage, AllergyIntolerance,
MedicationStatement and Condition (risk flags; course diagnoses are read by the CarePlan).

Staff accounts are created only from our own username identifier and never changed once they exist;
patients are matched by our own MRN (settings.MRN_SYSTEM) or an earlier import of the same resource; a
foreign Patient gets an MRN here and keeps its own identifiers beside it, and a different person under one
of our MRNs is refused, never merged.
"""
from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from accounts.models import Role, StaffProfile
from interop import fhir_codes as codes
from interop.fhir_import import (Entry, Importer, Skip, codes_in, concept_text, first_code, handler, text)
from interop.models import PatientDemographics
from patients.models import Allergy, Medication, Patient
from patients.validators import validate_language_tag

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


# Elements of a Patient that tpclinic keeps: in Patient's own fields or, as read, in PatientDemographics.
KEPT = {"resourceType", "id", "identifier", "name", "telecom", "address", "deceasedBoolean", "deceasedDateTime",
        "gender", "birthDate"}
META_KEPT = {"source", "versionId", "lastUpdated"}  # the version and time are this server's own on a read


def _ours(resource: dict) -> str | None:
    """The MRN this Patient carries in our own MRN system (settings.MRN_SYSTEM), if any."""
    for identifier in resource.get("identifier", []):
        if identifier.get("system") == codes.mrn_system() and text(identifier.get("value")):
            return text(identifier["value"])
    return None


def _name(resource: dict) -> dict:
    names = resource.get("name", [])
    for use in ("official", "usual", None):
        for name in names:
            if use is None or name.get("use") == use:
                return name
    return {}


def _given(name: dict) -> str:
    return " ".join(text(g) for g in name.get("given", []) if text(g))


def new_mrn() -> str:
    """The next free MRN for a patient arriving without one in our MRN system ("I" for imported)."""
    number = Patient.objects.count() + 1
    while Patient.objects.filter(mrn=f"I{number:07d}").exists():
        number += 1
    return f"I{number:07d}"


def identity_differences(patient: Patient, given: str, family: str, born: str | None) -> list[str]:
    """The elements in which an incoming Patient is not the local patient (case ignored)."""
    differing = []
    if family and family.casefold() != patient.family_name.casefold():
        differing.append("name.family")
    if given and given.casefold() != patient.given_name.casefold():
        differing.append("name.given")
    if born and born != patient.birth_date.isoformat():
        differing.append("birthDate")
    return differing


def unmapped_elements(resource: dict, language_kept: int | None) -> list[str]:
    """FHIRPath-like names of every element tpclinic keeps only in the stored original, one per item."""
    out = []
    for key, value in resource.items():
        if key in KEPT:
            continue
        if key == "meta":
            out += [f"meta.{k}" for k in value if k not in META_KEPT]
        elif key == "active" and value is True:
            continue  # every patient tpclinic serves is active
        elif key == "communication":
            out += [f"communication[{n}]" for n in range(len(value)) if n != language_kept]
        elif isinstance(value, list):
            out += [f"{key}[{n}]" for n in range(len(value))]
        else:
            out.append(key)
    return out


def _language(resource: dict) -> tuple[str | None, int | None]:
    """(BCP 47 tag, position in communication) of the preferred language, else the first; never a default.

    Only a valid BCP 47 coding counts: a language named in text only is kept as read and warned about."""
    ranked = sorted(enumerate(resource.get("communication", [])), key=lambda pair: not pair[1].get("preferred"))
    for position, communication in ranked:
        language = first_code(communication.get("language"), codes.BCP47)
        try:
            validate_language_tag(language or "")
        except ValidationError:
            continue
        return language, position
    return None, None


@handler("Patient")
def import_patient(ctx: Importer, entry: Entry):
    """Match by our own MRN or an earlier import of the same resource, else create with a new MRN.

    A different person under one of our MRNs is an identity conflict (409), never merged. Foreign
    identifiers, names, telecoms, addresses, deceased[x] and meta.source are kept as read."""
    resource = entry.resource
    if any(e.get("url") == ANIMAL for e in resource.get("extension", [])):
        raise Skip("it describes an animal; tpclinic records people only.", "not-supported")
    if resource.get("modifierExtension"):  # FHIR: what changes the meaning must not be ignored
        urls = ", ".join(e.get("url", "?") for e in resource["modifierExtension"])
        raise Skip(f"it has modifierExtension ({urls}), which changes its meaning in a way tpclinic does not know.",
                   "not-supported")
    ours = _ours(resource)
    name = _name(resource)
    given, family = _given(name), text(name.get("family"))
    born = resource.get("birthDate")
    if born and len(born) != 10:
        raise Skip(f"its birth date {born} is not a full date; tpclinic needs year, month and day.", "required")
    linked = ctx.existing(entry, Patient)
    by_mrn = Patient.objects.filter(mrn=ours).first() if ours else None
    if linked and by_mrn and linked != by_mrn:
        raise Skip(f"MRN {ours} belongs to a different patient here than the one this resource was imported into "
                   "before; resolve the duplicate in tpclinic first.", "conflict")
    if by_mrn is not None:
        differing = identity_differences(by_mrn, given, family, born)
        if differing:
            raise Skip(f"identity conflict: MRN {ours} ({codes.mrn_system()}) is patient {by_mrn.pk} here, and this "
                       f"resource differs in {', '.join(differing)}. Not merged and nothing changed: check who this is; "
                       "correct the name or birth date in tpclinic if the incoming values are right.", "conflict")
    patient = linked or by_mrn
    created = patient is None
    if created and not born:
        raise Skip("it has no birth date; tpclinic needs one (doses and screening depend on age).", "required")
    if created and not family:
        raise Skip("it has no family name; tpclinic needs one to tell patients apart.", "required")
    patient = patient or Patient(sex="unknown", preferred_language="", mrn=ours or new_mrn())
    if given:
        patient.given_name = given
    if family:
        patient.family_name = family
    if born:
        patient.birth_date = date.fromisoformat(born)
    if resource.get("gender") in {"female", "male", "other", "unknown"}:
        patient.sex = resource["gender"]
    language, language_kept = _language(resource)
    if language:
        patient.preferred_language = language
    patient.full_clean(exclude=["user"] + ([] if patient.preferred_language else ["preferred_language"]))
    patient.save()
    message = f"{'created' if created else 'updated'} patient {patient.pk} (MRN {patient.mrn}"
    message += f" in {codes.mrn_system()}, assigned here)." if created and not ours else ")."
    if not patient.preferred_language:
        message += " No language was given: the preferred language is left unknown for the clinic to ask."
    if entry.source != ctx.own_source:
        keep_as_read(ctx, entry, patient, language_kept)
    return ("created" if created else "updated"), patient, message


def keep_as_read(ctx: Importer, entry: Entry, patient: Patient, language_kept: int | None) -> None:
    """Store what the Patient model has no field for; warn, element by element, about what is kept only whole."""
    resource = entry.resource
    deceased = {k: resource[k] for k in ("deceasedBoolean", "deceasedDateTime") if k in resource}
    unmapped = unmapped_elements(resource, language_kept)
    unmapped += [f"telecom[{n}]" for n, t in enumerate(resource.get("telecom", [])) if not t.get("value")]
    before = PatientDemographics.objects.filter(patient=patient).first()
    earlier = list(before.earlier) if before else []
    if before is not None and before.original != resource:
        earlier.append(before.original)
    PatientDemographics.objects.update_or_create(patient=patient, defaults={
        "earlier": earlier,
        "identifiers": [i for i in resource.get("identifier", []) if i.get("system") != codes.mrn_system()],
        "names": resource.get("name", []),
        "telecoms": [t for t in resource.get("telecom", []) if t.get("value")],
        "addresses": resource.get("address", []),
        "deceased": deceased or None,
        "meta_source": ((resource.get("meta") or {}).get("source") or "")[:255],
        "original": resource,
        "unmapped": unmapped,
    })
    for element in unmapped:
        ctx.warn(entry, f"{element} is not used by tpclinic; it is kept with the stored original resource only.",
                 element)


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
    ctx.update(patient, ["payer", "payer_name"], exclude=["user"])
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
    ctx.write(allergy)
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
    ctx.write(medication)
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
        ctx.update(patient, [flag], exclude=["user"])
        return "updated", None, f"{flag} set to {value} for patient {patient.pk}."
    if id(entry) in ctx.diagnoses:
        return "used", None, "read as the diagnosis of the course (CarePlan) that addresses it."
    raise Skip("tpclinic keeps a diagnosis only with a treatment course (a CarePlan that addresses it), and the "
               f"risk conditions it screens for ({codes.RISK}).", "not-supported")
