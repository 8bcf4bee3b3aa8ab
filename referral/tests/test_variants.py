"""Published variants: weighted by replication, kept apart from the textbook zones, and able to
reach the other side."""
import pytest

from anatomy.vocabulary import Place
from referral import calibration, literature
from referral.ranking import explain, predicted_zones, rank, reported_probability, reported_zones


@pytest.mark.parametrize("reports, expected", [(0, 0.0), (1, 0.1), (2, 0.19), (3, 0.2), (10, 0.2)])
def test_replication_raises_the_weight_up_to_textbook_spillover(reports, expected):
    hand_set = calibration.Parameters()  # report 0.1, spillover 0.2
    assert reported_probability(reports, hand_set) == pytest.approx(expected)


def test_weight_is_monotonic_and_a_single_report_counts_less_than_spillover():
    shipped = calibration.settings().parameters
    weights = [reported_probability(n) for n in range(0, 12)]
    assert weights == sorted(weights)
    assert reported_probability(1) < shipped.p_spillover == max(weights)


def test_a_replicated_zone_counts_more_than_a_single_report():
    """Quadratus femoris: the lower buttock has two reports, the upper buttock one (only when the
    vocabulary has the muscle; otherwise compare the weights of the shipped entries)."""
    lower = next(v for v in literature.variants() if (v.muscle, v.region) == ("quadratus-femoris", "buttock.lower"))
    upper = next(v for v in literature.variants() if (v.muscle, v.region) == ("quadratus-femoris", "buttock.upper"))
    assert len(lower.publications) > len(upper.publications)
    assert reported_probability(len(lower.publications)) > reported_probability(len(upper.publications))


def test_variants_are_kept_apart_from_the_textbook_zones():
    textbook = predicted_zones("upper-trapezius", "left")
    reported = reported_zones("upper-trapezius", "left")
    assert Place("head.ear", "left") in reported and Place("head.ear", "left") not in textbook
    assert not reported.keys() & textbook.keys()
    candidate = explain([Place("head.ear", "left"), Place("neck.side", "left")], "upper-trapezius", "left")
    assert [r.place for r in candidate.explained_reported] == [Place("head.ear", "left")]
    assert candidate.explained_reported[0].publications == ("chung-2014",)
    assert Place("head.ear", "left") not in candidate.explained_essential + candidate.explained_spillover


def test_a_reported_zone_adds_evidence_without_beating_the_textbook():
    ear = [Place("head.ear", "left")]
    with_report = explain(ear, "upper-trapezius", "left")
    without = explain(ear, "upper-trapezius", "left", exclude=frozenset({"chung-2014"}))
    assert with_report.log_odds > without.log_odds
    assert not without.explains_anything
    # a textbook spillover zone of the same place (clavicular SCM: deep ear pain) still counts more
    scm = explain(ear, "scm-clavicular", "left")
    assert scm.explained_spillover == ear and scm.log_odds > with_report.log_odds


def test_referral_to_the_other_side_is_documented_and_explained():
    right_teeth = [Place("face.lower-teeth", "right")]
    left = explain(right_teeth, "masseter", "left")
    assert left.explained_reported and left.explained_reported[0].other_side
    assert left.explained_reported[0].place == Place("face.lower-teeth", "right")
    listed = {(c.muscle, c.side) for c in rank(right_teeth)}
    assert {("masseter", "right"), ("masseter", "left")} <= listed
    # the same-side textbook explanation still ranks above the other side's published one (digastric,
    # whose anterior belly refers to the lower teeth in the textbook, may rank above both)
    order = [(c.muscle, c.side) for c in rank(right_teeth)]
    assert order.index(("masseter", "right")) < order.index(("masseter", "left"))
    assert all(c.explained_essential for c in rank(right_teeth)[:order.index(("masseter", "right"))])


def test_other_side_variants_mirror():
    left_teeth = [Place("face.lower-teeth", "left")]
    right = explain(left_teeth, "masseter", "right")
    assert right.explained_reported and right.explained_reported[0].place == Place("face.lower-teeth", "left")
