"""Courses and sessions with their injections: list, read, plan, draft, update a draft, sign.

Same rules as the web UI: CourseForm (billable ICD-10-CM, a clinician, interval from their
preference), SessionForm and InjectionForm (an unresolved trigger point of this patient, dose
fields checked by the model). A draft carries a version: an update or signature with a stale
version, or any change to a signed session, is a 409 and changes nothing.
"""
from __future__ import annotations

import re

from datetime import date
from typing import Literal, Optional

from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone
from ninja import Field, Query, Router, Status

from accounts import roles
from anatomy import vocabulary
from interop import signing
from interop.access import chart_check, require_chart, require_clinical_read, require_sign
from interop.auth import BearerToken
from interop.endpoints.common import (PageQuery, check_form, filter_by, form_data, get_or_404, instance_data, paginate,
                                      responses)
from interop.problems import conflict, invalid
from interop.schemas import (SESSION_OUT_FIELDS, CourseIn, CourseOut, CourseUpdate, Id, SessionIn, SessionOut,
                             SessionUpdate, SignIn,
                             page_of)
from patients.models import Patient
from tpclinic import versioning
from tpclinic.versioning import StaleVersion
from treatment.forms import CourseForm, InjectionForm, SessionForm, default_session_time
from treatment.models import Course, Injection, Session

router = Router(tags=["courses and sessions"])
CoursePage = page_of(CourseOut)
SessionPage = page_of(SessionOut)
TRIGGER_POINT_HINT = "choose an unresolved trigger point of this patient (GET /api/v1/patients/{id}/trigger-points)"


class CourseQuery(PageQuery):
    patient: Optional[Id] = None
    clinician: Optional[Id] = None
    status: Optional[Literal["planned", "active", "completed", "stopped"]] = None
    started_from: Optional[date] = None
    started_to: Optional[date] = None


class SessionQuery(PageQuery):
    patient: Optional[Id] = None
    course: Optional[Id] = None
    status: Optional[Literal["draft", "signed"]] = None
    performed_from: Optional[date] = Field(None, description="First day included (clinic time zone).")
    performed_to: Optional[date] = Field(None, description="Last day included (clinic time zone).")


def _name(user) -> str:
    return user.get_full_name() or user.username


def course_out(course: Course) -> Course:
    """CourseOut reads the record itself (a ModelSchema with resolvers)."""
    return course


def session_out(session: Session) -> dict:
    cpt = getattr(session, "cpt_codes", "") or ""
    return {
        **{field: getattr(session, field) for field in SESSION_OUT_FIELDS},
        "course": session.course_id,
        "patient": session.course.patient_id,
        "clinician": session.clinician_id,
        "clinician_name": _name(session.clinician),
        "signed_by": session.signed_by_id,
        "cpt_codes": [code for code in cpt.split(",") if code],
        "injections": list(session.injections.all()),  # InjectionOut reads each record itself
    }


def injection_form_data(values: dict) -> dict:
    """An API injection row as the session form's row data: its mixed agents fill the form's mixture
    slots (mix1_agent, mix1_dose_mg, ...), so the web form checks them as it checks a typed row."""
    values = dict(values)
    slots = {f"mix{n}_{name}": value for n, agent in enumerate(values.pop("mixed_agents", None) or [], start=1)
             for name, value in agent.items()}
    return form_data({**values, **slots})


def _api_field(field: str) -> str:
    """A form error's field as the API names it: mix2_dose_mg -> mixed_agents.1.dose_mg."""
    found = re.match(r"mix(\d+)_(\w+)$", field)
    return f"mixed_agents.{int(found[1]) - 1}.{found[2]}" if found else field


def _courses():
    return Course.objects.select_related("patient", "clinician").prefetch_related("sessions")


def _sessions():
    return Session.objects.select_related("course__patient", "clinician").prefetch_related(
        Prefetch("injections", queryset=Injection.objects.select_related("trigger_point").prefetch_related(
            "mixed_agents")),
    )


# ------------------------------------------------------------------ courses


