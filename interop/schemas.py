"""Request and response shapes of the JSON API; these are what /api/v1/openapi.json publishes.

The records' fields are derived from the models and the web forms (`from_model` and ninja's
`ModelSchema`): types, choices, lengths, ranges, date limits and help texts are said once, on the
model, and the OpenAPI document follows them. The web UI's forms still run on every write (same
checks, same messages). Ids and versions are capped at the database's largest integer so a huge
id is a 422, not a database overflow.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, Optional

from django.core import validators as django_validators
from django.db import models
from ninja import Field, ModelSchema, Schema
from pydantic import AfterValidator, create_model

from anatomy import vocabulary
from charting.forms import TriggerPointForm
from charting.models import TriggerPoint
from interop.text import reject_control_characters
from patients.forms import PatientForm
from patients.models import Allergy, Medication, Patient
from tpclinic.limits import MAX_ID
from safety.models import AdverseEvent
from treatment.forms import MIXED_FIELDS, MIXED_SLOTS, AdverseEventForm, CourseForm, InjectionForm, SessionForm
from treatment.models import Course, Injection, InjectionAgent, Session

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=1, le=MAX_ID, description="The version you read (GET the record first); a write "
                                                           "based on an older version is a 409 and saves nothing.")]
Text = Annotated[str, AfterValidator(reject_control_characters)]
Side = Literal["left", "right"]
Agent = Literal[tuple(Injection.Agent.values)]  # the model's choices (safety/agents.py), said once there


class Problem(Schema):
    """RFC 9457 problem details (application/problem+json)."""

    type: str = Field(examples=["https://tpclinic.org/problems/invalid-input"])
    title: str
    status: int
    detail: str = Field(description="What went wrong and what to do about it.")
    errors: Optional[list["FieldError"]] = None
    current_version: Optional[int] = Field(None, description="A stale-version conflict (409): the version stored now.")
    changes: Optional[list["Change"]] = Field(None, description="A stale-version conflict (409): the fields whose "
                                              "stored value differs from what you sent.")


class FieldError(Schema):
    field: str = Field(description="The input field, dotted for nested ones; empty for the whole request.")
    message: str


class Change(Schema):
    field: str
    now: object = Field(description="The value stored now.")
    sent: object = Field(description="The value you sent.")


Problem.model_rebuild()


def page_of(item):
    """A paginated list schema for `item`."""
    return type(f"{item.__name__}Page", (Schema,), {
        "__annotations__": {"count": int, "limit": int, "offset": int, "items": list[item]},
        "__doc__": f"One page of {item.__name__} records; `count` is the total matching the filters.",
    })


# ------------------------------------------------------------------ fields derived from the models


def model_field(field: models.Field, *, optional: bool = False, description: str | None = None):
    """(type, Field) for one model field: its choices, length, range, default and help text.

    The model's own rules (language tag, muscle code, date ranges) are left to the web form the
    endpoint runs, so that one answer names every wrong field, as the web page does.
    """
    constraints = {}
    if field.is_relation:
        kind = int
        constraints.update(ge=1, le=MAX_ID)
    elif field.choices:
        kind = Literal[tuple(value for value, _ in field.flatchoices)]
    elif isinstance(field, (models.CharField, models.TextField)):
        kind = Text
    elif isinstance(field, models.BooleanField):
        kind = bool
    elif isinstance(field, models.DateTimeField):
        kind = datetime
    elif isinstance(field, models.DateField):
        kind = date
    elif isinstance(field, (models.DecimalField, models.FloatField)):
        kind = float
    elif isinstance(field, models.IntegerField):
        kind = int
    else:
        raise TypeError(f"No API type for {field!r}")
    if field.max_length and not field.choices:
        constraints["max_length"] = field.max_length
    for check in field.validators:
        if isinstance(check, django_validators.MinValueValidator):
            constraints["ge"] = check.limit_value
        elif isinstance(check, django_validators.MaxValueValidator):
            constraints["le"] = check.limit_value
    if optional or field.null or (field.has_default() and callable(field.default)):
        kind, default = Optional[kind], None
    elif field.has_default():
        default = float(field.default) if isinstance(field.default, Decimal) else field.default  # JSON has no Decimal
    elif field.blank and isinstance(field, (models.CharField, models.TextField)):
        default = ""
    else:
        default = ...
    return kind, Field(default, description=description or str(field.help_text or "") or None, **constraints)


def from_model(name: str, model, names, *, optional: bool = False, describe: dict | None = None, base=Schema):
    """A request schema with the model's `names` fields (all optional for a partial update)."""
    describe = describe or {}
    fields = {n: model_field(model._meta.get_field(n), optional=optional, description=describe.get(n)) for n in names}
    return create_model(name, __base__=base, __module__=__name__, **fields)


