"""Every check on one planned session, as one result: risk screen, dose total, CPT code, payer rules.

Pure: it takes the rules' own inputs (PatientFacts, PlannedInjection, the payer's history) and no
Django records. The session workflow (treatment/workflow.py) turns a session, a typed form or an
API plan into these inputs and calls `run`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from safety import coding, payer
from safety.dose import percent
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

    @property
    def total_percent(self) -> str:
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


def run(facts: PatientFacts, plans: Iterable[PlannedInjection], day: date, *, dose_override_reason: str | None,
        payer_code: str, history: Iterable[payer.PastSession], pain_scores: Iterable[tuple[date, int]]) -> SessionCheck:
    """Run every check. `history` and `pain_scores` are the patient's other signed sessions."""
    plans = list(plans)
    result = screen(facts, plans, dose_override_reason or None)
    sites = {(p.muscle, p.side) for p in plans}
    findings = payer.check_session(
        payer_code, history, day, sites, payer.relief_on_record(payer_code, pain_scores),
    ) if sites else ()
    return SessionCheck(result, coding.cpt_for_session(plans), tuple(findings))
