from safety import present
from safety.facts import PlannedInjection
from safety.screen import screen
from safety.tests.helpers import bupi, lido, needle, patient, saline


def rules(result):
    return [f.rule for f in result.findings]


def chloro(ml=5, muscle="deltoid"):
    return PlannedInjection(muscle, "left", "chloroprocaine", 2, False, ml)


def test_clean_plan_can_be_signed():
    result = screen(patient(), [lido(5, muscle="deltoid")])
    assert result.can_sign and not result.blocked
    assert rules(result) == ["dose-ok", "structures"]


def test_amide_allergy_blocks_lidocaine_and_bupivacaine_and_suggests_an_ester_or_saline():
    result = screen(patient(allergy_classes={"amide"}), [lido(5), bupi(5)])
    allergy = result.by_rule("allergy")
    assert len(allergy) == 2 and all(f.level == "block" for f in allergy)
    assert "chloroprocaine" in present.finding_suggestion(allergy[0]) and "saline" in present.finding_suggestion(allergy[0])
    assert result.blocked and not result.can_sign


def test_ester_allergy_blocks_chloroprocaine_and_suggests_an_amide():
    result = screen(patient(allergy_classes={"ester"}), [chloro()])
    (finding,) = result.by_rule("allergy")
    assert finding.level == "block"
    assert "lidocaine" in present.finding_suggestion(finding) and "bupivacaine" in present.finding_suggestion(finding)
    assert screen(patient(allergy_classes={"ester"}), [lido(5)]).can_sign


def test_allergy_to_both_classes_suggests_saline_or_dry_needling():
    (finding,) = screen(patient(allergy_classes={"amide", "ester"}), [lido(5)]).by_rule("allergy")
    assert "saline or dry needling" in present.finding_suggestion(finding)


def test_saline_and_dry_needling_pass_with_an_amide_allergy():
    result = screen(patient(allergy_classes={"amide"}), [saline(), needle(muscle="deltoid")])
    assert not result.by_rule("allergy") and result.can_sign


def test_anticoagulant_warns_and_deep_muscles_warn_more_strongly():
    shallow = screen(patient(on_anticoagulant=True), [lido(5, muscle="deltoid")])
    (warning,) = shallow.by_rule("bleeding")
    assert warning.level == "warn" and not warning.strong and "low-bleeding-risk" in present.finding_message(warning)
    assert not shallow.by_rule("bleeding-deep") and shallow.can_sign

    deep = screen(patient(on_antiplatelet=True), [lido(5, muscle="piriformis"), saline("quadratus-lumborum")])
    strong = deep.by_rule("bleeding-deep")
    assert [f.muscle for f in strong] == ["piriformis", "quadratus-lumborum"]
    assert all(f.level == "warn" and f.strong and "non-compressible" in present.finding_message(f) for f in strong)
    assert deep.findings[0].strong  # strong warnings are listed before plain ones
    assert deep.can_sign


def test_bleeding_disorder_is_named_as_a_contraindication():
    (warning,) = screen(patient(bleeding_disorder=True), [needle()]).by_rule("bleeding")
    assert "contraindication" in present.finding_message(warning) and "25 G" in present.finding_suggestion(warning)


def test_no_bleeding_warning_without_a_risk():
    assert not screen(patient(), [lido(5, muscle="iliopsoas")]).by_rule("bleeding-deep")


def test_systemic_infection_blocks():
    result = screen(patient(systemic_infection=True), [saline()])
    assert result.by_rule("infection-systemic")[0].level == "block" and result.blocked


def test_local_infection_blocks_only_that_site():
    infected = patient(infected_sites={"upper-trapezius:left"})
    assert screen(infected, [saline(side="left")]).blocked
    assert not screen(infected, [saline(side="right")]).by_rule("infection-site")
    either_side = patient(infected_sites={"upper-trapezius"})
    assert screen(either_side, [saline(side="right")]).blocked