# ------------------------------------------------------------------ patients

PATIENT_FIELDS = PatientForm._meta.fields
PATIENT_TEXT = {"mrn": "Medical record number; stored upper-case.",
                "preferred_language": "BCP 47 tag, e.g. en, es, ar."}
AllergyIn = from_model("AllergyIn", Allergy, ["substance", "anaesthetic_class", "reaction"])
MedicationIn = from_model("MedicationIn", Medication, ["name", "kind"])


class AllergyOut(ModelSchema):
    class Meta:
        model = Allergy
        fields = ["id", "substance", "anaesthetic_class", "reaction"]


class MedicationOut(ModelSchema):
    class Meta:
        model = Medication
        fields = ["id", "name", "kind"]


class _PatientLists(Schema):
    allergies: Optional[list[AllergyIn]] = Field(None, max_length=100, description="Replaces the list when given.")
    medications: Optional[list[MedicationIn]] = Field(None, max_length=100, description="Replaces the list when given.")


PatientIn = from_model("PatientIn", Patient, PATIENT_FIELDS, describe=PATIENT_TEXT, base=_PatientLists)
PatientFields = from_model("PatientFields", Patient, PATIENT_FIELDS, optional=True, describe=PATIENT_TEXT,
                           base=_PatientLists)


class PatientUpdate(PatientFields):
    """The fields to change, and the version they are based on."""

    version: Version


class PatientOut(ModelSchema):
    height_cm: Optional[float]
    weight_kg: Optional[float]
    allergies: list[AllergyOut]
    medications: list[MedicationOut]

    class Meta:
        model = Patient
        fields = ["id", *PATIENT_FIELDS, "version", "updated_at"]


# ------------------------------------------------------------------ trigger points

_PLACEMENT = {
    "muscle": "Muscle code from the anatomy vocabulary, e.g. upper-trapezius.",
    "region": "Body region code, e.g. neck.posterior.",
    "region_side": "Empty for a midline region.",
    "view": "Body map view; omit with map_x/map_y to place the point at the region's centre.",
    "found_on": "Defaults to today; cannot be in the future.",
}
_TriggerPointFields = from_model("_TriggerPointFields", TriggerPoint, TriggerPointForm._meta.fields, describe=_PLACEMENT)


class TriggerPointIn(_TriggerPointFields):
    view: Optional[Literal["front", "back"]] = Field(None, description=_PLACEMENT["view"])
    map_x: Optional[float] = Field(None, ge=0, le=1000)
    map_y: Optional[float] = Field(None, ge=0, le=1000)
    found_on: Optional[date] = Field(None, description=_PLACEMENT["found_on"])


class TriggerPointOut(ModelSchema):
    """A charted trigger point, read from the record itself; names are English whatever the request's language."""

    patient: int
    muscle_name: str = Field(description="English, whatever the request's language.")
    region_name: str = Field(description="English, with the side: 'Angle of neck, left'.")
    findings: list[str]

    @staticmethod
    def resolve_patient(point: TriggerPoint) -> int:
        return point.patient_id

    @staticmethod
    def resolve_muscle_name(point: TriggerPoint) -> str:
        return vocabulary.muscle_label(point.muscle)

    @staticmethod
    def resolve_region_name(point: TriggerPoint) -> str:
        return vocabulary.place_label(point.place) if point.region in vocabulary.regions() else point.region

    class Meta:
        model = TriggerPoint
        fields = ["id", "muscle", "side", "region", "region_side", "view", "map_x", "map_y", "activity", "found_on",
                  "resolved_on", "notes", "version"]


class TriggerPointResolve(Schema):
    version: Version
    resolved_on: Optional[date] = Field(None, description="Defaults to today; not before it was found.")


# ------------------------------------------------------------------ courses

