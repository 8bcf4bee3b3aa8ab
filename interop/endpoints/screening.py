"""The safety screen (risk findings, dose total, CPT code, payer rules) and adverse events.

`GET /sessions/{id}/screen` screens the saved session's plan (treatment.workflow), as its page
does; `POST /safety/screen` screens a plan built from the body (a patient and injections typed as
muscle, side and the session row's agent fields, with the agents mixed into the same syringe as the
session form takes them) and saves nothing; every agent of every syringe adds to its dose total. Adverse events are
listed by any staff role and recorded by clinicians, nurses and administrators with the web UI's
AdverseEventForm (injection of that session, onset not before the session nor in the future).
"""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Optional

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from ninja import Field, Query, Router, Status

from anatomy import vocabulary
from charting.models import TriggerPoint
from interop.access import chart_check, clinical_read_check
from audit import context, record
from audit.models import Action
from interop.auth import BearerToken
from interop.endpoints.common import PageQuery, check_form, filter_by, get_or_404, paginate, responses
from interop.problems import conflict, invalid
from interop.schemas import (AdverseEventIn, AdverseEventKind, AdverseEventOut, AdverseEventOutcome,
                             AdverseEventSeverity, AdverseEventUpdate, Id, ScreenIn, ScreenOut, page_of)
from patients.models import Patient
from safety import present
from safety.models import AdverseEvent
from tpclinic.limits import validate_session_date
from tpclinic import versioning
from tpclinic.versioning import StaleVersion
from treatment import workflow
from treatment.forms import AdverseEventForm
from treatment.models import Injection, InjectionAgent, Session

router = Router(tags=["safety"])
AdverseEventPage = page_of(AdverseEventOut)
INJECTION_HINT = "choose an injection of this session (GET /api/v1/sessions/{id}), or leave it out"


class AdverseEventQuery(PageQuery):
    patient: Optional[Id] = None
    session: Optional[Id] = None
    kind: Optional[AdverseEventKind] = None
    severity: Optional[AdverseEventSeverity] = None
    outcome: Optional[AdverseEventOutcome] = None
    onset_from: Optional[date] = Field(None, description="First day included (clinic time zone).")
    onset_to: Optional[date] = Field(None, description="Last day included (clinic time zone).")


# ------------------------------------------------------------------ the screen


def _number(value) -> float | None:
    return None if value is None else float(value)


def finding_out(finding) -> dict:
    """A finding with its wording (the API answers in interop.text.LANGUAGE)."""
    return {
        "rule": finding.rule, "level": finding.level, "message": present.finding_message(finding),
        "source": finding.source,
        "muscle": finding.muscle, "muscle_name": vocabulary.muscle_label(finding.muscle) if finding.muscle else None,
        "suggestion": present.finding_suggestion(finding) or None, "strong": finding.strong,
    }


def screen_out(result, patient: Patient, session_id: int | None, day: date) -> dict:
    dose = result.screen.dose
    return {
        "patient": patient.pk,
        "session": session_id,
        "performed_on": day,
        "can_sign": result.can_sign,
        "dose_override_reason": result.screen.dose_override_reason,
        "findings": [finding_out(f) for f in result.screen.findings],
        "dose": {
            "status": dose.status,
            "dosing_weight_kg": _number(dose.dosing_weight_kg),
            "weight_basis": present.weight_basis_text(dose),
            "rows": [{
                "agent": row.agent, "with_epinephrine": row.with_epinephrine, "name": present.agent_name(row.params),
                "mg": float(row.mg), "limit_mg": _number(row.limit_mg), "fraction": _number(row.fraction),
                "limit_basis": present.limit_basis(row.limit_basis_params),
                "text": present.dose_row_text(row), "sources": list(row.sources),
            } for row in dose.rows],
            "total_fraction": _number(dose.total_fraction),
            "total_percent": present.dose_percent(dose),
            "reductions": [{"condition": r.condition, "reason": present.reduction(r.params)} for r in dose.reductions],
            "reduction_factor": float(dose.reduction_factor),
            "anaesthetic_planned": dose.anaesthetic_planned,
            "blocks_signing": dose.blocks_signing,
            "messages": [present.note_text(note) for note in dose.notes],
            "data_version": dose.data_version,
        },
        "cpt": {"codes": list(result.cpt.codes), "muscle_count": result.cpt.muscle_count,
                "explanation": present.cpt_text(result.cpt), "notes": [present.note_text(n) for n in result.cpt.notes],
                "source": result.cpt.source},
        "payer": [finding_out(f) for f in result.payer],
    }


