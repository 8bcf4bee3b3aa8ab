"""The code systems and small code maps of our FHIR mapping, in one place (see README's table).

Our own vocabularies (muscles, regions, agents...) are published under https://tpclinic.org/fhir/
so other systems can tell them from standard ones; standard codes are used where one exists
(ICD-10-CM, CPT, LOINC, SNOMED laterality and route, UCUM units, NUCC taxonomy, BCP 47).
"""
from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from django.conf import settings

BASE = "https://tpclinic.org/fhir"
CS = f"{BASE}/CodeSystem"
EXT = f"{BASE}/StructureDefinition"


def mrn_system() -> str:
    """This installation's MRN namespace: settings.MRN_SYSTEM (an OID URN or URL; default `<SITE_URL>/mrn`)."""
    return settings.MRN_SYSTEM


USERNAME_SYSTEM = f"{BASE}/sid/username"
MUSCLE = f"{CS}/muscle"
REGION = f"{CS}/body-region"
AGENT = f"{CS}/injectate"
TECHNIQUE = f"{CS}/needle-technique"
STAFF_ROLE = f"{CS}/staff-role"
RISK = f"{CS}/risk-condition"
ANAESTHETIC_CLASS = f"{CS}/anaesthetic-class"
MEDICATION_KIND = f"{CS}/medication-kind"
PAYER_POLICY = f"{CS}/payer-policy"
OBSERVATION = f"{CS}/observation"
FINDING = f"{CS}/finding"
CARE_PLAN_KIND = f"{CS}/care-plan-kind"
ADVERSE_EVENT_KIND = f"{CS}/adverse-event-kind"
ADVERSE_EVENT_SEVERITY_OURS = f"{CS}/adverse-event-severity"
ADVERSE_EVENT_OUTCOME_OURS = f"{CS}/adverse-event-outcome"
CONSENT_FORM = f"{CS}/consent-form"
CONSENT_METHOD = f"{CS}/consent-method"

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
CPT = "http://www.ama-assn.org/go/cpt"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"  # codes: treatment/data/drug_codes.toml [rxnorm.*]
NUCC = "http://nucc.org/provider-taxonomy"
BCP47 = "urn:ietf:bcp:47"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
AE_SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
PROVENANCE_AGENT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
# An ultrasound still (Media): R4's media-type code system (http://hl7.org/fhir/R4/codesystem-media-type.html),
# and DICOM's acquisition modality US: R4's media-modality value set imports DICOM CID 29
# (http://hl7.org/fhir/R4/valueset-media-modality.html).
MEDIA_TYPE = "http://terminology.hl7.org/CodeSystem/media-type"
MEDIA_IMAGE = ("image", "Image")
DICOM = "http://dicom.nema.org/resources/ontology/DCM"
ULTRASOUND = ("US", "Ultrasound")

# Extensions (complex ones carry sub-extensions named in fhir_export).
EXT_TRIGGER_POINT = f"{EXT}/trigger-point"
EXT_SESSION = f"{EXT}/tpi-session"
EXT_INJECTION = f"{EXT}/injection"
EXT_MIXED_AGENT = f"{EXT}/injection-mixed-agent"  # one per agent mixed with the row's own, in order
EXT_PREFERRED_INTERVAL = f"{EXT}/preferred-interval-days"
EXT_ADVERSE_EVENT = f"{EXT}/adverse-event"  # action, followUp: R4 AdverseEvent has no note element
EXT_CONSENT = f"{EXT}/consent"  # method, flag*, recordedBy
EXT_AMENDMENT = f"{EXT}/amendment"  # text: Provenance records the act, this carries what was written
# The side of a body site, as SNOMED CT: on a pain drawing's Observation.component (a paired region), on
# Procedure.bodySite and MedicationAdministration.dosage.site (the muscle injected).
EXT_LATERALITY = f"{EXT}/laterality"

