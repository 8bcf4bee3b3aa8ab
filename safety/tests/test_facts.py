from decimal import Decimal

import pytest

from anatomy.vocabulary import VocabularyError
from safety.agents import Agent
from safety.facts import AGENTS, PatientFacts, PlannedInjection
from safety.tests.helpers import patient


def test_values_are_normalised():
    facts = PatientFacts(" Female ", "70", height_cm="", weight_kg=60.5, allergy_classes=["Amide"])
    assert facts.sex == "female" and facts.age_years == 70
    assert facts.height_cm is None and facts.weight_kg == Decimal("60.5")
    assert facts.allergy_classes == frozenset({"amide"})
    injection = PlannedInjection("scalenes", "LEFT", "Lidocaine", 1.0, False, 2)
    assert injection.side == "left" and injection.agent == "lidocaine"


def test_bmi_needs_height_and_weight():
    assert patient(height_cm=200, weight_kg=74).bmi == Decimal("18.5")
    assert patient().bmi is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"age_years": -1},
        {"weight_kg": 0},
        {"height_cm": -170},
        {"weight_kg": float("nan")},
        {"weight_kg": "heavy"},
        {"allergy_classes": {"penicillin"}},
        {"infected_sites": {"not-a-muscle"}},
        {"infected_sites": {"upper-trapezius:middle"}},
    ],
)
def test_bad_patient_values_are_refused(kwargs):
    with pytest.raises(ValueError):
        patient(**kwargs)


@pytest.mark.parametrize(
    "args",
    [
        ("not-a-muscle", "left", "lidocaine", 1, False, 1),
        ("deltoid", "middle", "lidocaine", 1, False, 1),
        ("deltoid", "left", "botox", 1, False, 1),
        ("deltoid", "left", "lidocaine", -1, False, 1),
        ("deltoid", "left", "lidocaine", 1, False, -1),
        ("deltoid", "left", "lidocaine", 101, False, 1),
        ("deltoid", "left", "saline", 0, True, 1),
    ],
)
def test_bad_injections_are_refused(args):
    with pytest.raises(ValueError):
        PlannedInjection(*args)


def test_unknown_muscle_error_names_the_code():
    with pytest.raises(VocabularyError, match="trapezius-upper"):
        PlannedInjection("trapezius-upper", "left", "saline")


def test_the_rules_and_the_forms_know_the_same_agents():
    assert set(Agent.values) == set(AGENTS)
