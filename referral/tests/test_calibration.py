"""The calibrated likelihood: words beside it, the temperature fit, the reliability table and the
Brier score, on hand-made tables; and the shipped temperature is the fit on the published cases."""
import math

import pytest

from referral import calibration
from referral.calibration import Item, Settings, band, brier, fit_temperature, negative_log_likelihood, reliability
from referral.evaluation import calibration_items, fold_temperature, published_items

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


def test_the_shipped_temperature_is_the_fit_on_the_published_cases():
    assert calibration.settings().temperature == fit_temperature(published_items())


def test_the_textbook_vignettes_ask_for_sharper_likelihoods_than_real_drawings():
    assert fit_temperature(calibration_items()) < calibration.settings().temperature


def test_a_fold_never_sees_the_publication_it_holds_out():
    """Inside the fold for a publication, its cases are not fitted on and its variants are removed
    from the other cases' evidence."""
    from referral import literature
    cases = [c for c in literature.cases() if c.rankable]
    held = "jalil-2010"
    inside = published_items(held)
    assert len(inside) == len(cases) - sum(1 for c in cases if c.publication == held)
    assert fold_temperature(held) == fit_temperature(inside)


def test_refitting_writes_only_the_temperature(tmp_path):
    path = tmp_path / "calibration.toml"
    path.write_text(calibration.CALIBRATION_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    calibration.write_temperature(2.25, path)
    assert calibration.settings(path).temperature == 2.25
    assert calibration.settings(path).likely == calibration.settings().likely


def test_the_shipped_unmarked_weight_is_the_fit_on_the_textbook_vignettes():
    from referral.evaluation import fit_unmarked_weight
    assert calibration.settings().unmarked_weight == fit_unmarked_weight()


def test_the_unmarked_weight_scales_only_the_evidence_of_unmarked_zones():
    """Each candidate's log-odds is linear in the weight, with the slope its unmarked zones' penalty:
    a broad pattern the patient drew little of gains most when the weight falls."""
    from referral.ranking import MARKING_PROBABILITY, _penalty, evidence, predicted_zones
    drawing = ["buttock.upper:right"]
    full, half = evidence(drawing, unmarked_weight=1.0), evidence(drawing, unmarked_weight=0.5)
    for muscle in ("gluteus-medius", "iliocostalis-lumborum", "piriformis"):
        number = full.model.numbers[(muscle, "right")]
        zones = {place: kind for place, kind in predicted_zones(muscle, "right").items() if str(place) not in drawing}
        unmarked = sum(_penalty(MARKING_PROBABILITY[kind]) for kind in zones.values())
        unmarked += sum(_penalty(q) for place, q in full.model.priors[number].items()
                        if place not in zones and str(place) not in drawing
                        and place not in predicted_zones(muscle, "right"))
        assert half.log_odds[number] - full.log_odds[number] == pytest.approx(-0.5 * unmarked)


def test_the_unmarked_weight_is_read_from_the_file_and_checked(tmp_path):
    text = calibration.CALIBRATION_FILE.read_text(encoding="utf-8")
    path = tmp_path / "calibration.toml"
    path.write_text(text, encoding="utf-8")
    calibration.write_setting("unmarked_weight", 0.3, path)
    assert calibration.settings(path).unmarked_weight == 0.3
    assert calibration.settings(path).temperature == calibration.settings().temperature
    calibration.write_setting("unmarked_weight", 0, path)
    with pytest.raises(ValueError, match="unmarked_weight"):
        calibration.settings(path)
