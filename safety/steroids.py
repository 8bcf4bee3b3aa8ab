"""Adds up a session's corticosteroid, per agent and as dexamethasone-equivalent mg.

Why: a steroid mixed into several trigger points is easy to lose count of, and the systemic effect
(blood sugar, adrenal suppression) follows the total, not the dose at one site. The agents, their
equivalence and the caps the clinic is warned at live in data/corticosteroids.toml beside their
sources; this module only applies them and returns rule ids with their facts (worded in
safety/present.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from safety import data_files
from safety.dose import fmt
from safety.facts import PlannedInjection
from safety.findings import INFO, WARN, Finding


@dataclass(frozen=True)
class SteroidTotal:
    agent: str
    mg: Decimal
    dexamethasone_mg: Decimal
    warn_above_mg: Decimal | None

    @property
    def over(self) -> bool:
        return self.warn_above_mg is not None and self.mg > self.warn_above_mg


def totals(injections: Iterable[PlannedInjection]) -> tuple[SteroidTotal, ...]:
    """Each steroid's mg over every row of the session, in planned order."""
    data = data_files.corticosteroids()
    mg: dict[str, Decimal] = {}
    for injection in injections:
        if injection.is_steroid:
            mg[injection.agent] = mg.get(injection.agent, Decimal(0)) + injection.dose_mg
    return tuple(SteroidTotal(code, total, data.dexamethasone_equivalent(code, total), data.agents[code].warn_above_mg)
                 for code, total in mg.items())


def findings(injections: Iterable[PlannedInjection]) -> list[Finding]:
    """One line per steroid (its total; a warning above its own cap) and a warning when the session's
    dexamethasone-equivalent total is above the session cap."""
    data = data_files.corticosteroids()
    rows = totals(injections)
    found = []
    for row in rows:
        spec = data.agents[row.agent]
        params = {"agent": row.agent, "mg": fmt(row.mg), "dexamethasone_mg": fmt(row.dexamethasone_mg),
                  "cap_mg": fmt(row.warn_above_mg) if row.warn_above_mg is not None else None}
        if row.over:
            found.append(Finding("steroid-agent-over", WARN, "; ".join(spec.sources), params=params))
        else:
            found.append(Finding("steroid-agent-total", INFO, "; ".join(spec.sources), params=params))
    total = sum((row.dexamethasone_mg for row in rows), Decimal(0))
    if rows and total > data.session_warn_above_dex_mg:
        found.append(Finding(
            "steroid-session-over", WARN, "; ".join(data.session_sources),
            params={"dexamethasone_mg": fmt(total), "cap_mg": fmt(data.session_warn_above_dex_mg)}))
    return found
