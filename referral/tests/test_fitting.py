"""The nested fit of the drawing model's parameters on the published cases: its counts are the
ranker's, its loss is the ranker's likelihood, a fold never sees the publication it holds out, and
the shipped values are the fit on all cases, read from calibration.toml."""
import dataclasses
import math

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from referral import calibration, evaluation, fitting, literature, ranking
from referral.management.commands import referral_eval as command
from referral.calibration import Parameters

SOME = (
    Parameters(),
    Parameters(p_essential=0.4, p_spillover=0.3, p_local=0.4, p_report=0.05, unmarked_weight=0.1, prior_weight=2.0,
               prior_regions=2),
    Parameters(p_essential=0.8, p_spillover=0.1, p_local=0.05, p_report=0.3, unmarked_weight=1.0, prior_weight=0.5,
               prior_regions=1),
)
OTHER = "jalil-2010"  # a publication that is the source of variants of other cases' muscles


def _rankable():
    return [case for case in literature.cases() if case.rankable]


@pytest.mark.parametrize("parameters", SOME)
def test_the_fitters_counts_give_the_rankers_evidence(parameters):
    """For every case, each candidate the fitter keeps has the log-odds and the prior the ranker
    gives it, with the case's own publication and another one excluded."""
    gains, penalties = fitting._coefficients(parameters)
    base = math.log((1 - ranking.PRIOR_UNEXPLAINED) / len(fitting._space()[0]))
    for case in _rankable():
        exclude = frozenset({case.publication, OTHER})
        reduced = fitting._case(case, exclude)
        found = ranking.evidence(case.drawing, exclude=exclude, parameters=parameters)
        assert {row.number for row in reduced.rows if row.touched} == found.touched
        for row in reduced.rows:
            assert fitting.log_odds(row, gains, penalties, base) == pytest.approx(found.log_odds[row.number], abs=1e-9)
            sparse = reduced.marks <= parameters.prior_regions and row.touched
            prior = parameters.prior_weight * row.log_prior if sparse else 0.0
            assert prior == pytest.approx(found.extra[row.number], abs=1e-12)


@pytest.mark.parametrize("parameters", SOME)
@pytest.mark.parametrize("temperature", (0.5, 1.0, 2.5))
def test_the_fit_loss_is_the_rankers_likelihood_of_the_culprit(parameters, temperature):
    """Per case: minus the log of the summed calibrated likelihood of every acceptable muscle and
    side, over all candidates and the unexplained hypothesis (calibration.probabilities)."""
    for case in _rankable()[:12]:
        exclude = frozenset({case.publication})
        found = ranking.evidence(case.drawing, exclude=exclude, parameters=parameters)
        every = calibration.probabilities(found.item(None), temperature)
        culprit = math.fsum(every[n] for candidate, n in found.model.numbers.items() if case.matches(*candidate))
        loss = fitting._loss([fitting._case(case, exclude)], parameters, temperature)
        assert loss == pytest.approx(-math.log(max(culprit, calibration.FLOOR)), rel=1e-9)


def _changed_culprit(cases, publication):
    """The cases with the culprit of `publication`'s cases swapped for another muscle."""
    out = []
    for case in cases:
        if case.publication == publication:
            other = "gluteus-maximus" if "gluteus-maximus" not in case.muscles else "temporalis"
            case = dataclasses.replace(case, muscles=(other,), side="left")
        out.append(case)
    return tuple(out)


@pytest.mark.parametrize("publication", ["kim-2006", "daub-2007", OTHER])
def test_a_fold_never_sees_the_publication_it_holds_out(publication):
    """Changing the held-out publication's culprits changes nothing its fold chooses, while the fit
    that does see them (all cases) is fitted on a different loss."""
    cases = literature.cases()
    changed = _changed_culprit(cases, publication)
    assert fitting.fit(changed, publication) == fitting.fit(cases, publication)
    seen_before, seen_after = fitting.training_cases(cases), fitting.training_cases(changed)
    assert fitting._loss(seen_before, Parameters(), 1.0) != fitting._loss(seen_after, Parameters(), 1.0)
    inside = fitting.training_cases(cases, publication)
    assert len(inside) == sum(1 for c in _rankable() if c.publication != publication)


def test_a_fold_scores_its_training_cases_without_the_held_out_variants():
    """Inside a fold, a training case whose muscle has a variant from the held-out publication is
    reduced with that variant removed, as if the held-out publication did not exist."""
    for case in _rankable():
        if case.publication == OTHER:
            continue
        inside = fitting._case(case, frozenset({case.publication, OTHER}))
        found = ranking.evidence(case.drawing, exclude=frozenset({case.publication, OTHER}))
        assert {row.number for row in inside.rows if row.touched} == found.touched


