"""The calibrated likelihood: words beside it, the temperature fit, the reliability table and the
Brier score, on hand-made tables. The fit of the model's parameters with the temperature on the
published cases is tested in test_fitting.py."""
import math
from dataclasses import replace

import pytest

from referral import calibration
from referral.calibration import Item, Settings, band, brier, fit_temperature, negative_log_likelihood, reliability
from referral.evaluation import calibration_items

TABLE = Settings(temperature=1.0, likely=0.5, possible=0.15, one_region_at_most="possible")


@pytest.mark.parametrize("likelihood, words", [
    (0.0, "less likely"), (0.149, "less likely"), (0.15, "possible"), (0.499, "possible"), (0.5, "likely"), (1.0, "likely"),
])
def test_words_beside_the_likelihood(likelihood, words):
    assert band(likelihood, TABLE) == words


def test_one_region_never_says_likely():
    assert band(0.9, TABLE, one_region=True) == "possible"
    assert band(0.05, TABLE, one_region=True) == "less likely"


def test_words_are_monotonic_in_the_likelihood():
    order = ("less likely", "possible", "likely")
    ranks = [order.index(band(p / 100, TABLE)) for p in range(0, 101)]
    assert ranks == sorted(ranks)


def test_probabilities_sum_to_one_and_cool_down_with_temperature():
    item = Item(logits=(3.0, 1.0, 0.0), extra=(0.0, 0.0, 0.0), truth=0)
    sharp, flat = calibration.probabilities(item, 0.5), calibration.probabilities(item, 4.0)
    assert sum(sharp) == pytest.approx(1) and sum(flat) == pytest.approx(1)
    assert sharp[0] > flat[0] > 1 / 3
    tops = [calibration.probabilities(item, t)[0] for t in (0.5, 1, 2, 4, 8)]
    assert tops == sorted(tops, reverse=True)


def test_extra_evidence_is_added_after_the_temperature():
    item = Item(logits=(0.0, 0.0), extra=(math.log(3), 0.0), truth=0)
    for t in (0.5, 1.0, 5.0):
        assert calibration.probabilities(item, t)[0] == pytest.approx(0.75)


def test_fit_sharpens_when_the_evidence_is_always_right_and_softens_when_it_is_noise():
    right = [Item(logits=(2.0, 0.0, 0.0), extra=(0, 0, 0), truth=0)] * 10
    noisy = [Item(logits=(2.0, 0.0, 0.0), extra=(0, 0, 0), truth=n % 3) for n in range(9)]
    assert fit_temperature(right) == min(calibration.GRID)
    assert fit_temperature(noisy) == max(calibration.GRID)
    mixed = [Item(logits=(2.0, 0.0), extra=(0, 0), truth=0)] * 3 + [Item(logits=(2.0, 0.0), extra=(0, 0), truth=1)]
    fitted = fit_temperature(mixed)
    # three right out of four: the fitted top probability is close to 0.75
    assert calibration.probabilities(mixed[0], fitted)[0] == pytest.approx(0.75, abs=0.02)
    assert negative_log_likelihood(mixed, fitted) <= negative_log_likelihood(mixed, 1.0)


def test_reliability_table_on_a_hand_made_set():
    pairs = [(0.9, True), (0.85, True), (0.95, False), (0.1, False), (0.3, True)]
    rows = {(row.low, row.high): row for row in reliability(pairs)}
    assert rows[(0.8, 1.0)].cases == 3 and rows[(0.8, 1.0)].accuracy == pytest.approx(2 / 3)
    assert rows[(0.8, 1.0)].mean_confidence == pytest.approx(0.9)
    assert rows[(0.0, 0.2)].cases == 1 and rows[(0.0, 0.2)].accuracy == 0
    assert sum(row.cases for row in rows.values()) == len(pairs)
    assert rows[(1.0 - 0.2, 1.0)].cases == 3  # a stated 1.0 falls in the last bin, not outside