@router.get("/courses", response=responses({200: CoursePage}, 401, 403, 422), summary="List courses")
def list_courses(request, query: Query[CourseQuery]):
    require_clinical_read(request.auth)
    courses = filter_by(_courses(), query, {
        "patient": "patient_id", "clinician": "clinician_id", "status": "status",
        "started_from": "started_on__gte", "started_to": "started_on__lte",
    })
    return paginate(courses.order_by("-started_on", "-id"), query, course_out, request=request,
                    patient_of=lambda course: course.patient_id)


@router.get("/courses/{int:course_id}", response=responses({200: CourseOut}, 401, 403, 404), summary="Read a course")
def get_course(request, course_id: int):
    require_clinical_read(request.auth)
    return course_out(get_or_404(_courses(), course_id, "course"))


@router.post("/courses", response=responses({201: CourseOut}, 400, 401, 403, 422), summary="Plan a course")
def create_course(request, payload: CourseIn):
    user = request.auth
    require_chart(user)
    values = payload.model_dump()
    patient = Patient.objects.filter(pk=values.pop("patient")).first()
    if values["clinician"] is None and roles.can_sign(user):
        values["clinician"] = user.pk
    values["started_on"] = values["started_on"] or timezone.localdate()
    form = CourseForm(form_data(values))
    errors = check_form(form)
    if patient is None:
        errors.insert(0, {"field": "patient", "message": f"There is no patient with id {payload.patient}."})
    if values["clinician"] is None:
        errors = [e for e in errors if e["field"] != "clinician"]
        errors.append({"field": "clinician", "message": "Name the clinician (user id) who leads this course."})
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        course = form.save(commit=False)
        course.patient = patient
        course.interval_days = form.cleaned_data["interval_days"]
        course.save()
    return Status(201, course_out(get_or_404(_courses(), course.pk, "course")))


@router.patch("/courses/{int:course_id}", auth=BearerToken(chart_check),
              response=responses({200: CourseOut}, 400, 401, 403, 404, 409, 422),
              summary="Change a course plan (only the fields sent, with the version you read)")
def update_course(request, course_id: int, payload: CourseUpdate):
    course = get_or_404(_courses(), course_id, "course")
    values = payload.model_dump(exclude_unset=True)
    current = form_data(instance_data(course, CourseForm._meta.fields))
    form = CourseForm({**current, **form_data(values)}, instance=course)
    errors = check_form(form)
    if errors:
        raise invalid(errors)
    course = form.save(commit=False)
    course.interval_days = form.cleaned_data["interval_days"]
    course.save_if_current(form.cleaned_data["version"])
    return course_out(get_or_404(_courses(), course.pk, "course"))


# ------------------------------------------------------------------ sessions


@router.get("/sessions", response=responses({200: SessionPage}, 401, 403, 422),
            summary="List sessions by patient, course and date")
def list_sessions(request, query: Query[SessionQuery]):
    require_clinical_read(request.auth)
    sessions = filter_by(_sessions(), query, {
        "patient": "course__patient_id", "course": "course_id", "status": "status",
        "performed_from": "performed_at__date__gte", "performed_to": "performed_at__date__lte",
    })
    return paginate(sessions.order_by("performed_at", "id"), query, session_out, request=request,
                    patient_of=lambda session: session.course.patient_id)


@router.get("/sessions/{int:session_id}", response=responses({200: SessionOut}, 401, 403, 404),
            summary="Read a session with its injections")
def get_session(request, session_id: int):
    require_clinical_read(request.auth)
    return session_out(get_or_404(_sessions(), session_id, "session"))


@router.post("/sessions", response=responses({201: SessionOut}, 400, 401, 403, 409, 422),
             summary="Start a draft session with its injections")