def test_the_fit_is_a_grid_point_no_single_move_improves():
    """No single move lowers the loss, unless it would drop the textbook vignettes below their floor."""
    found = fitting.fit(admissible=evaluation.vignettes_hold)
    training = fitting.training_cases(literature.cases())
    assert found.loss == pytest.approx(fitting._loss(training, found.parameters, found.temperature), abs=1e-8)
    assert evaluation.vignettes_hold(found.parameters)
    for name, values in fitting.GRID.items():
        assert getattr(found.parameters, name) in values
        for value in values:
            moved = dataclasses.replace(found.parameters, **{name: value})
            assert (fitting._loss(training, moved, found.temperature) >= found.loss - 1e-8
                    or not evaluation.vignettes_hold(moved))
    for temperature in fitting.TEMPERATURES:
        assert fitting._loss(training, found.parameters, temperature) >= found.loss - 1e-8
    assert found.loss <= fitting._loss(training, fitting.START, fitting.START_TEMPERATURE)


def test_the_shipped_values_are_the_fit_on_all_published_cases():
    found = fitting.fit(admissible=evaluation.vignettes_hold)
    assert calibration.settings().parameters == found.parameters
    assert calibration.settings().temperature == found.temperature


def test_the_published_figures_use_each_folds_own_fit(monkeypatch):
    """evaluate_published ranks each case with its fold's parameters, not the shipped ones."""
    cases = [c for c in _rankable() if c.publication in ("kim-2006", "daub-2007")]
    # fitted before the spy goes in: a cold fit ranks the textbook vignettes (vignettes_hold) too
    folds = [fitting.fold(c.publication, admissible=evaluation.vignettes_hold) for c in cases]
    seen = []
    real = evaluation.rank

    def spy(drawing, *args, **kwargs):
        seen.append((kwargs["parameters"], kwargs["temperature"]))
        return real(drawing, *args, **kwargs)

    monkeypatch.setattr(evaluation, "rank", spy)
    evaluation.evaluate_published(cases)
    assert seen == [(f.parameters, f.temperature) for f in folds]


def test_the_ranker_reads_the_shipped_values_from_the_file(monkeypatch, tmp_path):
    """Change a marking probability in calibration.toml: the ranking changes with it."""
    drawing = ["neck.angle:left", "head.eye:left"]
    before = ranking.explain(drawing, "upper-trapezius", "left")
    path = tmp_path / "calibration.toml"
    path.write_text(calibration.CALIBRATION_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    calibration.write_setting("p_local", 0.05, path)
    read = calibration.settings(path)
    monkeypatch.setattr(calibration, "settings", lambda: read)
    after = ranking.explain(drawing, "upper-trapezius", "left")
    assert after.log_odds < before.log_odds  # the site now says less
    assert after.explained_local == before.explained_local


def test_refitting_refuses_values_that_drop_the_vignettes_below_their_floor(monkeypatch):
    written = []
    monkeypatch.setattr(calibration, "write_fit", lambda *args, **kwargs: written.append(args))
    monkeypatch.setitem(evaluation.TARGETS["textbook"], "top1", 1.01)
    with pytest.raises(CommandError, match="textbook vignettes"):
        call_command("referral_eval", "--fit", "--json")
    assert written == []


def test_refitting_writes_the_fit_on_all_cases(monkeypatch):
    written = []
    monkeypatch.setattr(calibration, "write_fit", lambda *args, **kwargs: written.append(args))
    monkeypatch.setattr(command, "evaluate", _stop)  # only the fit, not the figures
    with pytest.raises(_Stop):
        call_command("referral_eval", "--fit", "--json")
    found = fitting.fit(admissible=evaluation.vignettes_hold)
    assert written[0][:2] == (found.parameters, found.temperature)
    assert f"{len(_rankable())} cases" in written[0][2]
    assert written[0][4] == fitting.grid_text() and all(name in written[0][4] for name in fitting.GRID)


class _Stop(Exception):
    pass


def _stop():
    raise _Stop


def test_the_fit_never_takes_a_move_that_drops_the_vignettes_below_their_floor():
    """With every move refused, the fit stays at the hand-set start; with none refused it moves on."""
    refused = fitting.fit(admissible=lambda parameters: parameters == fitting.START)
    assert refused.parameters == fitting.START
    assert fitting.fit().parameters != fitting.START
