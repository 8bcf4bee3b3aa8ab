import dataclasses

import pytest

from anatomy import vocabulary
from anatomy.vocabulary import Place
from referral import evaluation, literature
from referral.evaluation import TARGETS, Vignette, evaluate, evaluate_published, evaluate_vignettes, vignettes
from referral.knowledge import knowledge_base
from referral.ranking import rank


def test_there_are_enough_vignettes_and_they_are_valid():
    cases = vignettes()
    assert len(cases) >= 45
    assert len({v.id for v in cases}) == len(cases)
    for vignette in cases:
        assert vignette.drawing, vignette.id
        assert vignette.expected in vocabulary.muscles()
        assert vignette.expected_side in ("left", "right")
        assert vignette.source.strip(), vignette.id


def test_vignettes_cover_the_whole_body_and_both_sides():
    cases = vignettes()
    groups = {vocabulary.muscle(v.expected).group for v in cases}
    assert len(groups) >= 12, groups
    regions = {vocabulary.region(p.region).group for v in cases for p in v.drawing}
    assert {"head", "face", "neck", "shoulder", "arm", "hand", "back", "buttock", "thigh", "knee", "leg", "foot"} <= regions
    sides = [v.expected_side for v in cases]
    assert sides.count("left") >= 20 and sides.count("right") >= 20


def test_vignettes_are_textbook_drawings_only():
    """Drawings from published patients live apart, in published_cases.toml."""
    assert all("textbook-pattern" in v.note for v in vignettes())
    published_ids = {c.id for c in literature.cases()}
    assert not published_ids & {v.id for v in vignettes()}


def test_many_vignettes_are_partial_drawings_not_copies_of_the_pattern():
    """Patients rarely mark every zone: the evaluation must not be trivially circular."""
    partial = with_extra = 0
    for vignette in vignettes():
        pattern = knowledge_base()[vignette.expected]
        zone_codes = set(pattern.essential) | set(pattern.spillover)
        marked = {p.region for p in vignette.drawing}
        partial += not zone_codes <= marked
        with_extra += bool(marked - zone_codes - set(pattern.trigger_point_regions) - set(pattern.midline)
                           - set(pattern.contralateral))
    assert partial >= len(vignettes()) * 0.6
    assert with_extra >= 3


def test_the_textbook_figures_meet_their_target():
    report = evaluate_vignettes()
    assert report.cases == len(vignettes())
    assert report.top1 >= TARGETS["textbook"]["top1"]
    assert report.top3 >= TARGETS["textbook"]["top3"]
    assert report.top1 <= report.top3 <= 1.0


def test_report_arithmetic_on_hand_made_cases():
    temple = (Place("head.temple", "left"), Place("head.behind-ear", "left"), Place("neck.side", "left"))
    right = Vignette("right-side", temple, "upper-trapezius", "left", "test")
    wrong_side = Vignette("wrong-side", temple, "upper-trapezius", "right", "test")
    report = evaluate_vignettes((right, wrong_side))
    assert report.outcomes[0].rank == 1
    assert report.outcomes[1].rank is None  # a right trapezius explains none of left-sided pain: not listed
    assert report.top1 == report.top3 == 0.5
    assert report.mrr == pytest.approx(0.5)
    assert [o.id for o in report.misses(1)] == ["wrong-side"]
    data = report.to_dict()
    assert data["cases"] == 2 and data["misses"][0]["expected"] == "upper-trapezius:right"
    assert sum(row["cases"] for row in data["reliability"]) == 2


def test_empty_report_is_zero_not_an_error():
    report = evaluate_vignettes(())
    assert (report.cases, report.top1, report.top3, report.mrr) == (0, 0.0, 0.0, 0.0)
    assert evaluate_published(()).figures()["brier"] == 0.0


