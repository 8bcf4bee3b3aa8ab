import pytest

from anatomy import vocabulary
from anatomy.vocabulary import Place
from referral.evaluation import Vignette, evaluate, vignettes
from referral.knowledge import knowledge_base


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


def test_vignettes_name_the_published_cases():
    sources = " ".join(v.source for v in vignettes())
    for author in ("Kwon", "Jalil", "Green", "Fernández-de-las-Peñas"):
        assert author in sources


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


def test_the_ranker_meets_the_evaluation_thresholds():
    report = evaluate()
    assert report.cases == len(vignettes())
    assert report.top3 >= 0.9
    assert report.top1 >= 0.75
    assert report.mrr >= 0.8
    assert report.top1 <= report.top3 <= 1.0


def test_report_arithmetic_on_hand_made_cases():
    temple = (Place("head.temple", "left"), Place("head.behind-ear", "left"), Place("neck.side", "left"))
    right = Vignette("right-side", temple, "upper-trapezius", "left", "test")
    wrong_side = Vignette("wrong-side", temple, "upper-trapezius", "right", "test")
    report = evaluate((right, wrong_side))
    assert report.outcomes[0].rank == 1
    assert report.outcomes[1].rank > 3
    assert report.top1 == report.top3 == 0.5
    assert report.mrr == pytest.approx((1 + 1 / report.outcomes[1].rank) / 2)
    assert [o.vignette.id for o in report.misses(1)] == ["wrong-side"]
    data = report.to_dict()
    assert data["cases"] == 2 and data["misses"][0]["expected"] == "upper-trapezius:right"


def test_empty_report_is_zero_not_an_error():
    report = evaluate(())
    assert (report.cases, report.top1, report.top3, report.mrr) == (0, 0.0, 0.0, 0.0)


def test_a_broken_vignette_file_is_reported(tmp_path):
    path = tmp_path / "vignettes.toml"
    path.write_text(
        '[[vignette]]\nid = "x"\ndrawing = ["neck.angle"]\nexpected = "upper-trapezius"\n'
        'expected_side = "left"\nsource = "test"\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="Vignette 'x'.*needs a side"):
        vignettes(path)


def test_textbook_and_published_vignettes_are_reported_apart():
    report = evaluate()
    textbook, published = report.subset(textbook=True), report.subset(textbook=False)
    assert textbook.cases + published.cases == report.cases
    assert published.cases >= 5, "Kwon, Jalil, Green and the news case are patients, not textbook drawings"
    published_ids = {o.vignette.id for o in published.outcomes}
    assert {"shoulder-infraspinatus-kwon-right", "buttock-gluteus-medius-green-right"} <= published_ids
    figures = report.to_dict()
    assert figures["published_cases"]["cases"] == published.cases