@router.get("/sessions/{int:session_id}/screen", auth=BearerToken(clinical_read_check),
            response=responses({200: ScreenOut}, 401, 403, 404),
            summary="Run the safety screen, dose total, CPT and payer checks on a session")
def session_screen(request, session_id: int):
    session = get_or_404(Session.objects.select_related("course__patient"), session_id, "session")
    injections = session.injections.select_related("trigger_point")
    patient = Patient.objects.prefetch_related("allergies", "medications").get(pk=session.course.patient_id)
    session.course.patient = patient
    result = workflow.check(session, injections)
    out = screen_out(result, patient, session.pk, timezone.localdate(session.performed_at))
    out["at_signing"] = (getattr(session, "screen_snapshot", None) or None) if session.is_signed else None
    return out


DECIMAL_MIXED = {"concentration_pct", "volume_ml", "dose_mg"}  # a mixed agent's Decimal fields


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _planned_rows(payload: ScreenIn) -> tuple[list, list[dict]]:
    """The plan's injections as the rules read them, each row's mixture agent by agent (treatment.workflow's
    planned_mixture, as for a saved row), normalised like a saved row; or field errors."""
    rows, errors = [], []
    for n, item in enumerate(payload.injections):
        if item.muscle not in vocabulary.muscles():
            errors.append({"field": f"injections.{n}.muscle", "message": f"Unknown muscle {item.muscle!r}."})
            continue
        injection = Injection(agent=item.agent, concentration_pct=_decimal(item.concentration_pct),
                              with_epinephrine=item.with_epinephrine, volume_ml=_decimal(item.volume_ml),
                              guidance=item.guidance)
        row_errors = _model_errors(injection, f"injections.{n}.")  # saline and dry needling carry no anaesthetic
        mixture = []
        for m, typed in enumerate(item.mixed_agents):
            values = typed.model_dump()
            agent = InjectionAgent(**{name: _decimal(value) if name in DECIMAL_MIXED else value
                                      for name, value in values.items()})
            problems = _model_errors(agent, f"injections.{n}.mixed_agents.{m}.")  # the form's own check of a slot
            row_errors += problems
            mixture.append(agent)
        if row_errors:
            errors += row_errors
            continue
        injection.trigger_point = TriggerPoint(muscle=item.muscle, side=item.side)  # where; never saved
        injection.typed_mixture = mixture
        try:
            rows += workflow.planned_mixture(injection)
        except ValueError as error:
            errors.append({"field": f"injections.{n}", "message": str(error)})
    return rows, errors


def _model_errors(record, prefix: str) -> list[dict]:
    """The record's clean() refusals as API field errors under `prefix`."""
    try:
        record.clean()
    except ValidationError as error:
        return [{"field": f"{prefix}{name}", "message": message}
                for name, messages in error.message_dict.items() for message in messages]
    return []


@router.post("/safety/screen", auth=BearerToken(chart_check), response=responses({200: ScreenOut}, 400, 401, 403, 422),
             summary="Screen a planned session (a patient and injections) without saving anything")
def planned_screen(request, payload: ScreenIn):
    patient = Patient.objects.prefetch_related("allergies", "medications").filter(pk=payload.patient).first()
    rows, errors = _planned_rows(payload)
    day = payload.performed_on or timezone.localdate()
    if patient is None:
        errors.insert(0, {"field": "patient", "message": f"There is no patient with id {payload.patient}."})
    elif day < patient.birth_date:
        errors.append({"field": "performed_on", "message": "The planned day is before the patient's birth date."})
    try:
        validate_session_date(day)
    except ValidationError as error:
        errors.append({"field": "performed_on", "message": " ".join(error.messages)})
    if errors:
        raise invalid(errors)
    plan = workflow.SessionPlan(
        patient=patient, performed_at=timezone.make_aware(datetime.combine(day, time(12))), injections=tuple(rows),
        systemic_infection=payload.systemic_infection, site_infection=payload.site_infection,
        dose_override_reason=payload.dose_override_reason or "",
    )
    result = workflow.screen(plan)
    _audit_read(patient)
    return screen_out(result, patient, None, day)