def test_a_broken_vignette_file_is_reported(tmp_path):
    path = tmp_path / "vignettes.toml"
    path.write_text(
        '[[vignette]]\nid = "x"\ndrawing = ["neck.angle"]\nexpected = "upper-trapezius"\n'
        'expected_side = "left"\nsource = "test"\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="Vignette 'x'.*needs a side"):
        vignettes(path)


# -- published cases, leave-one-publication-out ------------------------------------------------


def test_a_case_never_scores_a_variant_from_its_own_publication():
    for case in literature.cases():
        if not case.rankable:
            continue
        for candidate in rank(case.drawing, exclude=frozenset({case.publication})):
            for reported in candidate.explained_reported:
                assert case.publication not in reported.publications, (case.id, candidate.muscle)


def test_leave_one_publication_out_removes_a_single_report():
    """The mirror-image toothache is documented by one publication only: out of its own evaluation
    the left masseter cannot explain right-sided tooth pain; with the report it can."""
    case = next(c for c in literature.cases() if c.id == "masseter-mirror-tooth")
    with_report = {(c.muscle, c.side) for c in rank(case.drawing)}
    without = {(c.muscle, c.side) for c in rank(case.drawing, exclude=frozenset({case.publication}))}
    assert ("masseter", "left") in with_report and ("masseter", "left") not in without
    outcome = next(o for o in evaluate_published().outcomes if o.id == case.id)
    assert outcome.rank is None


def test_cases_the_vocabulary_cannot_name_count_as_misses():
    unrankable = [c for c in literature.cases() if not c.rankable]
    report = evaluate_published(unrankable)
    assert all(o.rank is None and o.top == () for o in report.outcomes)


def test_findings_never_lower_the_culprit():
    plain = {o.id: o.rank for o in evaluate_published().outcomes}
    after = evaluate_published(with_findings=True)
    assert after.cases == sum(1 for c in literature.cases() if c.findings)
    for outcome in after.outcomes:
        if plain[outcome.id] is not None:
            assert outcome.rank is not None and outcome.rank <= plain[outcome.id], outcome.id


def test_evaluate_reports_the_three_sets_with_calibration():
    data = evaluate().to_dict()
    assert {"textbook_vignettes", "published_cases_lopo", "published_cases_with_findings"} <= data.keys()
    assert data["published_cases_lopo"]["cases"] == len(literature.cases())
    for part in ("textbook_vignettes", "published_cases_lopo"):
        assert 0.0 <= data[part]["brier"] <= 1.0
        assert sum(row["cases"] for row in data[part]["reliability"]) == data[part]["cases"]


def test_every_miss_has_a_reason_that_holds():
    """`make eval` says why each published case is missed; each reason is checked against the rankings."""
    first = {o.id: o.rank for o in evaluate_published().outcomes}
    for case in literature.cases():
        miss = evaluation.diagnose(case)
        if not case.rankable or first[case.id] == 1:
            assert miss is None, case.id
            continue
        assert miss.rank == first[case.id], case.id
        culprit, winner = miss.culprit, miss.winner
        if miss.reason in (evaluation.OWN_PUBLICATION_ONLY, evaluation.PATTERN_LACKS_MARKS):
            assert not culprit.explains_anything and miss.rank is None
            # with its own publication's variants back, the culprit explains a mark iff they are the reason
            unexcluded = {(c.muscle, c.side) for c in rank(case.drawing)}
            assert ((culprit.muscle, culprit.side) in unexcluded) == (miss.reason == evaluation.OWN_PUBLICATION_ONLY)
        elif miss.reason == evaluation.RIVAL_EXPLAINS_MORE:
            assert set(winner.unexplained) < set(culprit.unexplained)
        elif miss.reason == evaluation.RIVAL_STRONGER_ZONES:
            assert len(winner.explained_essential) > len(culprit.explained_essential)
        elif miss.reason == evaluation.BROADER_PATTERN:
            assert culprit.log_odds < winner.log_odds
        else:
            assert culprit.log_odds >= winner.log_odds
            assert (culprit.score == winner.score) == (miss.reason == evaluation.TIED), case.id


def test_a_miss_names_the_variants_only_its_own_publication_documents():
    case = next(c for c in literature.cases() if c.id == "masseter-mirror-tooth")
    miss = evaluation.diagnose(case)
    assert miss.reason == evaluation.OWN_PUBLICATION_ONLY
    assert miss.own_variants == ("face.lower-teeth:right",) and (miss.culprit.muscle, miss.culprit.side) == ("masseter", "left")


def test_findings_of_a_case_without_a_side_go_to_every_side_it_draws():
    """A publication that names no side: its findings are recorded on each side the drawing marks
    (both for a bilateral drawing), not on one side picked by default."""
    both = next(c for c in literature.cases() if c.id == "levator-scapulae-neck-headache")
    assert set(evaluation._case_findings(both)) == {("levator-scapulae", "left"), ("levator-scapulae", "right")}
    sided = next(c for c in literature.cases() if c.side in ("left", "right") and c.findings)
    assert {side for _, side in evaluation._case_findings(sided)} == {sided.side}
    left_only = dataclasses.replace(both, drawing=tuple(p for p in both.drawing if p.side == "left"))
    assert {side for _, side in evaluation._case_findings(left_only)} == {"left"}


def test_what_a_publication_reports_of_other_muscles_is_recorded_beside_the_culprits_findings():
    """A case's `[[case.examined]]` rows (a rival palpated and found non-tender) reach the ranker with
    the culprit's own findings, and a rival's absent finding lowers that rival."""
    case = next(c for c in literature.cases() if c.side in ("left", "right") and c.findings)
    rival = next(c.muscle for c in rank(list(case.drawing), top=5) if c.muscle not in case.muscles)
    examined = literature.Examined(muscle=rival, side="same", present=(), absent=("spot-tenderness",), note="")
    with_rival = dataclasses.replace(case, examined=(examined,))
    recorded = evaluation._case_findings(with_rival)
    assert recorded[(rival, case.side)] == {"spot-tenderness": False}
    assert all(recorded[(m, case.side)] == {code: True for code in case.findings}
               for m in case.muscles if m in vocabulary.muscles())
    def likelihood(findings):
        return next(c.score for c in rank(list(case.drawing), findings=findings)
                    if (c.muscle, c.side) == (rival, case.side))
    assert likelihood(recorded) < likelihood(evaluation._case_findings(case))
    assert evaluation._case_findings(dataclasses.replace(case, findings=(), examined=(examined,))) == {
        (rival, case.side): {"spot-tenderness": False}}
