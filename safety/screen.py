"""Screens a planned TPI session against the patient's facts before it can be signed.

Why: the contraindications and needle risks in research brief section 3 are easy to miss on a busy
day; each rule here turns one of them into a finding with its source. Blocks stop signing (the dose
block can be overridden with a recorded reason); warnings and information are for the clinician
to read. Muscle data comes from data/muscle_risks.toml; the dose total from safety.dose.

A finding is a rule id and its facts in `params` (plain JSON values); safety/present.py words it
(and its suggestion) in every language, English included.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Iterable

from safety import steroids
from safety.data_files import MuscleRisk, dose_limits, muscle_risks
from safety.dose import CAUTION, OK, OVER, UNKNOWN, DoseReport, dose_report, percent_parts
from safety.facts import PatientFacts, PlannedInjection
from safety.findings import BLOCK, INFO, WARN, Finding, sort_key

SRC_CONTRAINDICATIONS = "Contraindications: FPnotebook, Medscape (Kishner) and StatPearls, research brief section 3"
SRC_ALLERGY = "Amide/ester substitution (droracle summary, research brief section 3)"
SRC_NAROUZE = (
    "Narouze et al., ASRA/ESRA/AAPM/INS/NANS/WIP guidelines, Reg Anesth Pain Med 2015;40:182-212 and 2nd ed. 2018 "
    "(TPI low bleeding risk, read in two adaptations of its risk table, which name no muscle as non-compressible; "
    "which muscles are deep is anatomy, per muscle in muscle_risks.toml); Medscape: 25 G needle when bleeding is a concern"
)
SRC_PREGNANCY = "Pregnancy: prefer no steroid, lower dose (CMAJ 2022; recalled - verify), research brief section 3"
SRC_BILATERAL = (
    "FCEP case report 2023, "
    "https://fcep.org/bilateral-pneumothoraces-after-trigger-point-injection-therapy-a-case-report/"
)
SRC_DOSE = "Dose limits: safety/data/dose_limits.toml (label summaries; CMAJ 2022;194(37):E1288)"
@dataclass(frozen=True)
class Screen:
    findings: tuple[Finding, ...]
    dose: DoseReport
    dose_override_reason: str | None = None

    @property
    def blocked(self) -> bool:
        return any(f.level == BLOCK for f in self.findings)

    @property
    def can_sign(self) -> bool:
        return not self.blocked

    @property
    def blocks(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == BLOCK)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == WARN)

    def by_rule(self, rule: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.rule == rule)


def screen(
    patient: PatientFacts, injections: Iterable[PlannedInjection], dose_override_reason: str | None = None,
    *, day: date | None = None, steroid_history: Iterable[steroids.PastDose] = (),
) -> Screen:
    """Every risk finding for the plan; with `day` and `steroid_history` (the patient's other signed
    sessions) the corticosteroid total over the data file's window too."""
    injections = list(injections)
    reason = (dose_override_reason or "").strip() or None
    dose = dose_report(patient, injections)
    findings = [
        *_allergy(patient, injections),
        *_infection(patient, injections),
        *_dose(dose, reason),
        *_bleeding(patient, injections),
        *_pneumothorax(patient, injections),
        *_pregnancy(patient),
        *_dose_lowering(dose),
        *_structures(injections),
        *steroids.findings(injections, patient, day, steroid_history),
    ]
    return Screen(tuple(sorted(findings, key=sort_key)), dose, reason)


def _muscles(injections: list[PlannedInjection]) -> list[str]:
    """Distinct muscles in planned order."""
    return list(dict.fromkeys(i.muscle for i in injections))


def _risk_source(risk: MuscleRisk) -> str:
    flag = f" ({risk.confidence})" if risk.recalled else ""
    return "; ".join(risk.sources) + flag


def _allergy(patient: PatientFacts, injections: list[PlannedInjection]) -> list[Finding]:
    """Allergy to the planned agent's class blocks; suggest the other class, saline or dry needling."""
    if not patient.allergy_classes:
        return []
    agents = dose_limits().agents
    classes = patient.allergy_classes
    findings = []
    for agent in dict.fromkeys(i.agent for i in injections if i.is_anaesthetic):
        spec = agents[agent]
        if spec.drug_class in patient.allergy_classes:
            findings.append(Finding(
                "allergy", BLOCK, SRC_ALLERGY,
                params={"agent": agent, "drug_class": spec.drug_class, "allergy_classes": sorted(classes)},
            ))
    return findings


