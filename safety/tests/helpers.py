"""Small builders so each test states only what it is about."""
from safety.facts import PatientFacts, PlannedInjection


def patient(**overrides) -> PatientFacts:
    values = {"sex": "male", "age_years": 40, "weight_kg": 70}
    values.update(overrides)
    return PatientFacts(**values)


def lido(ml, pct=1, muscle="upper-trapezius", side="left", epi=False) -> PlannedInjection:
    return PlannedInjection(muscle, side, "lidocaine", pct, epi, ml)


def bupi(ml, pct="0.25", muscle="infraspinatus", side="left", epi=False) -> PlannedInjection:
    return PlannedInjection(muscle, side, "bupivacaine", pct, epi, ml)


def saline(muscle="upper-trapezius", side="left", ml=2) -> PlannedInjection:
    return PlannedInjection(muscle, side, "saline", 0, False, ml)


def needle(muscle="upper-trapezius", side="left") -> PlannedInjection:
    return PlannedInjection(muscle, side, "dry-needling")
