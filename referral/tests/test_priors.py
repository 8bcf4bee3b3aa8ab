"""The prior frequency of active trigger points, used for one-region drawings."""
import math

import pytest

from anatomy.vocabulary import Place
from referral import priors, ranking


def test_studies_cite_their_source_and_cover_their_regions():
    for study in priors.studies():
        assert study.citation and study.url and study.population and study.regions and study.active


def test_relative_prior_is_about_the_median_muscle_of_the_study():
    shoulder = next(s for s in priors.studies() if s.id == "bron-2011")
    assert shoulder.relative("infraspinatus") > 1 > shoulder.relative("upper-trapezius")
    assert priors.log_relative_prior("infraspinatus", "scapula.body") == pytest.approx(math.log(0.77 / 0.675))
    assert priors.log_relative_prior("infraspinatus", "foot.heel") == 0.0  # no study of heel pain
    assert priors.log_relative_prior("teres-minor", "scapula.body") == 0.0  # not examined by the study


def test_one_region_drawings_are_flagged_and_name_their_prior_source():
    one = ranking.assess([Place("scapula.body", "right")])
    assert one.sparse and [s.id for s in one.prior_studies] == ["bron-2011"]
    two = ranking.assess([Place("scapula.body", "right"), Place("shoulder.front", "right")])
    assert not two.sparse and two.prior_studies == ()


def test_the_prior_moves_a_one_region_ranking_and_only_that(monkeypatch):
    region = [Place("scapula.body", "right")]
    before = ranking.explain(region, "infraspinatus", "right").score
    monkeypatch.setattr(priors, "log_relative_prior", lambda muscle, place: 2.0 if muscle == "infraspinatus" else 0.0)
    after = ranking.explain(region, "infraspinatus", "right").score
    assert after > before
    two = [Place("scapula.body", "right"), Place("shoulder.front", "right")]
    assert ranking.explain(two, "infraspinatus", "right").score == pytest.approx(
        ranking.explain(two, "infraspinatus", "right", findings=None).score)


def test_a_wrong_prevalence_table_is_rejected():
    bad = {"study": {"x": {"citation": "c", "population": "p", "regions": ["neck.side"], "active": {"biceps": 0.5}}}}
    with pytest.raises(ValueError, match="unknown muscle 'biceps'"):
        priors.parse(bad)
    share = {"study": {"x": {"citation": "c", "population": "p", "regions": ["neck.side"], "active": {"scalenes": 1.5}}}}
    with pytest.raises(ValueError, match="share must be"):
        priors.parse(share)