def _infection(patient: PatientFacts, injections: list[PlannedInjection]) -> list[Finding]:
    """Local infection at the site or systemic infection contraindicates needling."""
    findings = []
    if patient.systemic_infection:
        findings.append(Finding(
            "infection-systemic", BLOCK, SRC_CONTRAINDICATIONS))
    seen = set()
    for i in injections:
        if patient.has_infection_at(i.muscle, i.side) and (i.muscle, i.side) not in seen:
            seen.add((i.muscle, i.side))
            findings.append(Finding(
                "infection-site", BLOCK, SRC_CONTRAINDICATIONS, muscle=i.muscle,
                params={"muscle": i.muscle, "side": i.side},
            ))
    return findings


def _dose_params(dose: DoseReport) -> dict:
    """The total as a percentage (`pct`, `exact`) and each agent's row (AgentRow.params)."""
    pct, exact = percent_parts(dose.total_fraction)
    return {"pct": pct, "exact": exact, "rows": [row.params for row in dose.rows]}


def _dose(dose: DoseReport, reason: str | None) -> list[Finding]:
    if dose.status == OVER:
        if reason:
            return [Finding("dose-over", WARN, SRC_DOSE, strong=True,
                            params={**_dose_params(dose), "override_reason": reason})]
        return [Finding("dose-over", BLOCK, SRC_DOSE, params=_dose_params(dose))]
    if dose.status == UNKNOWN:
        return [Finding("dose-unknown", BLOCK, SRC_DOSE)]
    if dose.status == CAUTION:
        return [Finding("dose-caution", WARN, SRC_DOSE, params=_dose_params(dose))]
    if dose.status == OK and dose.anaesthetic_planned:
        return [Finding("dose-ok", INFO, SRC_DOSE, params=_dose_params(dose))]
    return []


def _bleeding(patient: PatientFacts, injections: list[PlannedInjection]) -> list[Finding]:
    """TPI is a low-bleeding-risk procedure (ASRA); deep non-compressible muscles warrant more caution."""
    causes = [
        cause for flag, cause in (
            (patient.bleeding_disorder, "bleeding-disorder"),
            (patient.on_anticoagulant, "anticoagulant"),
            (patient.on_antiplatelet, "antiplatelet"),
        ) if flag
    ]
    if not causes:
        return []
    findings = [Finding("bleeding", WARN, SRC_NAROUZE, params={"causes": causes})]
    risks = muscle_risks()
    for code in _muscles(injections):
        if risks[code].deep_noncompressible:
            findings.append(Finding(
                "bleeding-deep", WARN, SRC_NAROUZE + "; " + _risk_source(risks[code]), muscle=code, strong=True,
                params={"muscle": code, "causes": causes},
            ))
    return findings


def _pneumothorax(patient: PatientFacts, injections: list[PlannedInjection]) -> list[Finding]:
    """Needles over the chest wall or lung apex can cause pneumothorax; COPD and thinness raise the risk."""
    risks = muscle_risks()
    bmi = patient.bmi
    low_bmi = f"{bmi:.1f}" if bmi is not None and bmi < 18.5 else None
    raised = patient.copd or low_bmi is not None  # a risk factor of this patient: the warning stands out
    findings = []
    risky_sides = set()
    for code in _muscles(injections):
        risk = risks[code]
        if risk.pneumothorax == "none":
            continue
        risky_sides.update(i.side for i in injections if i.muscle == code)
        findings.append(Finding(
            "pneumothorax", WARN, _risk_source(risk), muscle=code, strong=raised,
            params={"muscle": code, "risk": risk.pneumothorax, "note": risk.note or None, "copd": patient.copd,
                    "low_bmi": low_bmi},
        ))
    if {"left", "right"} <= risky_sides:
        findings.append(Finding(
            "pneumothorax-bilateral", WARN, SRC_BILATERAL, strong=raised))
    return findings


def _pregnancy(patient: PatientFacts) -> list[Finding]:
    if not patient.pregnant:
        return []
    return [Finding("pregnancy", WARN, SRC_PREGNANCY)]


def _dose_lowering(dose: DoseReport) -> list[Finding]:
    if not dose.reductions:
        return []
    lowered = 1 - Fraction(dose.reduction_factor)
    value, exact = percent_parts(lowered)
    return [Finding(
        "dose-lowered", INFO,
        "CMAJ 2022;194(37):E1288: reduce 10-20% at extremes of age, pregnancy, renal, cardiac or hepatic disease",
        params={"pct": value, "exact": exact, "reductions": [r.params for r in dose.reductions]},
    )]


def _structures(injections: list[PlannedInjection]) -> list[Finding]:
    """Nerves, vessels and organs near each injected muscle, as a reminder (recalled anatomy)."""
    risks = muscle_risks()
    findings = []
    for code in _muscles(injections):
        risk = risks[code]
        if risk.avoid:
            findings.append(Finding(
                "structures", INFO, _risk_source(risk), muscle=code, params={"muscle": code, "avoid": list(risk.avoid)},
            ))
    return findings