COURSE_TEXT = {"diagnosis_code": "A billable ICD-10-CM code, e.g. M79.12.",
               "clinician": "User id of a clinician; defaults to you if you are one.",
               "interval_days": "Defaults to the clinician's preference.",
               "started_on": "Defaults to today."}
_CourseFields = from_model("_CourseFields", Course, CourseForm._meta.fields, describe=COURSE_TEXT)


class CourseIn(_CourseFields):
    patient: Id
    clinician: Optional[Id] = Field(None, description=COURSE_TEXT["clinician"])
    interval_days: Optional[int] = Field(None, ge=1, le=365, description=COURSE_TEXT["interval_days"])


class CourseUpdate(from_model("_CourseChanges", Course, CourseForm._meta.fields, optional=True, describe=COURSE_TEXT)):
    """The fields to change, and the version they are based on."""

    version: Version


class CourseOut(ModelSchema):
    """A course plan with its schedule, read from the record (`Course.next_due_on`, `signed_sessions`)."""

    patient: int
    clinician: int
    clinician_name: str
    next_due: Optional[date] = Field(description="None once the course is completed or stopped.")
    sessions_signed: int

    @staticmethod
    def resolve_patient(course: Course) -> int:
        return course.patient_id

    @staticmethod
    def resolve_clinician(course: Course) -> int:
        return course.clinician_id

    @staticmethod
    def resolve_clinician_name(course: Course) -> str:
        return course.clinician.get_full_name() or course.clinician.username

    @staticmethod
    def resolve_next_due(course: Course) -> Optional[date]:
        return course.next_due_on if course.is_open else None

    @staticmethod
    def resolve_sessions_signed(course: Course) -> int:
        return len(course.signed_sessions())

    class Meta:
        model = Course
        fields = ["id", "diagnosis_code", "interval_days", "planned_sessions", "goals", "status", "started_on",
                  "version"]


# ------------------------------------------------------------------ sessions


INJECTION_TEXT = {"trigger_point": "An unresolved trigger point of the course's patient.",
                  "agent": "The row's own agent, first in the syringe; further agents go in mixed_agents."}
INJECTION_FIELDS = [f for f in InjectionForm._meta.fields if f != "ultrasound_image"]  # the still: web UI only
MIXED_AGENT_TEXT = {"agent": "A local anaesthetic or saline (given as concentration and volume) or a corticosteroid "
                             "(given as dose_mg).",
                    "dose_mg": "Corticosteroids only.", "concentration_pct": "Local anaesthetics only."}

# One further agent of the syringe: InjectionAgent's fields as the session form's mixture slots show them.
InjectionAgentIn = from_model("InjectionAgentIn", InjectionAgent, MIXED_FIELDS, describe=MIXED_AGENT_TEXT)


class InjectionIn(from_model("_InjectionFields", Injection, INJECTION_FIELDS, describe=INJECTION_TEXT)):
    """One injection row: the session form's row fields, and the agents mixed into the same syringe."""

    mixed_agents: list[InjectionAgentIn] = Field([], max_length=MIXED_SLOTS, description=(
        f"At most {MIXED_SLOTS} further agents in the same syringe (a mixture), e.g. triamcinolone 20 mg "
        "added to lidocaine 1%."))


class InjectionAgentOut(ModelSchema):
    """A further agent of the syringe, read from the record."""

    concentration_pct: Optional[float]
    volume_ml: Optional[float]
    dose_mg: Optional[float]
    description: str = Field(description="The agent and its amount, as the chart shows it.")

    @staticmethod
    def resolve_description(agent: InjectionAgent) -> str:
        return agent.describe()

    class Meta:
        model = InjectionAgent
        fields = list(MIXED_FIELDS)


class InjectionOut(ModelSchema):
    """An injection row read from the record, with its trigger point and its whole syringe."""

    trigger_point: int
    muscle: str
    muscle_name: str = Field(description="English.")
    side: str
    concentration_pct: float
    volume_ml: float
    mixed_agents: list[InjectionAgentOut]
    description: str = Field(description="The whole syringe: the row's own agent, then each agent mixed with it.")

    @staticmethod
    def resolve_trigger_point(injection: Injection) -> int:
        return injection.trigger_point_id

    @staticmethod
    def resolve_muscle(injection: Injection) -> str:
        return injection.trigger_point.muscle

    @staticmethod
    def resolve_muscle_name(injection: Injection) -> str:
        return vocabulary.muscle_label(injection.trigger_point.muscle)

    @staticmethod
    def resolve_side(injection: Injection) -> str:
        return injection.trigger_point.side

    @staticmethod
    def resolve_mixed_agents(injection: Injection) -> list:
        return list(injection.mixed_agents.all())

    @staticmethod
    def resolve_description(injection: Injection) -> str:
        return injection.describe_mixture()

    class Meta:
        model = Injection
        fields = ["id", *(f for f in INJECTION_FIELDS if f != "trigger_point")]


