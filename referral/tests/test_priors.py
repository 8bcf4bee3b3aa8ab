"""The prior frequency of active trigger points, used for one-region drawings."""
import math

import pytest

from anatomy.vocabulary import Place
from referral import calibration, priors, ranking


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


@pytest.mark.parametrize("prior_regions, named", [(1, []), (2, ["bron-2011", "monclus-diez-2025"])])
def test_a_two_region_drawing_names_its_prior_sources_when_the_prior_orders_it(prior_regions, named):
    two = [Place("scapula.body", "right"), Place("back.lumbar", "right")]
    found = ranking.assess(two, parameters=calibration.Parameters(prior_regions=prior_regions))
    assert not found.sparse and [s.id for s in found.prior_studies] == named
    three = [*two, Place("shoulder.front", "right")]
    assert ranking.assess(three, parameters=calibration.Parameters(prior_regions=2)).prior_studies == ()
    unweighted = calibration.Parameters(prior_regions=2, prior_weight=0.0)
    assert ranking.assess(two, parameters=unweighted).prior_studies == ()


@pytest.fixture
def fresh_priors():
    priors.mean_log_relative_prior.cache_clear()
    yield
    priors.mean_log_relative_prior.cache_clear()


def test_the_prior_moves_a_sparse_ranking_and_only_that(monkeypatch, fresh_priors):
    """The prior counts on a drawing of at most `prior_regions` regions, weighted by prior_weight."""
    one = [Place("scapula.body", "right")]
    two = [Place("scapula.body", "right"), Place("shoulder.front", "right")]
    up_to_one, up_to_two = (calibration.Parameters(prior_weight=1.0, prior_regions=n) for n in (1, 2))
    unweighted = calibration.Parameters(prior_weight=0.0, prior_regions=2)
    evidence_before = ranking.explain(one, "infraspinatus", "right", parameters=up_to_one).log_odds

    def scores(drawing, parameters):
        return ranking.explain(drawing, "infraspinatus", "right", parameters=parameters).score

    plain = {(len(d), p): scores(d, p) for d in (one, two) for p in (up_to_one, up_to_two, unweighted)}
    monkeypatch.setattr(priors, "log_relative_prior", lambda muscle, place: 2.0 if muscle == "infraspinatus" else 0.0)
    priors.mean_log_relative_prior.cache_clear()
    assert scores(one, up_to_one) > plain[(1, up_to_one)]
    assert scores(two, up_to_two) > plain[(2, up_to_two)]
    assert scores(two, up_to_one) == pytest.approx(plain[(2, up_to_one)])  # two regions, prior only up to one
    assert scores(two, unweighted) == pytest.approx(plain[(2, unweighted)])  # weight 0
    # the prior is added after the drawing's evidence, not into it
    assert ranking.explain(one, "infraspinatus", "right", parameters=up_to_one).log_odds == evidence_before


def test_a_region_no_study_covers_does_not_dilute_the_prior():
    covered = priors.mean_log_relative_prior("infraspinatus", ("scapula.body",))
    assert covered != 0
    assert priors.mean_log_relative_prior("infraspinatus", ("scapula.body", "foot.heel")) == covered
    assert priors.mean_log_relative_prior("infraspinatus", ("foot.heel",)) == 0.0


def test_a_wrong_prevalence_table_is_rejected():
    bad = {"study": {"x": {"citation": "c", "population": "p", "regions": ["neck.side"], "active": {"biceps": 0.5}}}}
    with pytest.raises(ValueError, match="unknown muscle 'biceps'"):
        priors.parse(bad)
    share = {"study": {"x": {"citation": "c", "population": "p", "regions": ["neck.side"], "active": {"scalenes": 1.5}}}}
    with pytest.raises(ValueError, match="share must be"):
        priors.parse(share)
