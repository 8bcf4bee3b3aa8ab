"""The session workflow: plan → screen → consent → sign → note.

A `SessionPlan` holds the facts of one session and its planned injections, whether they come from a
saved session, the session form as typed, or an API caller's plan; the screen runs on a plan and
nothing else. This module is the one place that knows both the Django records and the safety
rules' inputs (safety never imports treatment). Signing is treatment/signing.py, which screens the
saved session's plan through here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit import events
from patients.models import Patient
from safety import data_files, payer, session_check, steroids
from safety.agents import Corticosteroid
from safety.consent import ConsentForm
from safety.models import ConsentRecord
from safety.facts import ANAESTHETICS, PatientFacts, PlannedInjection
from treatment.models import Course, InjectionAgent, InjectionSet, InjectionSetItem, Session


@dataclass(frozen=True)
class SessionPlan:
    """One session's facts as the safety rules need them, saved or not."""

    patient: Patient
    performed_at: datetime
    injections: tuple[PlannedInjection, ...] = ()
    systemic_infection: bool = False
    site_infection: bool = False
    dose_override_reason: str = ""
    session_id: int | None = field(default=None, compare=False)  # left out of the patient's history

    @property
    def day(self) -> date:
        return timezone.localdate(self.performed_at)

    @classmethod
    def of(cls, session: Session, injections=None) -> SessionPlan:
        """The plan of a session: its saved injections, or `injections` (model instances, e.g. typed rows)."""
        if injections is None:
            injections = session.injections.select_related("trigger_point").prefetch_related("mixed_agents")
        return cls(
            patient=session.course.patient, performed_at=session.performed_at or timezone.now(),
            injections=tuple(p for i in injections for p in planned_mixture(i)),
            systemic_infection=session.systemic_infection, site_infection=session.site_infection,
            dose_override_reason=session.dose_override_reason or "", session_id=session.pk,
        )


def planned(injection) -> PlannedInjection:
    """A saved or typed Injection as the rules read it."""
    return PlannedInjection(
        muscle=injection.trigger_point.muscle, side=injection.trigger_point.side, agent=injection.agent,
        concentration_pct=injection.concentration_pct or 0,
        with_epinephrine=bool(injection.with_epinephrine) and injection.agent in ANAESTHETICS,
        volume_ml=injection.volume_ml or 0, guidance=injection.guidance or "none",
    )


def planned_mixture(injection) -> tuple[PlannedInjection, ...]:
    """Every agent of a row (its own and each mixed with it) as the rules read it: one plan per agent at
    the row's site, so each agent's total adds up across all rows of the session."""
    point = injection.trigger_point
    return (planned(injection), *(
        PlannedInjection(muscle=point.muscle, side=point.side, agent=agent.agent,
                         concentration_pct=agent.concentration_pct or 0,
                         with_epinephrine=bool(agent.with_epinephrine) and agent.agent in ANAESTHETICS,
                         volume_ml=agent.volume_ml or 0, dose_mg=agent.dose_mg or 0,
                         guidance=injection.guidance or "none")
        for agent in injection.components()[1:]))


def patient_facts(patient: Patient, on: date | None = None, systemic_infection: bool = False,
                  infected_sites: frozenset[str] = frozenset()) -> PatientFacts:
    allergies = patient.allergies.all()
    return PatientFacts(
        sex=patient.sex, age_years=patient.age_on(on or timezone.localdate()), height_cm=patient.height_cm,
        weight_kg=patient.weight_kg, pregnant=patient.pregnant, renal_disease=patient.renal_disease,
        hepatic_disease=patient.hepatic_disease, cardiac_disease=patient.cardiac_disease,
        bleeding_disorder=patient.bleeding_disorder, copd=patient.copd, diabetes=patient.diabetes,
        on_anticoagulant=patient.on_anticoagulant, on_antiplatelet=patient.on_antiplatelet,
        allergy_classes=frozenset(a.anaesthetic_class for a in allergies if a.anaesthetic_class),
        systemic_infection=systemic_infection, infected_sites=infected_sites,
    )


def _signed(patient: Patient, exclude_session_id: int | None):
    sessions = Session.objects.filter(course__patient=patient, status=Session.Status.SIGNED)
    return sessions.exclude(pk=exclude_session_id) if exclude_session_id else sessions


def payer_history(patient: Patient, exclude_session_id: int | None = None) -> list[payer.PastSession]:
    return [
        payer.PastSession(timezone.localdate(s.performed_at),
                          frozenset((i.trigger_point.muscle, i.trigger_point.side) for i in s.injections.all()))
        for s in _signed(patient, exclude_session_id).prefetch_related("injections__trigger_point")
    ]