SESSION_TEXT = {"performed_at": "ISO 8601; defaults to now (minute precision).",
                "immediate_relief_pct": "Computed from the pain scores when omitted.",
                "dose_override_reason": "Only when proceeding over the dose limit."}


class SessionFields(from_model("_SessionFields", Session, SessionForm._meta.fields, optional=True,
                               describe=SESSION_TEXT)):
    """The session form's fields (all optional: a draft is filled in as the session goes), and its injections."""

    injections: Optional[list[InjectionIn]] = Field(None, max_length=60, description="Replaces the list when given.")


class SessionIn(SessionFields):
    course: Id


class SessionUpdate(SessionFields):
    version: int = Field(ge=1, le=2**31, description="The version you read; a stale version is a 409.")


class SignIn(Schema):
    # Optional in the schema only so that a caller who may not sign hears 403 before any body check;
    # signing without it is refused (409) like a stale version.
    version: Optional[int] = Field(None, ge=0, le=2**31, description=(
        "Required: the version you read. Missing, 0 or stale is a 409 and nothing is signed."))
    attestation: str = Field("", max_length=500, description=(
        "Only when you are not the session's clinician: why you, as covering clinician, co-sign it. "
        "Kept as a co-signature (who, when, for whom, why)."))


SESSION_OUT_FIELDS = ["id", "performed_at", "pain_before", "pain_after", "immediate_relief_pct", "consent_recorded",
                      "notes", "status", "signed_at", "version"]


class SessionOut(ModelSchema):
    """A session as the chart shows it; its own fields come from the model."""

    course: int
    patient: int
    clinician: int
    clinician_name: str
    consent_recorded: bool = Field(description="Read-only: consent is recorded in the web UI's consent form.")
    signed_by: Optional[int]
    cpt_codes: list[str]
    injections: list[InjectionOut]

    class Meta:
        model = Session
        fields = SESSION_OUT_FIELDS


# ------------------------------------------------------------------ referral


class RankIn(Schema):
    drawing: list[Text] = Field(max_length=200, description="Painful places, 'CODE:left', 'CODE:right' or "
                                "plain 'CODE' for a midline region, e.g. ['head.temple:left'].")
    top: int = Field(10, ge=1, le=2 * len(vocabulary.muscles()))  # every muscle on each side


class CandidateOut(Schema):
    muscle: str
    muscle_name: str
    side: str
    score: float
    rank: int
    confidence: str
    explained_essential: list[str]
    explained_spillover: list[str]
    explained_local: list[str]
    unexplained: list[str]
    unmarked_essential: list[str]


class RankOut(Schema):
    candidates: list[CandidateOut]


# ------------------------------------------------------------------ labels shared by several records


class PlaceOut(Schema):
    """A marked place of a pain drawing: the code as stored, its parts, an English label and the intensity."""

    place: str = Field(description="'CODE:side', or plain 'CODE' for a midline region.")
    region: str
    side: Optional[str]
    label: str = Field(description="English, whatever the request's language, e.g. 'Angle of neck, left'.")
    intensity: Optional[int] = Field(None, description="0-10; absent when the drawing did not grade it.")




# ------------------------------------------------------------------ safety screen


class FindingOut(Schema):
    rule: str
    level: Literal["block", "warn", "info"] = Field(description="block stops signing; warn is read before signing.")
    message: str
    source: str
    muscle: Optional[str]
    muscle_name: Optional[str] = Field(description="English.")
    suggestion: Optional[str]
    strong: bool = Field(description="A warning raised by an added risk factor (e.g. COPD over the chest wall).")


class DoseRowOut(Schema):
    agent: str
    with_epinephrine: bool
    name: str
    mg: float
    limit_mg: Optional[float] = Field(description="None when the weight is not recorded.")
    fraction: Optional[float] = Field(description="mg / limit_mg.")
    limit_basis: str
    text: str
    sources: list[str]


