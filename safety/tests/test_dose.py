from decimal import Decimal
from fractions import Fraction

import pytest

from safety import present
from safety.dose import CAUTION, OK, OVER, UNKNOWN, dose_report, ideal_body_weight
from safety.facts import PlannedInjection
from safety.tests.helpers import bupi, lido, needle, patient, saline


def messages(report) -> list[str]:
    """The report's notes as the page words them (English here)."""
    return [present.note_text(note) for note in report.notes]


def test_mg_is_percent_times_ten_times_ml():
    assert lido(30).mg == Decimal(300)
    assert bupi(10).mg == Decimal(25)
    assert lido(0.1, pct=0.5).mg == Decimal("0.5")  # floats go through str(): no binary noise
    assert saline().mg == 0 and needle().mg == 0


def test_exactly_at_the_limit_is_caution_not_over():
    report = dose_report(patient(), [lido(30)])  # 70 kg man, no height: 300 mg of a 300 mg cap
    assert report.dosing_weight_kg == 70
    assert "no height" in present.weight_basis_text(report)
    (row,) = report.rows
    assert row.mg == 300 and row.limit_mg == 300 and row.fraction == 1
    assert report.total_fraction == Fraction(1)
    assert report.status == CAUTION
    assert not report.blocks_signing


def test_eighty_percent_is_caution_and_just_under_is_ok():
    assert dose_report(patient(), [lido(24)]).total_fraction == Fraction(4, 5)
    assert dose_report(patient(), [lido(24)]).status == CAUTION
    assert dose_report(patient(), [lido("23.99")]).status == OK


def test_just_over_the_limit_is_over_and_blocks():
    report = dose_report(patient(), [lido("30.01")])
    assert report.status == OVER
    assert report.blocks_signing and report.needs_override
    assert "over the limit" in messages(report)[-1]


def test_split_over_many_sites_adds_up():
    report = dose_report(patient(), [lido(10, muscle=m) for m in ("upper-trapezius", "rhomboids", "deltoid")])
    assert report.rows[0].mg == 300 and report.status == CAUTION


def test_mixed_agents_add_as_fractions_of_their_own_limits():
    # lidocaine 150 of 300 mg = 0.5; bupivacaine 0.25% 28 mL = 70 of 140 mg (2 mg/kg x 70 kg) = 0.5
    report = dose_report(patient(), [lido(15), bupi(28)])
    assert [row.fraction for row in report.rows] == [Fraction(1, 2), Fraction(1, 2)]
    assert report.total_fraction == 1 and report.status == CAUTION
    assert dose_report(patient(), [lido(15), bupi("28.1")]).status == OVER


def test_epinephrine_has_its_own_higher_limit():
    report = dose_report(patient(), [lido(49, epi=True)])  # 7 mg/kg x 70 kg = 490 mg, under the 500 cap
    (row,) = report.rows
    assert row.limit_mg == 490 and row.fraction == 1 and present.agent_name(row.params) == "Lidocaine with epinephrine"
    assert dose_report(patient(weight_kg=100), [lido(50, epi=True)]).rows[0].limit_mg == 500
    assert dose_report(patient(weight_kg=100), [bupi(90, epi=True)]).rows[0].limit_mg == 225


def test_plain_and_epinephrine_of_one_agent_are_separate_rows_that_add_up():
    report = dose_report(patient(), [lido(15), lido("24.5", epi=True)])  # 150/300 + 245/490
    assert len(report.rows) == 2
    assert report.total_fraction == 1 and report.status == CAUTION


def test_missing_height_uses_actual_weight():
    report = dose_report(patient(sex="female", weight_kg=50), [lido(10)])
    assert report.dosing_weight_kg == 50 and report.rows[0].limit_mg == 225


def test_short_woman_limit_uses_ideal_body_weight():
    report = dose_report(patient(sex="female", height_cm=160, weight_kg=80), [lido(10)])
    assert report.dosing_weight_kg == Decimal("52.416")  # 45.5 + 0.91 x 7.6
    assert report.rows[0].limit_mg == Decimal("235.872")
    assert "ideal body weight" in present.weight_basis_text(report)


def test_thin_tall_man_uses_actual_weight_below_ideal():
    report = dose_report(patient(height_cm=180, weight_kg=60), [lido(10)])
    assert ideal_body_weight("male", Decimal(180)) == Decimal("75.116")
    assert report.dosing_weight_kg == 60 and "actual weight" in present.weight_basis_text(report)


def test_other_sex_uses_the_female_formula():
    assert ideal_body_weight("x", Decimal(170)) == ideal_body_weight("female", Decimal(170))
    report = dose_report(patient(sex="nonbinary", height_cm=170, weight_kg=90), [lido(1)])
    assert any("female formula" in m for m in messages(report))


