"""Adds up a session's local anaesthetic against each agent's maximum dose.

Why: local anaesthetic systemic toxicity is dose related, and a TPI session spreads one drug over
many sites, so the total is easy to lose sight of (CMAJ 2022; research brief section 3). The numbers
live in data/dose_limits.toml next to their sources; this module only applies them:

- mg = concentration % x 10 x mL.
- Dosing weight = the lower of actual weight and ideal body weight when height is known, else
  actual weight. Ideal body weight is Devine's line, never below the weight at BMI 18.5 for the
  height (the floor keeps very short adults from a near-zero weight; data/dose_limits.toml).
- Limit per agent (plain and with epinephrine apart) = min(mg/kg x dosing weight, cap), lowered
  once by 20% at age >= 70, pregnancy, renal, hepatic or cardiac disease.
- Each agent's mg is a fraction of its own limit; the fractions add up. Total < 0.8 ok,
  0.8..1.0 inclusive caution, > 1.0 over. No weight with any anaesthetic planned: unknown.

Arithmetic is exact (Decimal inputs, Fraction ratios) so a dose exactly at a limit is exactly 1.

No prose here: rows, the weight basis, the limit basis and the notes are facts as plain values
(AgentRow.params, DoseReport.weight_basis_params, DoseReport.notes); safety/present.py words them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any, Iterable

from safety.data_files import DoseLimits, dose_limits
from safety.facts import PatientFacts, PlannedInjection
from safety.findings import Note

OK, CAUTION, OVER, UNKNOWN = "ok", "caution", "over", "unknown"
# The note that states the total, by status (the same rule ids as the screen's dose findings).
STATUS_NOTES = {OK: "dose-ok", CAUTION: "dose-caution", OVER: "dose-over"}


@dataclass(frozen=True)
class Reduction:
    condition: str  # age, pregnant, renal_disease, hepatic_disease, cardiac_disease
    age: str | None = None  # for `age`: the patient's age and the threshold, as `fmt` strings
    age_from: str | None = None

    @property
    def params(self) -> dict[str, Any]:
        if self.condition == "age":
            return {"condition": self.condition, "age": self.age, "age_from": self.age_from}
        return {"condition": self.condition}


@dataclass(frozen=True)
class AgentRow:
    """One agent's share of the session; with and without epinephrine are separate rows."""

    agent: str
    with_epinephrine: bool
    mg: Decimal
    limit_mg: Decimal | None  # None when the weight is unknown
    fraction: Fraction | None
    # How the limit was reached: `basis` "needs-weight", "by-weight" (mg_per_kg, weight) or "cap"
    # (max_mg); `lowered_pct` when a reduction applied. Numbers are `fmt` strings.
    limit_basis_params: dict[str, Any]
    sources: tuple[str, ...]

    @property
    def params(self) -> dict[str, Any]:
        """The row's facts as plain values: agent code, epinephrine, mg and limit as `fmt` strings,
        the percentage (`pct`, with `exact` False when it is rounded)."""
        pct, exact = percent_parts(self.fraction) if self.fraction is not None else (None, True)
        return {"agent": self.agent, "with_epinephrine": self.with_epinephrine, "mg": fmt(self.mg),
                "limit_mg": fmt(self.limit_mg) if self.limit_mg is not None else None, "pct": pct, "exact": exact}


@dataclass(frozen=True)
class DoseReport:
    dosing_weight_kg: Decimal | None
    rows: tuple[AgentRow, ...]
    total_fraction: Fraction | None
    status: str  # ok, caution, over, unknown
    reductions: tuple[Reduction, ...]
    reduction_factor: Decimal  # 1 when no reduction applies
    anaesthetic_planned: bool
    notes: tuple[Note, ...]  # for the clinician, in order; the last is the total's status
    data_version: str
    # How the dosing weight was chosen, as plain values: `basis` is one of WEIGHT_BASES; `actual`
    # and `ibw` are kg as `fmt` strings (present when the text names them).
    weight_basis_params: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def needs_override(self) -> bool:
        """Over the limit: signing needs a recorded reason."""
        return self.status == OVER

    @property
    def blocks_signing(self) -> bool:
        """Unknown weight with an anaesthetic planned, or over the limit (before any override)."""
        return self.status == OVER or (self.status == UNKNOWN and self.anaesthetic_planned)


# dosing_weight's choices (DoseReport.weight_basis_params["basis"]).
WEIGHT_BASES = ("no-weight", "actual-no-height", "actual-outside-formula", "ideal", "actual")


def fmt(value: Decimal | None) -> str:
    """A number for a message: at most one decimal, no trailing zeros."""
    if value is None:
        return "?"
    text = f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_EVEN):f}"
    return text[:-2] if text.endswith(".0") else text


def percent_parts(fraction: Fraction) -> tuple[str, bool]:
    """The percentage as a `fmt` string, and whether it is exact (a whole or one-decimal number)."""
    tenths = fraction * 1000
    exact = tenths.denominator == 1
    value = Decimal(tenths.numerator) / Decimal(tenths.denominator) / 10
    return fmt(value), exact


def devine_weight(sex: str, height_cm: Decimal, limits: DoseLimits | None = None) -> Decimal:
    """Devine: 50 kg (men) or 45.5 kg (women and any other sex: the lower, safer base) + 0.91 kg/cm over 152.4 cm."""
    limits = limits or dose_limits()
    base = limits.male_base_kg if sex == "male" else limits.female_base_kg
    return base + limits.kg_per_cm * (height_cm - limits.base_height_cm)


