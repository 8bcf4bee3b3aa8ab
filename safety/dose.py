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

The texts here are English (API, FHIR). Each also has its facts as plain values (AgentRow.params,
DoseReport.weight_basis_params) so the web pages can word them in the reader's language
(safety/present.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any, Iterable

from safety.data_files import DoseLimits, dose_limits
from safety.facts import PatientFacts, PlannedInjection

OK, CAUTION, OVER, UNKNOWN = "ok", "caution", "over", "unknown"


@dataclass(frozen=True)
class Reduction:
    condition: str  # age, pregnant, renal_disease, hepatic_disease, cardiac_disease
    reason: str
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
    name: str
    mg: Decimal
    limit_mg: Decimal | None  # None when the weight is unknown
    fraction: Fraction | None
    limit_basis: str
    sources: tuple[str, ...]

    @property
    def params(self) -> dict[str, Any]:
        """The row's facts as plain values: agent code, epinephrine, mg and limit as `fmt` strings,
        the percentage (`pct`, with `exact` False when it is rounded)."""
        pct, exact = percent_parts(self.fraction) if self.fraction is not None else (None, True)
        return {"agent": self.agent, "with_epinephrine": self.with_epinephrine, "mg": fmt(self.mg),
                "limit_mg": fmt(self.limit_mg) if self.limit_mg is not None else None, "pct": pct, "exact": exact}

    @property
    def text(self) -> str:
        if self.limit_mg is None:
            return f"{self.name}: {fmt(self.mg)} mg (limit unknown without weight)"
        return f"{self.name}: {fmt(self.mg)} mg of {fmt(self.limit_mg)} mg limit ({percent(self.fraction)})"


@dataclass(frozen=True)
class DoseReport:
    dosing_weight_kg: Decimal | None
    weight_basis: str
    rows: tuple[AgentRow, ...]
    total_fraction: Fraction | None
    status: str  # ok, caution, over, unknown
    reductions: tuple[Reduction, ...]
    reduction_factor: Decimal  # 1 when no reduction applies
    anaesthetic_planned: bool
    messages: tuple[str, ...]
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


def percent(fraction: Fraction | None) -> str:
    """Exact when the percentage is a whole or one-decimal number, else marked as rounded."""
    if fraction is None:
        return "?"
    value, exact = percent_parts(fraction)
    return f"{'' if exact else 'about '}{value}%"


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


def dosing_weight(patient: PatientFacts, limits: DoseLimits | None = None) -> tuple[Decimal | None, str, list[str]]:
    """The weight the limits are computed on, how it was chosen, and notes for the clinician."""
    weight, basis, notes, _ = _dosing_weight(patient, limits)
    return weight, basis, notes


def _dosing_weight(
    patient: PatientFacts, limits: DoseLimits | None = None
) -> tuple[Decimal | None, str, list[str], dict[str, Any]]:
    """dosing_weight, plus how the weight was chosen as plain values (see WEIGHT_BASES)."""
    limits = limits or dose_limits()
    actual, height = patient.weight_kg, patient.height_cm
    if actual is None:
        return None, "weight not recorded", [], {"basis": "no-weight"}
    if height is None:
        return (actual, f"actual weight {fmt(actual)} kg (no height recorded, so no ideal body weight)", [],
                {"basis": "actual-no-height", "actual": fmt(actual)})
    notes = []
    ibw = ideal_body_weight(patient.sex, height, limits)
    if patient.sex not in ("male", "female"):
        notes.append("Ideal body weight uses the female formula (the lower, safer base) as sex is not male or female.")
    if height < limits.base_height_cm:
        floored = ibw > devine_weight(patient.sex, height, limits)
        notes.append(
            f"Height is under {fmt(limits.base_height_cm)} cm, below the Devine formula's range; "
            + (f"ideal body weight is the weight at BMI {fmt(limits.floor_bmi)} for this height. " if floored
               else "the formula was extrapolated downwards. ")
            + "Check the limit clinically."
        )
    weights = {"actual": fmt(actual), "ibw": fmt(ibw)}
    if ibw < actual:
        return (ibw, f"ideal body weight {fmt(ibw)} kg (Devine), lower than actual weight {fmt(actual)} kg", notes,
                {"basis": "ideal", **weights})
    return (actual, f"actual weight {fmt(actual)} kg, not above ideal body weight {fmt(ibw)} kg", notes,
            {"basis": "actual", **weights})


def reductions(patient: PatientFacts, limits: DoseLimits | None = None) -> tuple[Reduction, ...]:
    """Every condition that lowers the limits (CMAJ 2022); the factor is applied once however many."""
    limits = limits or dose_limits()
    found = []
    if patient.age_years >= limits.reduction_age:
        age, age_from = fmt(patient.age_years), fmt(limits.reduction_age)
        found.append(Reduction("age", f"age {age} ({age_from} or over)", age, age_from))
    labels = {
        "pregnant": "pregnancy",
        "renal_disease": "renal disease",
        "hepatic_disease": "hepatic disease",
        "cardiac_disease": "cardiac disease",
    }
    found.extend(Reduction(c, labels[c]) for c in limits.reduction_conditions if getattr(patient, c))
    return tuple(found)


def dose_report(patient: PatientFacts, injections: Iterable[PlannedInjection]) -> DoseReport:
    limits = dose_limits()
    injections = list(injections)
    weight, basis, messages, basis_params = _dosing_weight(patient, limits)
    found = reductions(patient, limits)
    factor = limits.reduction_factor if found else Decimal(1)
    if found:
        pct = fmt((1 - limits.reduction_factor) * 100)
        messages.append(f"Limits lowered by {pct}% (once) for: {', '.join(r.reason for r in found)}.")

    totals: dict[tuple[str, bool], Decimal] = {}
    for injection in injections:
        if injection.is_anaesthetic:
            key = (injection.agent, injection.with_epinephrine)
            totals[key] = totals.get(key, Decimal(0)) + injection.mg
    rows = tuple(_row(agent, epi, mg, weight, factor, limits) for (agent, epi), mg in totals.items())

    if not rows:
        status, total = OK, Fraction(0)
        messages.append("No local anaesthetic planned: nothing to add up.")
        if weight is None:
            messages.append("Weight is not recorded; it will be needed before any anaesthetic is planned.")
    elif weight is None:
        status, total = UNKNOWN, None
        messages.append("Record the patient's weight: the anaesthetic dose limit depends on it. Signing waits for it.")
    else:
        total = sum((row.fraction for row in rows), Fraction(0))
        status = _status(total, limits)
        messages.append(_status_message(status, total, rows))
    return DoseReport(
        dosing_weight_kg=weight,
        weight_basis=basis,
        rows=rows,
        total_fraction=total,
        status=status,
        reductions=found,
        reduction_factor=factor,
        anaesthetic_planned=bool(rows),
        messages=tuple(messages),
        data_version=limits.version,
        weight_basis_params=basis_params,
    )


def _row(agent: str, epi: bool, mg: Decimal, weight: Decimal | None, factor: Decimal, limits: DoseLimits) -> AgentRow:
    spec = limits.agents[agent]
    name = f"{spec.name} with epinephrine" if epi else spec.name
    limit = spec.limit(epi)
    if weight is None:
        return AgentRow(agent, epi, name, mg, None, None, "needs weight", spec.sources)
    by_weight = limit.mg_per_kg * weight
    if by_weight < limit.max_mg:
        limit_mg, basis = by_weight, f"{fmt(limit.mg_per_kg)} mg/kg x {fmt(weight)} kg"
    else:
        limit_mg, basis = limit.max_mg, f"capped at {fmt(limit.max_mg)} mg"
    if factor != 1:
        limit_mg, basis = limit_mg * factor, f"{basis}, lowered by {fmt((1 - factor) * 100)}%"
    return AgentRow(agent, epi, name, mg, limit_mg, Fraction(mg) / Fraction(limit_mg), basis, spec.sources)


def _status(total: Fraction, limits: DoseLimits) -> str:
    if total > Fraction(limits.over_above):
        return OVER
    if total >= Fraction(limits.caution_from):
        return CAUTION
    return OK


def _status_message(status: str, total: Fraction, rows: tuple[AgentRow, ...]) -> str:
    detail = "; ".join(row.text for row in rows)
    if status == OVER:
        return (
            f"Local anaesthetic is {percent(total)} of the maximum for this patient ({detail}): over the limit. "
            "Lower the volume or concentration, or record why before signing."
        )
    if status == CAUTION:
        return (
            f"Local anaesthetic is {percent(total)} of the maximum for this patient ({detail}): at or near the limit."
        )
    return f"Local anaesthetic is {percent(total)} of the maximum for this patient ({detail})."