def steroid_history(patient: Patient, on: date, exclude_session_id: int | None = None) -> list[steroids.PastDose]:
    """The corticosteroid mixed into the patient's other signed sessions within the data file's longest
    look-back before `on` (the 12-month total's window or the same-site interval), each with its day
    and site. The window is applied in the query, so a long history is never loaded."""
    first_day = on - timedelta(days=data_files.corticosteroids().history_days) + timedelta(days=1)
    start, end = (timezone.make_aware(datetime.combine(d, time.min)) for d in (first_day, on + timedelta(days=1)))
    sessions = _signed(patient, exclude_session_id).filter(performed_at__gte=start, performed_at__lt=end)
    agents = InjectionAgent.objects.filter(injection__session__in=sessions, agent__in=Corticosteroid.values,
                                           dose_mg__isnull=False)
    return [steroids.PastDose(timezone.localdate(a.injection.session.performed_at), a.agent, a.dose_mg,
                              a.injection.trigger_point.muscle, a.injection.trigger_point.side,
                              a.injection.session_id)
            for a in agents.select_related("injection__session", "injection__trigger_point")]


def pain_scores(patient: Patient, exclude_session_id: int | None = None) -> list[tuple[date, int]]:
    """(day, pain before) of the patient's signed sessions, for the payer's relief rule."""
    sessions = _signed(patient, exclude_session_id).filter(pain_before__isnull=False).only("performed_at", "pain_before")
    return [(timezone.localdate(s.performed_at), s.pain_before) for s in sessions]


def screen(plan: SessionPlan) -> session_check.SessionCheck:
    """Every check on the plan: risk screen, dose total, CPT code and the patient's payer rules."""
    infected = frozenset(f"{p.muscle}:{p.side}" if p.side else p.muscle for p in plan.injections) \
        if plan.site_infection else frozenset()
    facts = patient_facts(plan.patient, on=plan.day, systemic_infection=plan.systemic_infection,
                          infected_sites=infected)
    return session_check.run(
        facts, plan.injections, plan.day, dose_override_reason=plan.dose_override_reason,
        payer_code=plan.patient.payer, history=payer_history(plan.patient, plan.session_id),
        pain_scores=pain_scores(plan.patient, plan.session_id),
        steroid_history=steroid_history(plan.patient, plan.day, plan.session_id),
    )


def check(session: Session, injections=None) -> session_check.SessionCheck:
    """Screen a session as saved, or with `injections` in place of its saved ones."""
    return screen(SessionPlan.of(session, injections))


@dataclass(frozen=True)
class LastTreatment:
    """What a payer's repeat rule looks at: the course's last session, its day and the sites injected."""

    session: Session
    day: date
    sites: frozenset[tuple[str, str]]


def last_treatment(course: Course) -> LastTreatment | None:
    """The course's last signed session and its sites, when the patient's payer limits repeats
    (None without a payer limit, a session, or an injected site)."""
    last = course.last_session()
    if course.patient.payer == "none" or last is None:
        return None
    sites = frozenset((i.trigger_point.muscle, i.trigger_point.side) for i in last.injections.all())
    if not sites:
        return None
    return LastTreatment(last, timezone.localdate(last.performed_at), sites)


def payer_schedule_note(course: Course) -> payer.ScheduleConflict | None:
    """Where the clinician's interval and the patient's payer disagree on the next session's date."""
    last = last_treatment(course)
    if last is None:
        return None
    patient = course.patient
    return payer.schedule_conflict(patient.payer, payer_history(patient), course.interval_days, last.day,
                                   set(last.sites))


REPEATED_FIELDS = ("agent", "concentration_pct", "with_epinephrine", "volume_ml", "needle_gauge", "needle_length_mm",
                   "technique", "twitch_elicited", "guidance")


def start_session(course: Course, clinician, performed_at: datetime, repeat: bool = False) -> tuple[Session, list]:
    """A new draft of the course. With `repeat`, it starts from the last signed session's injections
    (sites still unresolved; what was given, needle, technique, guidance); pain scores, consent, notes
    and the dose-override reason start blank, because they belong to today. Returns the draft and the
    trigger points left out as resolved."""
    with transaction.atomic():
        session = Session.objects.create(course=course, clinician=clinician, performed_at=performed_at)
        skipped = []
        last = course.last_session() if repeat else None
        if last is not None:
            for injection in last.injections.select_related("trigger_point"):
                if injection.trigger_point.resolved_on is not None:
                    skipped.append(injection.trigger_point)
                    continue
                repeated = session.injections.create(trigger_point=injection.trigger_point,
                                                     **{name: getattr(injection, name) for name in REPEATED_FIELDS})
                for agent in injection.mixed_agents.all():  # the mixture, without its lots (today's vials)
                    repeated.mixed_agents.create(**{name: getattr(agent, name) for name in MIXTURE_FIELDS})
        if course.status == Course.Status.PLANNED:
            Course.objects.filter(pk=course.pk).update(status=Course.Status.ACTIVE, version=F("version") + 1)
    return session, skipped


