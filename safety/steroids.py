"""Adds up a session's corticosteroid, per agent and as dexamethasone-equivalent mg.

Why: a steroid mixed into several trigger points is easy to lose count of, and the systemic effect
(blood sugar, adrenal suppression) follows the total, not the dose at one site. The agents, their
equivalence and the caps the clinic is warned at live in data/corticosteroids.toml beside their
sources; this module only applies them and returns rule ids with their facts (worded in
safety/present.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Iterable

from safety import data_files
from safety.dose import fmt
from safety.facts import PatientFacts, PlannedInjection
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


@dataclass(frozen=True)
class PastDose:
    """A corticosteroid given at one of the patient's signed sessions: the day, the agent, its mg and
    where (muscle, side), so a second dose at the same site can be noticed."""
    day: date
    agent: str
    mg: Decimal
    muscle: str = ""
    side: str | None = None
    session_id: int | None = None  # tells two sessions of one day apart; None: one session a day


def totals(injections: Iterable[PlannedInjection]) -> tuple[SteroidTotal, ...]:
    """Each steroid's mg over every row of the session, in planned order."""
    data = data_files.corticosteroids()
    mg: dict[str, Decimal] = {}
    for injection in injections:
        if injection.is_steroid:
            mg[injection.agent] = mg.get(injection.agent, Decimal(0)) + injection.dose_mg
    return tuple(SteroidTotal(code, total, data.dexamethasone_equivalent(code, total), data.agents[code].warn_above_mg)
                 for code, total in mg.items())


def findings(injections: Iterable[PlannedInjection], patient: PatientFacts | None = None, day: date | None = None,
             history: Iterable[PastDose] = ()) -> list[Finding]:
    """One line per steroid (its total; a warning above its own cap), a warning when the session's
    dexamethasone-equivalent total is above the session cap, the total over the data file's window
    when earlier sessions gave steroid (`day` and `history`), and a blood-sugar warning for a diabetic patient."""
    data = data_files.corticosteroids()
    injections = list(injections)
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
    if rows and patient is not None and patient.diabetes:
        found.append(Finding("steroid-diabetes", WARN, "; ".join(data.diabetes_sources),
                             params={"agents": [row.agent for row in rows]}))
    if day is not None:
        history = list(history)
        found.extend(window_findings(total, day, history))
        found.extend(repeat_site_findings(injections, day, history))
    return found


def repeat_site_findings(injections: Iterable[PlannedInjection], day: date,
                         history: Iterable[PastDose]) -> list[Finding]:
    """A warning per site (muscle and side) given corticosteroid today that an earlier signed session gave
    corticosteroid within the data file's [repeat_site] days: repeated steroid thins the tissue there."""
    data = data_files.corticosteroids()
    start = day - timedelta(days=data.repeat_site_days)
    last: dict[tuple[str, str | None], date] = {}
    for dose in history:
        if dose.muscle and start < dose.day <= day and dose.agent in data.agents:  # an earlier session today too
            key = (dose.muscle, dose.side)
            last[key] = max(last.get(key, dose.day), dose.day)
    found, seen = [], set()
    for injection in injections:
        key = (injection.muscle, injection.side)
        if injection.is_steroid and key in last and key not in seen:
            seen.add(key)
            found.append(Finding("steroid-repeat-site", WARN, "; ".join(data.repeat_site_sources), params={
                "muscle": injection.muscle, "side": injection.side, "last": last[key].isoformat(),
                "days": data.repeat_site_days}))
    return found


def window_findings(session_dex_mg: Decimal, day: date, history: Iterable[PastDose]) -> list[Finding]:
    """The patient's corticosteroid over the window before `day` (data file: days, optional cap) and
    this session's, as dexamethasone-equivalent mg; nothing when no earlier session in the window gave any."""
    data = data_files.corticosteroids()
    start = day - timedelta(days=data.window_days)
    past = [dose for dose in history if start < dose.day <= day and dose.agent in data.agents]
    if not past:
        return []
    past_mg = sum((data.dexamethasone_equivalent(d.agent, d.mg) for d in past), Decimal(0))
    total = past_mg + session_dex_mg
    params = {"days": data.window_days, "sessions": len({(d.day, d.session_id) for d in past}), "past_mg": fmt(past_mg),
              "dexamethasone_mg": fmt(total), "since": min(d.day for d in past).isoformat()}
    source = "; ".join(data.window_sources)
    cap = data.window_warn_above_dex_mg
    if cap is not None and total > cap:
        return [Finding("steroid-window-over", WARN, source, params={**params, "cap_mg": fmt(cap)})]
    return [Finding("steroid-window-total", INFO, source, params=params)]
