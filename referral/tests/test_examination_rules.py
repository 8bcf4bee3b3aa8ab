"""Examination findings: likelihood ratios from the data file, the criteria, and the ranking update."""
import math

import pytest

from anatomy.vocabulary import Place
from referral import examination
from referral.examination import ExaminationError, meets_criteria, parse
from referral.ranking import DrawingError, explain, rank

SHOULDER = [Place("scapula.body", "right"), Place("shoulder.front", "right")]


def test_criteria_follow_the_consensus_rule():
    assert meets_criteria({"spot-tenderness": True, "recognised-pain": True})
    assert meets_criteria({"spot-tenderness": True, "referred-pain": True, "local-twitch": False})
    assert not meets_criteria({"spot-tenderness": True})
    assert not meets_criteria({"recognised-pain": True, "referred-pain": True})
    assert not meets_criteria({"spot-tenderness": False, "recognised-pain": True})
    assert examination.rules().sources  # the criteria cite their sources


def test_each_positive_finding_raises_the_muscle_and_each_negative_lowers_it():
    base = explain(SHOULDER, "teres-minor", "right").score
    up, down = base, base
    for code in ("spot-tenderness", "recognised-pain", "referred-pain", "local-twitch", "restricted-stretch"):
        found = explain(SHOULDER, "teres-minor", "right", findings={("teres-minor", "right"): {code: True}}).score
        lost = explain(SHOULDER, "teres-minor", "right", findings={("teres-minor", "right"): {code: False}}).score
        assert found > base > lost, code
    for count in range(1, 4):
        codes = ("spot-tenderness", "recognised-pain", "referred-pain")[:count]
        score = explain(SHOULDER, "teres-minor", "right",
                        findings={("teres-minor", "right"): dict.fromkeys(codes, True)}).score
        assert score > up
        up = score


def test_two_findings_move_a_candidate_up_the_ranking():
    front = [Place("shoulder.front", "right")]
    before = [c.muscle for c in rank(front)]
    muscle = before[1]
    after = rank(front, findings={(muscle, "right"): {"spot-tenderness": True, "recognised-pain": True}})
    assert after[0].muscle == muscle and [c.muscle for c in after][1] == before[0]
    assert after[0].findings == {"spot-tenderness": True, "recognised-pain": True} and after[0].meets_criteria


def test_the_odds_move_by_the_likelihood_ratio_in_the_data_file(monkeypatch):
    plain = explain(SHOULDER, "teres-minor", "right")
    found = explain(SHOULDER, "teres-minor", "right", findings={("teres-minor", "right"): {"local-twitch": True}})
    odds = lambda p: p / (1 - p)  # noqa: E731
    # the denominator moves a little too: the ratio is close to, and not above, the likelihood ratio
    assert 1 < odds(found.score) / odds(plain.score) <= 2.0 + 1e-9
    rules = examination.rules()
    changed = examination.Rules(rules.version, rules.evidence, {
        **rules.findings, "local-twitch": examination.Finding("local-twitch", "LTR", "", 8.0, 0.9)},
        rules.required, rules.any_of, rules.sources)
    monkeypatch.setattr(examination, "rules", lambda: changed)
    stronger = explain(SHOULDER, "teres-minor", "right", findings={("teres-minor", "right"): {"local-twitch": True}})
    assert stronger.score > found.score


def test_unknown_findings_and_bad_ratios_are_refused():
    with pytest.raises(ExaminationError):
        examination.finding("hot-skin")
    with pytest.raises(ExaminationError):
        rank(SHOULDER, findings={("teres-minor", "right"): {"hot-skin": True}})
    with pytest.raises(DrawingError):
        rank(SHOULDER, findings={("teres-minor", "middle"): {"local-twitch": True}})
    with pytest.raises(ExaminationError, match="must not count against"):
        parse({"finding": {"x": {"label": "x", "lr_present": 0.5, "lr_absent": 0.9}}})
    assert math.log(examination.finding("recognised-pain").lr_present) > 0


POSITIVE = {"spot-tenderness": True, "recognised-pain": True, "referred-pain": True}
NEGATIVE = {"spot-tenderness": False, "recognised-pain": False, "referred-pain": False}


def test_findings_move_every_candidate_monotonically_on_the_published_drawings():
    """Property: for every published case's drawing and every listed candidate, a positive finding
    set raises its likelihood and never worsens its rank; a negative set lowers it and never improves
    it. (The evaluation's "with findings" figure relies on this reaching the ranking.)"""
    from referral import literature
    checked = 0
    for case in literature.cases():
        listed = rank(case.drawing)
        for candidate in listed[:4] + listed[-2:]:
            key = (candidate.muscle, candidate.side)
            up = next(c for c in rank(case.drawing, findings={key: POSITIVE}) if (c.muscle, c.side) == key)
            down = next(c for c in rank(case.drawing, findings={key: NEGATIVE}) if (c.muscle, c.side) == key)
            assert up.score > candidate.score > down.score, (case.id, key)
            assert up.rank <= candidate.rank <= down.rank, (case.id, key)
            checked += 1
    assert checked > 100


def test_a_muscle_with_a_positive_finding_is_listed_even_if_it_explains_no_mark():
    head = [Place("head.temple", "right")]
    assert "vastus-medialis" not in {c.muscle for c in rank(head)}
    found = rank(head, findings={("vastus-medialis", "right"): {"spot-tenderness": True}})
    assert ("vastus-medialis", "right") in {(c.muscle, c.side) for c in found}
    denied = rank(head, findings={("vastus-medialis", "right"): {"spot-tenderness": False}})
    assert "vastus-medialis" not in {c.muscle for c in denied}


def test_findings_multiply_only_the_examined_muscle_by_their_likelihood_ratios():
    """On every published drawing: positive findings on one muscle multiply its likelihood against
    every other candidate by exactly the product of their ratios; the others keep their order and
    their ratios to one another."""
    from referral import literature

    recorded = {"spot-tenderness": True, "recognised-pain": True, "local-twitch": False}
    product = math.prod(examination.finding(code).lr_present if present else examination.finding(code).lr_absent
                        for code, present in recorded.items())
    for case in literature.cases():
        before = {(c.muscle, c.side): c.score for c in rank(case.drawing)}
        examined = list(before)[len(before) // 2]  # a middle candidate: the property holds for any
        after = {(c.muscle, c.side): c.score for c in rank(case.drawing, findings={examined: recorded})}
        assert after.keys() == before.keys(), case.id
        for other in before:
            if other == examined:
                continue
            moved = (after[examined] / after[other]) / (before[examined] / before[other])
            assert moved == pytest.approx(product, rel=1e-9), (case.id, other)
            for third in before:
                if third not in (examined, other):
                    assert after[third] / after[other] == pytest.approx(before[third] / before[other], rel=1e-9)