# What a repeat or a favourite keeps of a mixed agent: not the lot, which is the day's vial.
MIXTURE_FIELDS = ("agent", "concentration_pct", "with_epinephrine", "volume_ml", "dose_mg")


def mixture_items(injection) -> list[dict]:
    """A row's mixed agents as a favourite keeps them (JSON: decimals as strings)."""
    return [{name: (str(value) if value is not None and name != "with_epinephrine" else value)
             for name in MIXTURE_FIELDS for value in [getattr(agent, name)]}
            for agent in injection.mixed_agents.all()]


def consent_flags(result: session_check.SessionCheck, form: ConsentForm) -> list[str]:
    """The screen's findings the consent form words for the patient (e.g. pneumothorax at a planned site), once each."""
    return list(dict.fromkeys(f.rule for f in result.screen.findings if form.flag_text(f.rule)))


def record_consent(session: Session, user, form: ConsentForm, flags: list[str],
                   method: str = ConsentRecord.Method.IN_CLINIC) -> ConsentRecord:
    """The patient consented to this session on `form` (its version and language) with these screen flags.

    Written to the audit trail as its own "consent" event with the session's consent before and after.
    """
    before = events.snapshot(session, ["consent_recorded"])
    with transaction.atomic(), events.quiet():
        consent = ConsentRecord.objects.create(session=session, form_version=form.version, language=form.language,
                                               flags=flags, method=method, recorded_by=user)
        Session.objects.filter(pk=session.pk).update(consent_recorded=True)
        events.record(events.Action.CONSENT, obj=consent, user=user, before=before,
                      after={**events.snapshot(session, ["consent_recorded"]), **events.snapshot(consent)})
    session.consent_recorded = True
    return consent


@dataclass(frozen=True)
class FavouriteRows:
    """A favourite matched to one patient: the injection rows to plan (trigger point and the item's
    fields) and the set's sites this patient has no open trigger point at."""

    rows: tuple[dict, ...]
    unknown: tuple[InjectionSetItem, ...]


def favourite_rows(items, trigger_points) -> FavouriteRows:
    """Match a favourite's sites (muscle and side) to the patient's open trigger points, in the set's
    order. Every open point at a site gets the site's row; a site with none is reported, never invented;
    a point already given a row by an earlier item is not planned twice."""
    points = [p for p in trigger_points if p.resolved_on is None]
    rows, unknown, used = [], [], set()
    for item in items:
        matched = [p for p in points if (p.muscle, p.side) == (item.muscle, item.side)]
        if not matched:
            unknown.append(item)
        for point in matched:
            if point.pk in used:
                continue
            used.add(point.pk)
            rows.append({"trigger_point": point, **{name: getattr(item, name) for name in InjectionSetItem.FIELDS},
                         "mixture": list(item.mixture or [])})
    return FavouriteRows(tuple(rows), tuple(unknown))


def apply_favourite(session: Session, injection_set: InjectionSet) -> FavouriteRows:
    """Add a favourite's rows to a draft (after the rows it has; a point already planned is left as it is)."""
    planned_points = set(session.injections.values_list("trigger_point_id", flat=True))
    points = [p for p in session.course.patient.trigger_points.all() if p.pk not in planned_points]
    result = favourite_rows(injection_set.items.all(), points)
    with transaction.atomic():
        for row in result.rows:
            row = dict(row)
            mixture = row.pop("mixture", [])
            injection = session.injections.create(**row)
            for agent in mixture:
                injection.mixed_agents.create(**{name: agent.get(name) for name in MIXTURE_FIELDS})
    return result


def save_favourite(session: Session, owner, name: str) -> InjectionSet:
    """A personal favourite from a draft's saved injections: each row's muscle and side, and what it got."""
    with transaction.atomic():
        favourite = InjectionSet.objects.create(name=name, owner=owner)
        for injection in session.injections.select_related("trigger_point"):
            favourite.items.create(muscle=injection.trigger_point.muscle, side=injection.trigger_point.side,
                                   mixture=mixture_items(injection),
                                   **{name: getattr(injection, name) for name in InjectionSetItem.FIELDS})
    return favourite
