"""Every check on one planned session, as one result: risk screen, dose total, CPT code, payer rules.

Pure: it takes the rules' own inputs (PatientFacts, PlannedInjection, the payer's history) and no
Django records. The session workflow (treatment/workflow.py) turns a session, a typed form or an
API plan into these inputs and calls `run`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from safety import coding, payer, steroids
from safety.facts import PatientFacts, PlannedInjection
from safety.findings import Finding
from safety.screen import Screen, screen


@dataclass(frozen=True)
class SessionCheck:
    screen: Screen
    cpt: coding.CptResult
    payer: tuple[Finding, ...]

    @property
    def can_sign(self) -> bool:
        return self.screen.can_sign


def run(facts: PatientFacts, plans: Iterable[PlannedInjection], day: date, *, dose_override_reason: str | None,
        payer_code: str, history: Iterable[payer.PastSession], pain_scores: Iterable[tuple[date, int]],
        steroid_history: Iterable[steroids.PastDose] = ()) -> SessionCheck:
    """Run every check. `history`, `pain_scores` and `steroid_history` are the patient's other signed sessions."""
    plans = list(plans)
    result = screen(facts, plans, dose_override_reason or None, day=day, steroid_history=steroid_history)
    sites = {(p.muscle, p.side) for p in plans}
    findings = payer.check_session(
        payer_code, history, day, sites, payer.relief_on_record(payer_code, pain_scores),
    ) if sites else ()
    return SessionCheck(result, coding.cpt_for_session(plans, payer_code), tuple(findings))