class ReductionOut(Schema):
    condition: str
    reason: str


class DoseOut(Schema):
    status: Literal["ok", "caution", "over", "unknown"]
    dosing_weight_kg: Optional[float]
    weight_basis: str
    rows: list[DoseRowOut]
    total_fraction: Optional[float] = Field(description="The agents' fractions of their limits, added up.")
    total_percent: str = Field(description="As the web page shows it, e.g. '62.5%' or 'about 33.3%'.")
    reductions: list[ReductionOut]
    reduction_factor: float
    anaesthetic_planned: bool
    blocks_signing: bool
    messages: list[str]
    data_version: str


class CptOut(Schema):
    codes: list[str] = Field(description="Empty or one CPT code, reported once per session.")
    muscle_count: int
    explanation: str
    notes: list[str]
    source: str


class ScreenOut(Schema):
    """The risk screen, dose total, CPT code and payer findings, as the session page shows them."""

    patient: int
    session: Optional[int] = Field(description="None for a planned screen (nothing is saved).")
    performed_on: date
    can_sign: bool = Field(description="False while any finding blocks.")
    dose_override_reason: Optional[str]
    findings: list[FindingOut]
    dose: DoseOut
    cpt: CptOut
    payer: list[FindingOut] = Field(description="Coverage warnings under the patient's payer policy, if any.")
    at_signing: Optional[dict] = Field(None, description="A signed session: the screen as it was shown at signing, "
                                       "kept with the note (the rest of this answer is computed now).")


# A planned row: the fields of a session row the screen reads (the model's own, with its choices, ranges and
# defaults), at a muscle and side instead of a charted trigger point, and the agents mixed into the same syringe
# as the session form's mixture slots take them (lots change no screen, so a plan has none).
PLANNED_FIELDS = ["agent", "concentration_pct", "with_epinephrine", "volume_ml", "guidance"]
PLANNED_TEXT = {"agent": "The row's own agent, first in the syringe; further agents go in mixed_agents.",
                "concentration_pct": "Ignored for saline and dry needling.", "volume_ml": "Ignored for dry needling.",
                "guidance": "How the needle is to be guided; ultrasound brings the imaging add-on code and the payer's note."}
PlannedAgentIn = from_model("PlannedAgentIn", InjectionAgent, [f for f in MIXED_FIELDS if not f.startswith("lot_")],
                            describe=MIXED_AGENT_TEXT)
_PlannedSite = from_model("_PlannedSite", TriggerPoint, ["muscle"], describe={
    "muscle": "Muscle code from the anatomy vocabulary, e.g. upper-trapezius."})


class PlannedInjectionIn(from_model("_PlannedRow", Injection, PLANNED_FIELDS, describe=PLANNED_TEXT, base=_PlannedSite)):
    side: Optional[Side] = Field(None, description="Left and right of one muscle count as two for CPT.")
    mixed_agents: list[PlannedAgentIn] = Field([], max_length=MIXED_SLOTS, description=(
        f"At most {MIXED_SLOTS} further agents in the same syringe, as on the session form; each agent's dose "
        "counts toward its total with every other row's."))


class ScreenIn(Schema):
    patient: Id
    injections: list[PlannedInjectionIn] = Field(max_length=60)
    performed_on: Optional[date] = Field(None, description="The planned day (age, payer intervals); default today.")
    systemic_infection: bool = False
    site_infection: bool = Field(False, description="Infection over the planned sites, as the session form's box.")
    dose_override_reason: Optional[Text] = Field(None, max_length=500,
                                                 description="Only when proceeding over the dose limit.")


# ------------------------------------------------------------------ adverse events


AdverseEventKind = Literal[tuple(AdverseEvent.Kind.values)]
AdverseEventSeverity = Literal[tuple(AdverseEvent.Severity.values)]
AdverseEventOutcome = Literal[tuple(AdverseEvent.Outcome.values)]
EVENT_TEXT = {"injection": "The injection of that session it followed, when known.",
              "onset_at": "Not before the session (an hour's slack) nor in the future; minute precision; without a "
                          "time zone, clinic time.",
              "action": "What was done."}