def bmi_floor_weight(height_cm: Decimal, limits: DoseLimits | None = None) -> Decimal:
    """The weight at the floor BMI for this height: BMI x height in metres squared."""
    limits = limits or dose_limits()
    return limits.floor_bmi * (height_cm / 100) ** 2


def ideal_body_weight(sex: str, height_cm: Decimal, limits: DoseLimits | None = None) -> Decimal:
    """The larger of Devine and the floor-BMI weight: continuous and rising with height, never near zero.

    Devine's straight line reaches zero near 1 m and was never meant for very short adults, so
    extrapolating it made a cliff (102.5 cm gave 0.09 kg). Both curves rise with height, so their
    maximum does too, and the lower-of-actual-and-ideal dosing weight stays monotonic.
    """
    limits = limits or dose_limits()
    return max(devine_weight(sex, height_cm, limits), bmi_floor_weight(height_cm, limits))


def dosing_weight(patient: PatientFacts, limits: DoseLimits | None = None) -> tuple[Decimal | None, dict[str, Any], list[Note]]:
    """The weight the limits are computed on, how it was chosen (see WEIGHT_BASES), and notes for the clinician."""
    limits = limits or dose_limits()
    actual, height = patient.weight_kg, patient.height_cm
    if actual is None:
        return None, {"basis": "no-weight"}, []
    if height is None:
        return actual, {"basis": "actual-no-height", "actual": fmt(actual)}, []
    notes = []
    ibw = ideal_body_weight(patient.sex, height, limits)
    if patient.sex not in ("male", "female"):
        notes.append(Note("ibw-female-formula"))
    if height < limits.base_height_cm:
        notes.append(Note("ibw-below-formula", {
            "base_height": fmt(limits.base_height_cm), "floor_bmi": fmt(limits.floor_bmi),
            "floored": ibw > devine_weight(patient.sex, height, limits)}))
    weights = {"actual": fmt(actual), "ibw": fmt(ibw)}
    if ibw < actual:
        return ibw, {"basis": "ideal", **weights}, notes
    return actual, {"basis": "actual", **weights}, notes


def reductions(patient: PatientFacts, limits: DoseLimits | None = None) -> tuple[Reduction, ...]:
    """Every condition that lowers the limits (CMAJ 2022); the factor is applied once however many."""
    limits = limits or dose_limits()
    found = []
    if patient.age_years >= limits.reduction_age:
        found.append(Reduction("age", fmt(patient.age_years), fmt(limits.reduction_age)))
    found.extend(Reduction(c) for c in limits.reduction_conditions if getattr(patient, c))
    return tuple(found)


def dose_report(patient: PatientFacts, injections: Iterable[PlannedInjection]) -> DoseReport:
    limits = dose_limits()
    injections = list(injections)
    weight, basis_params, notes = dosing_weight(patient, limits)
    found = reductions(patient, limits)
    factor = limits.reduction_factor if found else Decimal(1)
    if found:
        notes.append(Note("limits-lowered", {"pct": fmt((1 - limits.reduction_factor) * 100),
                                             "reductions": [r.params for r in found]}))

    totals: dict[tuple[str, bool], Decimal] = {}
    for injection in injections:
        if injection.is_anaesthetic:
            key = (injection.agent, injection.with_epinephrine)
            totals[key] = totals.get(key, Decimal(0)) + injection.mg
    rows = tuple(_row(agent, epi, mg, weight, factor, limits) for (agent, epi), mg in totals.items())

    if not rows:
        status, total = OK, Fraction(0)
        notes.append(Note("no-anaesthetic"))
        if weight is None:
            notes.append(Note("weight-needed-later"))
    elif weight is None:
        status, total = UNKNOWN, None
        notes.append(Note("dose-unknown"))
    else:
        total = sum((row.fraction for row in rows), Fraction(0))
        status = _status(total, limits)
        pct, exact = percent_parts(total)
        notes.append(Note(STATUS_NOTES[status], {"pct": pct, "exact": exact, "rows": [row.params for row in rows]}))
    return DoseReport(
        dosing_weight_kg=weight,
        rows=rows,
        total_fraction=total,
        status=status,
        reductions=found,
        reduction_factor=factor,
        anaesthetic_planned=bool(rows),
        notes=tuple(notes),
        data_version=limits.version,
        weight_basis_params=basis_params,
    )


def _row(agent: str, epi: bool, mg: Decimal, weight: Decimal | None, factor: Decimal, limits: DoseLimits) -> AgentRow:
    spec = limits.agents[agent]
    limit = spec.limit(epi)
    if weight is None:
        return AgentRow(agent, epi, mg, None, None, {"basis": "needs-weight"}, spec.sources)
    by_weight = limit.mg_per_kg * weight
    if by_weight < limit.max_mg:
        limit_mg, basis = by_weight, {"basis": "by-weight", "mg_per_kg": fmt(limit.mg_per_kg), "weight": fmt(weight)}
    else:
        limit_mg, basis = limit.max_mg, {"basis": "cap", "max_mg": fmt(limit.max_mg)}
    if factor != 1:
        limit_mg, basis = limit_mg * factor, {**basis, "lowered_pct": fmt((1 - factor) * 100)}
    return AgentRow(agent, epi, mg, limit_mg, Fraction(mg) / Fraction(limit_mg), basis, spec.sources)


def _status(total: Fraction, limits: DoseLimits) -> str:
    if total > Fraction(limits.over_above):
        return OVER
    if total >= Fraction(limits.caution_from):
        return CAUTION
    return OK