@pytest.mark.parametrize("sex, height, weight, dosing", [
    # the old cliff: Devine gave 0.09 kg at 102.5 cm and 60 kg at 102.4 cm; now BMI 18.5 x 1.025^2
    ("female", "102.5", 60, Decimal("19.4365625")),
    ("female", "102.4", 60, Decimal("19.398656")),
    ("female", 95, 20, Decimal("16.69625")),
    ("female", 95, 15, 15),  # actual weight below the floor still wins
    ("female", 140, 60, Decimal("36.26")),  # floor (36.26) above Devine (34.216)
    ("female", 150, 60, Decimal("43.316")),  # Devine above the floor: unchanged
    ("male", 130, 60, Decimal("31.265")),
])
def test_short_adults_get_a_floored_ideal_weight_without_a_jump(sex, height, weight, dosing):
    report = dose_report(patient(sex=sex, height_cm=height, weight_kg=weight), [lido(1)])
    assert report.dosing_weight_kg == dosing


def test_floor_comes_from_the_data_file(monkeypatch):
    from dataclasses import replace

    from safety import dose
    limits = replace(dose.dose_limits(), floor_bmi=Decimal(20))
    assert dose.ideal_body_weight("female", Decimal(100), limits) == 20
    assert dose.ideal_body_weight("female", Decimal(100)) == Decimal("18.5")


@pytest.mark.parametrize("age, limit", [(69, 300), ("69.99", 300), (70, 240), (85, 240)])
def test_age_70_and_over_lowers_the_limit_by_a_fifth(age, limit):
    report = dose_report(patient(age_years=age), [lido(10)])
    assert report.rows[0].limit_mg == limit
    assert bool(report.reductions) is (limit == 240)


@pytest.mark.parametrize("condition", ["pregnant", "renal_disease", "hepatic_disease", "cardiac_disease"])
def test_each_condition_lowers_the_limit(condition):
    report = dose_report(patient(sex="female", **{condition: True}), [lido(24)])
    assert report.rows[0].limit_mg == 240
    assert report.total_fraction == 1 and report.status == CAUTION
    assert [r.condition for r in report.reductions] == [condition]


def test_reductions_are_applied_once_not_compounded():
    report = dose_report(patient(age_years=80, renal_disease=True, cardiac_disease=True), [lido(10)])
    assert report.rows[0].limit_mg == 240 and report.reduction_factor == Decimal("0.8")
    assert len(report.reductions) == 3


def test_caps_apply_for_heavy_patients():
    heavy = patient(weight_kg=150)
    injections = [
        lido(1), lido(1, epi=True), bupi(1), bupi(1, epi=True),
        PlannedInjection("deltoid", "left", "chloroprocaine", 2, False, 1),
        PlannedInjection("deltoid", "left", "chloroprocaine", 2, True, 1),
    ]
    limits = {(r.agent, r.with_epinephrine): r.limit_mg for r in dose_report(heavy, injections).rows}
    assert limits == {
        ("lidocaine", False): 300, ("lidocaine", True): 500,
        ("bupivacaine", False): 175, ("bupivacaine", True): 225,
        ("chloroprocaine", False): 800, ("chloroprocaine", True): 1000,
    }


def test_per_kg_limits_apply_for_light_patients():
    light = patient(weight_kg=40)
    chloro = PlannedInjection("deltoid", "left", "chloroprocaine", 2, False, 1)
    limits = [r.limit_mg for r in dose_report(light, [lido(1), bupi(1), chloro]).rows]
    assert limits == [180, 80, 440]


def test_saline_and_dry_needling_contribute_nothing():
    report = dose_report(patient(), [saline(ml=50), needle(), lido(15)])
    assert len(report.rows) == 1 and report.total_fraction == Fraction(1, 2) and report.status == OK
    only = dose_report(patient(), [saline(ml=50), needle()])
    assert only.rows == () and only.total_fraction == 0 and only.status == OK


def test_missing_weight_with_anaesthetic_is_unknown_and_blocks():
    report = dose_report(patient(weight_kg=None), [lido(5)])
    assert report.status == UNKNOWN and report.total_fraction is None
    assert report.blocks_signing
    assert "weight" in messages(report)[-1].lower()


def test_missing_weight_without_anaesthetic_does_not_block():
    report = dose_report(patient(weight_kg=None), [saline()])
    assert report.status == OK and not report.blocks_signing
    assert any("Weight is not recorded" in m for m in messages(report))


def test_report_is_frozen():
    report = dose_report(patient(), [lido(1)])
    with pytest.raises(AttributeError):
        report.status = OVER