def test_pneumothorax_warns_over_the_chest_wall_with_technique():
    result = screen(patient(), [saline("rhomboids")])
    (finding,) = result.by_rule("pneumothorax")
    assert finding.level == "warn" and not finding.strong and finding.muscle == "rhomboids"
    assert "pincer" in present.finding_suggestion(finding) and "tangential" in present.finding_suggestion(finding) and "ultrasound" in present.finding_suggestion(finding)
    assert not screen(patient(), [saline("biceps-brachii")]).by_rule("pneumothorax")


def test_pneumothorax_is_stronger_with_copd_or_low_bmi():
    (copd,) = screen(patient(copd=True), [saline("scalenes")]).by_rule("pneumothorax")
    assert copd.strong and "COPD" in present.finding_message(copd)
    (thin,) = screen(patient(height_cm=170, weight_kg=50), [saline("serratus-anterior")]).by_rule("pneumothorax")
    assert thin.strong and "BMI 17.3" in present.finding_message(thin)
    (edge,) = screen(patient(height_cm=200, weight_kg=74), [saline("serratus-anterior")]).by_rule("pneumothorax")
    assert not edge.strong  # BMI exactly 18.5 is not under 18.5


def test_bilateral_chest_wall_injections_are_flagged():
    result = screen(patient(), [saline(side="left"), saline(side="right")])
    assert result.by_rule("pneumothorax-bilateral")
    assert not screen(patient(), [saline(side="left"), saline("deltoid", side="right")]).by_rule(
        "pneumothorax-bilateral"
    )


def test_nerves_and_vessels_are_shown_per_muscle():
    # subscapularis still rests partly on recalled anatomy (its deep-bleeding flag and note)
    result = screen(patient(), [saline("subscapularis"), saline("subscapularis", side="right"), saline("masseter")])
    structures = result.by_rule("structures")
    assert [f.muscle for f in structures] == ["subscapularis", "masseter"]
    message = present.finding_message(structures[0])
    assert "brachial plexus" in message and "axillary vessels" in message
    assert "recalled — verify" in structures[0].source
    assert "recalled" not in structures[1].source  # masseter: every field checked against an opened source
    assert all(f.level == "info" for f in structures)


def test_pregnancy_warns_and_lowers_the_limit():
    result = screen(patient(sex="female", pregnant=True), [lido(5)])
    assert result.by_rule("pregnancy")[0].level == "warn"
    assert "steroid" in present.finding_message(result.by_rule("pregnancy")[0])
    assert result.by_rule("dose-lowered")[0].level == "info"
    assert result.dose.rows[0].limit_mg == 240


def test_dose_over_blocks_unless_a_reason_is_recorded():
    blocked = screen(patient(), [lido(31)])
    assert blocked.by_rule("dose-over")[0].level == "block" and not blocked.can_sign
    assert not screen(patient(), [lido(31)], dose_override_reason="   ").can_sign
    allowed = screen(patient(), [lido(31)], dose_override_reason="Large area, monitored for 30 min")
    (finding,) = allowed.by_rule("dose-over")
    assert finding.level == "warn" and "monitored" in present.finding_message(finding)
    assert allowed.can_sign and allowed.dose_override_reason == "Large area, monitored for 30 min"


def test_dose_caution_warns_without_blocking():
    result = screen(patient(), [lido(30)])
    assert result.by_rule("dose-caution")[0].level == "warn" and result.can_sign


def test_unknown_weight_blocks_only_with_an_anaesthetic():
    assert screen(patient(weight_kg=None), [lido(1)]).by_rule("dose-unknown")[0].level == "block"
    assert screen(patient(weight_kg=None), [saline(), needle()]).can_sign


def test_without_injections_only_patient_level_findings_show():
    assert screen(patient(), []).findings == ()
    result = screen(patient(on_anticoagulant=True, age_years=75, systemic_infection=True), [])
    assert rules(result) == ["infection-systemic", "bleeding", "dose-lowered"]