def _audit_read(patient: Patient) -> None:
    """The plan names its patient in the body: record the read against them (the audit middleware sees the
    path only), as the one audit event of this request."""
    current = context.current()
    if current is None:
        return
    record.write(Action.READ, object_type="patients.patient", object_id=patient.pk, patient_id=patient.pk,
                 status=200, detail="planned safety screen (API)")
    current.object_events += 1


# ------------------------------------------------------------------ adverse events


def adverse_event_out(event: AdverseEvent) -> AdverseEvent:
    """AdverseEventOut reads the record itself (a ModelSchema with resolvers), as CourseOut does."""
    return event


def _events():
    return AdverseEvent.objects.select_related("session__course", "recorded_by")


@router.get("/adverse-events", auth=BearerToken(clinical_read_check),
            response=responses({200: AdverseEventPage}, 401, 403, 422),
            summary="List adverse events by patient, session, kind and onset")
def list_adverse_events(request, query: Query[AdverseEventQuery]):
    events = filter_by(_events(), query, {
        "patient": "session__course__patient_id", "session": "session_id",
        "kind": "kind", "severity": "severity", "outcome": "outcome",
        "onset_from": "onset_at__date__gte", "onset_to": "onset_at__date__lte",
    })
    return paginate(events.order_by("onset_at", "id"), query, adverse_event_out, request=request,
                    patient_of=lambda event: event.session.course.patient_id)


def _form_time(value: datetime) -> str:
    """The web form's format (minute precision, clinic time); a time without zone is clinic time."""
    try:
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%dT%H:%M") if value.year >= 1000 else ""
    except (OverflowError, ValueError):  # e.g. year 1 at +14:00: no such time in the clinic's zone
        return ""


@router.post("/adverse-events", auth=BearerToken(chart_check),
             response=responses({201: AdverseEventOut}, 400, 401, 403, 422),
             summary="Record an adverse event after a session (clinicians, nurses, administrators)")
def create_adverse_event(request, payload: AdverseEventIn):
    session = Session.objects.select_related("course__patient").filter(pk=payload.session).first()
    if session is None:
        raise invalid([{"field": "session", "message": f"There is no session with id {payload.session}."}])
    values = payload.model_dump()
    data = {"kind": values["kind"], "injection": values["injection"] or "", "onset_at": _form_time(values["onset_at"]),
            "severity": values["severity"], "action": values["action"], "outcome": values["outcome"],
            "follow_up": values["follow_up"]}
    form = AdverseEventForm(data, session=session)
    errors = check_form(form)
    if not data["onset_at"]:
        errors = [e for e in errors if e["field"] != "onset_at"]
        errors.append({"field": "onset_at", "message": "Enter a real date and time (not a far past or future one)."})
    for error in errors:
        if error["field"] == "injection":
            error["message"] = f"{error['message']} ({INJECTION_HINT})"
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        event = form.save(commit=False)
        event.session, event.recorded_by = session, request.auth
        event.save()
    return Status(201, adverse_event_out(get_or_404(_events(), event.pk, "adverse event")))


@router.patch("/adverse-events/{int:event_id}", auth=BearerToken(chart_check),
              response=responses({200: AdverseEventOut}, 400, 401, 403, 404, 409, 422),
              summary="Update an adverse event's course: severity, action, outcome, follow-up (send the version you read)")
def update_adverse_event(request, event_id: int, payload: AdverseEventUpdate):
    event = get_or_404(_events().select_related("session__course__patient"), event_id, "adverse event")
    values = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    version = values.pop("version", None)
    if version != event.version:
        raise conflict(StaleVersion(event, version,
                                    versioning.changes(event, list(values), values, None) if version else []).message)
    data = {"kind": event.kind, "injection": event.injection_id or "", "onset_at": _form_time(event.onset_at),
            "severity": event.severity, "action": event.action, "outcome": event.outcome,
            "follow_up": event.follow_up, "version": version, **values}
    form = AdverseEventForm(data, instance=event, session=event.session)
    errors = check_form(form)
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        saved = form.save(commit=False)
        try:
            saved.save_if_current(version)
        except StaleVersion as refused:
            raise conflict(refused.message) from None
    return adverse_event_out(get_or_404(_events(), event.pk, "adverse event"))
