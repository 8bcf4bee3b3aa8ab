from datetime import date

import pytest

from safety import present
from treatment.course_rules import DueStatus, Response, due_status, judge_response, next_due, pain_reduction_pct


def test_no_scores_means_no_data():
    assert judge_response([]).response is Response.NO_DATA


@pytest.mark.parametrize("scores", [[8], [8, 2]])
def test_too_early_before_the_third_session_even_with_big_drops(scores):
    judgement = judge_response(scores)
    assert judgement.response is Response.TOO_EARLY
    assert "judged from session 3" in present.response_explanation(judgement)


@pytest.mark.parametrize(
    "scores, expected, reduction",
    [
        ([8, 6, 4], Response.SUBSTANTIAL, 50.0),       # exactly 50% is substantial
        ([10, 8, 7], Response.RESPONDING, 30.0),       # exactly 30% is responding
        ([7, 6, 5], Response.NOT_RESPONDING, pytest.approx(28.57, abs=0.01)),  # just under 30% is not
        ([6, 6, 6], Response.NOT_RESPONDING, 0.0),
        ([5, 7, 8], Response.NOT_RESPONDING, -60.0),   # worse than baseline
        ([9, 8, 7, 6, 1], Response.SUBSTANTIAL, pytest.approx(88.9, abs=0.1)),
    ],
)
def test_immpact_thresholds_from_the_third_session(scores, expected, reduction):
    judgement = judge_response(scores)
    assert judgement.response is expected
    assert judgement.reduction_pct == reduction
    assert judgement.baseline == scores[0] and judgement.latest == scores[-1]


@pytest.mark.parametrize(
    "scores, expected, sessions, baseline, latest",
    [
        ([8, None, 4], Response.SUBSTANTIAL, 3, 8, 4),   # a session without a score still counts
        ([None, 8, None, 6, 4], Response.SUBSTANTIAL, 5, 8, 4),
        ([8, None], Response.TOO_EARLY, 2, 8, 8),
        ([8, None, None], Response.NOT_RESPONDING, 3, 8, 8),  # latest is the last score given
        ([None, None, None], Response.NO_DATA, 3, None, None),
        ([0, 0, 0], Response.NO_PAIN, 3, 0, 0),           # no pain to reduce, not "no scores"
        ([0, None], Response.NO_PAIN, 2, 0, 0),
        ([0, 3, 0], Response.NO_PAIN, 3, 0, 0),
        ([0, 2, 4], Response.NOT_RESPONDING, 3, 0, 4),    # from no pain to some: worse
    ],
)
def test_sessions_held_count_and_edges(scores, expected, sessions, baseline, latest):
    judgement = judge_response(scores)
    assert (judgement.response, judgement.sessions, judgement.baseline, judgement.latest) == (
        expected, sessions, baseline, latest)
    assert present.response_explanation(judgement)


def test_zero_baseline_has_no_percentage():
    assert pain_reduction_pct(0, 0) is None
    assert "no pain to reduce" in present.response_explanation(judge_response([0, 0, 0]))


def test_next_due_is_last_session_plus_interval():
    assert next_due(date(2026, 1, 30), 14) == date(2026, 2, 13)
    assert next_due(None, 14, date(2026, 3, 1)) == date(2026, 3, 1)


TODAY = date(2026, 6, 10)


@pytest.mark.parametrize(
    "due, scheduled, done, planned, expected",
    [
        (date(2026, 6, 9), None, 1, 3, DueStatus.OVERDUE),
        (TODAY, None, 1, 3, DueStatus.DUE),
        (date(2026, 6, 17), None, 2, 3, DueStatus.DUE),        # 7 days ahead still counts as this week
        (date(2026, 6, 18), None, 2, 3, DueStatus.UPCOMING),
        (date(2026, 6, 9), date(2026, 6, 12), 1, 3, DueStatus.SCHEDULED),
        (date(2026, 6, 20), None, 0, 3, DueStatus.NOT_SCHEDULED),
        (date(2026, 6, 1), None, 3, 3, DueStatus.COMPLETE),
    ],
)
def test_worklist_status(due, scheduled, done, planned, expected):
    assert due_status(TODAY, due, scheduled, done, planned) is expected
