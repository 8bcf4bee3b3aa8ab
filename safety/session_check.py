"""Turns a session (saved, or as typed in the form) into the safety rules' inputs and runs them.

The rules themselves are plain functions (screen, dose, coding, payer); this module is the one
place that knows both the Django records and the rules' dataclasses.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from safety import coding, payer
from safety.facts import PatientFacts, PlannedInjection
from safety.findings import Finding
from safety.screen import Screen, screen


def patient_facts(patient, on: date | None = None, systemic_infection: bool = False,
                  infected_sites: frozenset[str] = frozenset()) -> PatientFacts:
    allergies = patient.allergies.all()
    return PatientFacts(
        sex=patient.sex, age_years=patient.age_on(on or timezone.localdate()), height_cm=patient.height_cm,
        weight_kg=patient.weight_kg, pregnant=patient.pregnant, renal_disease=patient.renal_disease,
        hepatic_disease=patient.hepatic_disease, cardiac_disease=patient.cardiac_disease,
        bleeding_disorder=patient.bleeding_disorder, copd=patient.copd,
        on_anticoagulant=patient.on_anticoagulant, on_antiplatelet=patient.on_antiplatelet,
        allergy_classes=frozenset(a.anaesthetic_class for a in allergies if a.anaesthetic_class),
        systemic_infection=systemic_infection, infected_sites=infected_sites,
    )


def planned(injection) -> PlannedInjection:
    return PlannedInjection(
        muscle=injection.trigger_point.muscle, side=injection.trigger_point.side, agent=injection.agent,
        concentration_pct=injection.concentration_pct or 0,
        with_epinephrine=bool(injection.with_epinephrine) and injection.agent in {"lidocaine", "bupivacaine", "chloroprocaine"},
        volume_ml=injection.volume_ml or 0,
    )


@dataclass(frozen=True)
class SessionCheck:
    screen: Screen
    cpt: coding.CptResult
    payer: tuple[Finding, ...]

    @property
    def can_sign(self) -> bool:
        return self.screen.can_sign

    @property
    def total_percent(self) -> str:
        from safety.dose import percent

        return percent(self.screen.dose.total_fraction)

    def snapshot(self) -> dict:
        """What is kept with the signed session: the findings and the dose total as shown.

        The English texts stay as they were (API, FHIR); `params` (and `rows_params`,
        `weight_basis_params`, `cpt_params`) keep their facts so a page can word them in the
        reader's language later (safety/present.py). Snapshots from before params fall back to the text.
        """
        dose = self.screen.dose
        return {
            "findings": [{"rule": f.rule, "level": f.level, "message": f.message, "source": f.source,
                          "muscle": f.muscle, "suggestion": f.suggestion, "params": f.params}
                         for f in self.screen.findings],
            "dose": {"status": dose.status, "total_fraction": float(dose.total_fraction) if dose.total_fraction is not None else None,
                     "rows": [row.text for row in dose.rows], "weight_basis": dose.weight_basis,
                     "rows_params": [row.params for row in dose.rows],
                     "weight_basis_params": dose.weight_basis_params,
                     "data_version": dose.data_version},
            "dose_override_reason": self.screen.dose_override_reason,
            "cpt": list(self.cpt.codes), "cpt_explanation": self.cpt.explanation, "cpt_params": self.cpt.params,
            "payer": [{"rule": f.rule, "level": f.level, "message": f.message, "params": f.params} for f in self.payer],
        }


def payer_history(patient, exclude_session=None) -> list[payer.PastSession]:
    from treatment.models import Session

    sessions = (Session.objects.filter(course__patient=patient, status=Session.Status.SIGNED)
                .prefetch_related("injections__trigger_point"))
    if exclude_session is not None:
        sessions = sessions.exclude(pk=exclude_session.pk)
    return [
        payer.PastSession(timezone.localdate(s.performed_at),
                          frozenset((i.trigger_point.muscle, i.trigger_point.side) for i in s.injections.all()))
        for s in sessions
    ]


def relief_on_record(patient, exclude_session=None) -> bool:
    """At least 50% relief lasting at least 6 weeks on record (the uniform LCD's condition for a
    repeat): a later pre-injection pain score, 42 days or more after an earlier session, at most
    half of that session's pre-injection pain."""
    from treatment.models import Session

    sessions = Session.objects.filter(course__patient=patient, status=Session.Status.SIGNED,
                                      pain_before__isnull=False)
    if exclude_session is not None:
        sessions = sessions.exclude(pk=exclude_session.pk)
    scores = sorted((timezone.localdate(s.performed_at), s.pain_before) for s in sessions.only("performed_at", "pain_before"))
    return any(
        later_pain * 2 <= pain and (later_day - day).days >= 42
        for index, (day, pain) in enumerate(scores)
        for later_day, later_pain in scores[index + 1:]
        if pain > 0
    )


def check(session, injections) -> SessionCheck:
    """Run every check on the session with these injections (saved or only typed)."""
    patient = session.course.patient
    plans = [planned(i) for i in injections]
    day = timezone.localdate(session.performed_at) if session.performed_at else timezone.localdate()
    facts = patient_facts(
        patient, on=day, systemic_infection=session.systemic_infection,
        infected_sites=frozenset(f"{p.muscle}:{p.side}" if p.side else p.muscle for p in plans)
        if session.site_infection else frozenset(),
    )
    result = screen(facts, plans, session.dose_override_reason or None)
    sites = {(p.muscle, p.side) for p in plans}
    findings = payer.check_session(
        patient.payer, payer_history(patient, exclude_session=session),
        day, sites,
        relief_on_record(patient, exclude_session=session),
    ) if sites else ()
    return SessionCheck(result, coding.cpt_for_session(plans), tuple(findings))


def payer_schedule_note(course) -> payer.ScheduleConflict | None:
    """Where the clinician's interval and the patient's payer disagree on the next session's date."""
    patient = course.patient
    last = course.last_session()
    if patient.payer == "none" or last is None:
        return None
    sites = {(i.trigger_point.muscle, i.trigger_point.side) for i in last.injections.all()}
    if not sites:
        return None
    return payer.schedule_conflict(patient.payer, payer_history(patient), course.interval_days,
                                   timezone.localdate(last.performed_at), sites)