class AdverseEventIn(from_model("_AdverseEventFields", AdverseEvent, AdverseEventForm._meta.fields,
                                describe=EVENT_TEXT)):
    session: Id = Field(description="The session it followed.")


class AdverseEventOut(ModelSchema):
    session: int
    patient: int
    injection: Optional[int]
    kind_label: str = Field(description="English.")
    recorded_by: int
    recorded_by_name: str

    @staticmethod
    def resolve_session(event: AdverseEvent) -> int:
        return event.session_id

    @staticmethod
    def resolve_patient(event: AdverseEvent) -> int:
        return event.session.course.patient_id

    @staticmethod
    def resolve_injection(event: AdverseEvent) -> Optional[int]:
        return event.injection_id

    @staticmethod
    def resolve_kind_label(event: AdverseEvent) -> str:
        return str(event.get_kind_display())

    @staticmethod
    def resolve_recorded_by(event: AdverseEvent) -> int:
        return event.recorded_by_id

    @staticmethod
    def resolve_recorded_by_name(event: AdverseEvent) -> str:
        return event.recorded_by.get_full_name() or event.recorded_by.username

    class Meta:
        model = AdverseEvent
        fields = ["id", "kind", "onset_at", "severity", "outcome", "action", "follow_up", "recorded_at", "version"]


class AdverseEventUpdate(from_model("_AdverseEventChanges", AdverseEvent, ["severity", "action", "outcome", "follow_up"],
                                    optional=True, describe=EVENT_TEXT)):
    """The course of an event after it was recorded: what was done, its severity, outcome and follow-up."""

    version: Optional[int] = Field(None, ge=0, le=2**31, description=(
        "Required: the version you read. Missing, 0 or stale is a 409 and nothing is saved."))


# ------------------------------------------------------------------ pain drawings and the diary


class PainDrawingIn(Schema):
    regions: list[Text] = Field(min_length=1, max_length=200, description=(
        "Painful places: 'CODE:left', 'CODE:right' or plain 'CODE' for a midline region, each optionally with "
        "'@intensity' 0-10 (default 5), e.g. ['neck.angle:left@7', 'chest.sternum@3']."))
    drawn_on: Optional[date] = Field(None, description="Defaults to today; cannot be in the future.")


class PainDrawingOut(Schema):
    id: int
    patient: int
    drawn_on: date
    source: Literal["clinician", "patient"]
    recorded_by: Optional[int]
    regions: list[PlaceOut]
    extent_pct: float = Field(description="Share of the body map's places marked.")
    diary_entry: Optional[int] = Field(description="The diary entry this drawing belongs to, for a patient's drawing.")
    created_at: datetime


class DiaryEntryIn(Schema):
    day: Optional[date] = Field(None, description="Defaults to today; cannot be in the future. An entry already "
                                                  "there for that day is replaced (one entry a day, as in the portal).")
    pain: int = Field(ge=0, le=10)
    note: Text = Field("", max_length=280)
    regions: list[Text] = Field([], max_length=200, description=(
        "Where it hurt: 'CODE:side' or plain 'CODE', optionally '@intensity' 0-10; without it, the day's pain."))


class DiaryEntryOut(Schema):
    id: int
    patient: int
    day: date
    pain: int
    note: str
    drawing: Optional[int]
    regions: list[PlaceOut]
    updated_at: datetime


# ------------------------------------------------------------------ specialists


class LocationOut(Schema):
    id: int
    name: str
    address: str
    city: str
    phone: str


class SpecialistOut(Schema):
    slug: str
    name: str
    credentials: str
    taxonomy_code: str = Field(description="NUCC Health Care Provider Taxonomy code.")
    specialty: str = Field(description="English.")
    languages: list[str] = Field(description="BCP 47 tags.")
    accepting_new_patients: bool
    performs_trigger_point_injections: bool
    bio: str
    bio_language: str
    locations: list[LocationOut]
    match_score: Optional[float] = Field(description="With q: how well the specialty fits the complaint, 0-1.")


class SpecialistPage(Schema):
    """One page of specialists; with `q`, the complaints understood and the specialties that see them."""

    count: int
    limit: int
    offset: int
    complaints: list[str] = Field(description="With q: the complaints it was read as (English), best first; empty "
                                              "when q matched none, and then so is the list.")
    specialties: list[str] = Field(description="With q: the NUCC codes that see those complaints, best first.")
    items: list[SpecialistOut]