# SNOMED CT qualifier values 7771000 |Left| and 24028007 |Right|, the codes of HL7's R4 value set
# bodysite-laterality (http://hl7.org/fhir/R4/valueset-bodysite-laterality.html); checked in the SNOMED
# International browser (https://browser.ihtsdotools.org/).
LATERALITY = {"left": ("7771000", "Left"), "right": ("24028007", "Right")}
LATERALITY_BY_CODE = {code: side for side, (code, _) in LATERALITY.items()}
INTRAMUSCULAR = ("78421000", "Intramuscular route")  # SNOMED CT, R4 value set route-codes
PAIN_SCORE = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
BODY_HEIGHT = ("8302-2", "Body height")
BODY_WEIGHT = ("29463-7", "Body weight")
CONSENT_DOCUMENT = ("59284-0", "Consent Document")  # LOINC, the category R4's own Consent examples use
CPT_DISPLAY = {
    "20552": "Injection(s); single or multiple trigger point(s), 1 or 2 muscle(s)",
    "20553": "Injection(s); single or multiple trigger point(s), 3 or more muscles",
    "20560": "Needle insertion(s) without injection(s); 1 or 2 muscle(s)",
    "20561": "Needle insertion(s) without injection(s); 3 or more muscles",
}

# Patient risk flags as problem-list Conditions: our code (exact round trip) + ICD-10-CM (for others).
RISK_CONDITIONS = {
    "bleeding_disorder": ("D68.9", "Coagulation defect, unspecified"),
    "copd": ("J44.9", "Chronic obstructive pulmonary disease, unspecified"),
    "pregnant": ("Z33.1", "Pregnant state, incidental"),
    "renal_disease": ("N28.9", "Disorder of kidney and ureter, unspecified"),
    "hepatic_disease": ("K76.9", "Liver disease, unspecified"),
    "cardiac_disease": ("I51.9", "Heart disease, unspecified"),
    # ICD-10-CM has no code for diabetes of unstated type (E08-E13 each name one), and the record does
    # not say which: the Condition carries tpclinic's risk code only rather than a guessed type.
    "diabetes": (None, None),
}

# TriggerPoint boolean findings -> our finding codes (BodyStructure trigger-point extension).
FINDINGS = {
    "taut_band": "taut-band",
    "palpable_nodule": "palpable-nodule",
    "local_twitch_response": "local-twitch-response",
    "jump_sign": "jump-sign",
    "referred_pain_reproduced": "referred-pain-reproduced",
}

# Course status <-> CarePlan.status (one to one, so the round trip is exact).
COURSE_STATUS = {"planned": "draft", "active": "active", "completed": "completed", "stopped": "revoked"}
COURSE_STATUS_BACK = {v: k for k, v in COURSE_STATUS.items()}


@cache
def nucc_rows() -> tuple[dict, ...]:
    with open(Path(__file__).resolve().parent / "data" / "nucc-taxonomy.csv", newline="", encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


def nucc_for(role: str, credentials: str) -> tuple[str, str] | None:
    """The NUCC taxonomy code for a staff member, from role and credentials; None when not known."""
    held = {c.strip(" .").upper() for c in credentials.replace(",", " ").split()}
    rows = [r for r in nucc_rows() if r["role"] == role]
    for row in rows:
        if held & set(row["credentials"].split()):
            return row["code"], row["display"]
    for row in rows:
        if not row["credentials"]:
            return row["code"], row["display"]
    return None


# Adverse events: our severity and outcome codes are exact; R4's required value sets get the nearest code.
AE_SEVERITY_TO_R4 = {"mild": "mild", "moderate": "moderate", "severe": "severe", "life-threatening": "severe"}
AE_SEVERITY_FROM_R4 = {"mild": "mild", "moderate": "moderate", "severe": "severe"}
AE_OUTCOME_TO_R4 = {"ongoing": ("ongoing", "Ongoing"), "resolved": ("resolved", "Resolved"),
                    "sequelae": ("resolvedWithSequelae", "Resolved with Sequelae"),
                    "hospitalised": ("ongoing", "Ongoing")}
AE_OUTCOME_FROM_R4 = {"ongoing": "ongoing", "recovering": "ongoing", "resolved": "resolved",
                      "resolvedWithSequelae": "sequelae"}