@pytest.mark.parametrize("pairs, score", [
    ([(1.0, True), (0.0, False)], 0.0),
    ([(1.0, False)], 1.0),
    ([(0.5, True), (0.5, False)], 0.25),
    ([], 0.0),
])
def test_brier_score_examples(pairs, score):
    assert brier(pairs) == pytest.approx(score)


def test_the_textbook_vignettes_ask_for_sharper_likelihoods_than_real_drawings():
    assert fit_temperature(calibration_items()) < calibration.settings().temperature


def test_refitting_writes_only_the_temperature(tmp_path):
    path = tmp_path / "calibration.toml"
    path.write_text(calibration.CALIBRATION_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    calibration.write_setting("temperature", 2.25, path)
    assert calibration.settings(path).temperature == 2.25
    assert calibration.settings(path).likely == calibration.settings().likely


def test_the_unmarked_weight_scales_only_the_evidence_of_unmarked_zones():
    """Each candidate's log-odds is linear in the weight, with the slope its unmarked zones' penalty:
    a broad pattern the patient drew little of gains most when the weight falls."""
    from referral.ranking import _penalty, evidence, marking_probability, predicted_zones
    drawing = ["buttock.upper:right"]
    shipped = calibration.settings().parameters
    full, half = (evidence(drawing, parameters=replace(shipped, unmarked_weight=weight)) for weight in (1.0, 0.5))
    for muscle in ("gluteus-medius", "iliocostalis-lumborum", "piriformis"):
        number = full.model.numbers[(muscle, "right")]
        zones = {place: kind for place, kind in predicted_zones(muscle, "right").items() if str(place) not in drawing}
        unmarked = sum(_penalty(marking_probability(kind)) for kind in zones.values())
        unmarked += sum(_penalty(q) for place, q in full.model.priors[number].items()
                        if place not in zones and str(place) not in drawing
                        and place not in predicted_zones(muscle, "right"))
        assert half.log_odds[number] - full.log_odds[number] == pytest.approx(-0.5 * unmarked)


def test_the_unmarked_weight_is_read_from_the_file_and_checked(tmp_path):
    text = calibration.CALIBRATION_FILE.read_text(encoding="utf-8")
    path = tmp_path / "calibration.toml"
    path.write_text(text, encoding="utf-8")
    calibration.write_setting("unmarked_weight", 0.3, path)
    assert calibration.settings(path).parameters.unmarked_weight == 0.3
    assert calibration.settings(path).temperature == calibration.settings().temperature
    calibration.write_setting("unmarked_weight", 0, path)
    with pytest.raises(ValueError, match="unmarked_weight"):
        calibration.settings(path)


def test_every_parameter_is_read_from_the_file_and_checked(tmp_path):
    path = tmp_path / "calibration.toml"
    path.write_text(calibration.CALIBRATION_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    calibration.write_fit(calibration.Parameters(p_essential=0.7, p_spillover=0.15, p_local=0.05, p_report=0.2,
                                                 unmarked_weight=0.75, prior_weight=0.5, prior_regions=1),
                          1.25, "a test", "2026-01-02", "p_essential 0.5, 0.7", path)
    read = calibration.settings(path)
    assert read.parameters == calibration.Parameters(0.7, 0.15, 0.05, 0.2, 0.75, 0.5, 1)
    assert read.temperature == 1.25 and read.likely == calibration.settings().likely
    written = path.read_text(encoding="utf-8")
    assert 'fitted_on = "a test"' in written and 'grid = "p_essential 0.5, 0.7"' in written
    for name, wrong in (("p_essential", 1.0), ("p_local", 0), ("prior_weight", -1), ("prior_regions", 3)):
        broken = tmp_path / f"{name}.toml"
        broken.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        calibration.write_setting(name, wrong, broken)
        with pytest.raises(ValueError, match=name):
            calibration.settings(broken)


def test_writing_a_setting_the_file_lacks_is_refused(tmp_path):
    path = tmp_path / "calibration.toml"
    path.write_text("temperature = 1.0\n", encoding="utf-8")
    with pytest.raises(ValueError, match="p_essential"):
        calibration.write_setting("p_essential", 0.5, path)