def create_session(request, payload: SessionIn):
    user = request.auth
    require_chart(user)
    values = _values(payload)
    course = Course.objects.select_related("patient", "clinician").filter(pk=values.pop("course")).first()
    if course is None:
        raise invalid([{"field": "course", "message": f"There is no course with id {payload.course}."}])
    if not course.is_open:
        raise conflict(f"This course is {course.status}; reopen it (status planned or active) before adding a session.")
    clinician = user if roles.can_sign(user) else course.clinician
    session = Session(course=course, clinician=clinician, performed_at=default_session_time())
    saved = _save_draft(session, values, creating=True)
    if course.status == Course.Status.PLANNED:
        Course.objects.filter(pk=course.pk).update(status=Course.Status.ACTIVE, version=F("version") + 1)
    return Status(201, session_out(get_or_404(_sessions(), saved.pk, "session")))


@router.patch("/sessions/{int:session_id}", response=responses({200: SessionOut}, 400, 401, 403, 404, 409, 422),
              summary="Update a draft session (send the version you read)")
def update_session(request, session_id: int, payload: SessionUpdate):
    require_chart(request.auth)
    session = get_or_404(_sessions(), session_id, "session")
    values = _values(payload)
    version = values.pop("version")
    if session.is_signed:
        raise conflict("This session is signed; a signed session is read-only.")
    if version != session.version:
        raise conflict(StaleVersion(session, version, _changes(values)(session) if version else []).message)
    _save_draft(session, values, creating=False, version=version)
    return session_out(get_or_404(_sessions(), session_id, "session"))


@router.post("/sessions/{int:session_id}/sign", response=responses({200: SessionOut}, 400, 401, 403, 404, 409, 422),
             summary="Sign a draft session (its clinician; a covering clinician co-signs with an attestation)")
def sign_session(request, session_id: int, payload: SignIn = None):
    require_sign(request.auth)
    session = get_or_404(_sessions(), session_id, "session")
    signing.sign(session, request.auth, payload.version if payload else None, payload.attestation if payload else "")
    return session_out(get_or_404(_sessions(), session_id, "session"))


def _values(payload) -> dict:
    """The fields sent; injections complete with their defaults."""
    values = payload.model_dump(exclude_unset=True)
    if payload.injections is not None:
        values["injections"] = [item.model_dump() for item in payload.injections]
    return values


def _changes(values: dict):
    """What the stored session now holds where it differs from what was sent (for a stale-version 409)."""
    def changes(current):
        found = versioning.changes(current, [f for f in SessionForm._meta.fields if f in values], values, None)
        if values.get("injections") is not None:
            now = [i.describe_mixture() for i in current.injections.select_related("trigger_point")]
            if len(now) != len(values["injections"]):
                found.append(versioning.Change("injections", "injections", None, len(now), len(values["injections"])))
        return found
    return changes


def _save_draft(session: Session, values: dict, creating: bool, version: int | None = None) -> Session:
    """Validate the session and its injections with the web UI's forms, then save all or nothing."""
    patient = session.course.patient
    injections = values.pop("injections", None)
    fields = [f for f in SessionForm._meta.fields if f in {f.name for f in Session._meta.get_fields()}]
    current = form_data(instance_data(session, fields))
    form = SessionForm({**current, **form_data(values), "version": session.version}, instance=session)
    errors = check_form(form)
    injection_forms = [InjectionForm(injection_form_data(i), patient=patient) for i in injections or []]
    for n, sub in enumerate(injection_forms):
        sub_errors = check_form(sub, f"injections.{n}.")
        for error in sub_errors:
            error["field"] = f"injections.{n}.{_api_field(error['field'].removeprefix(f'injections.{n}.'))}"
            if error["field"].endswith(".trigger_point"):
                error["message"] = f"{error['message']} ({TRIGGER_POINT_HINT})"
        errors += sub_errors
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        if creating:
            saved = form.save()
        else:
            saved = form.save(commit=False)
            try:
                saved.save_if_current(version, within=Session.objects.filter(status=Session.Status.DRAFT),
                                      changes=_changes(values))
            except StaleVersion as refused:
                raise conflict(refused.message) from None
        if injections is not None:
            saved.injections.all().delete()
            for sub in injection_forms:
                sub.instance.session = saved
                sub.save()
    return saved
