"""The expected course of trigger point injections, as plain functions.

Verdicts are enum values and numbers; safety/present.py words them (response_label, due_label,
response_explanation) in every language.

Our patient education tells patients that sessions are about two weeks apart (by the clinician's
preference) and that many feel little change before the third session. So response is not judged
before the third session held (a session without a pain score still counts: the patient had it);
from then on the latest score is compared with the first (the baseline) using the IMMPACT thresholds (Dworkin et al., J Pain 2008;9:105-121): a fall of at least 30% is a
moderately important change, at least 50% a substantial one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

JUDGE_FROM_SESSION = 3
RESPONDING_REDUCTION = 30
SUBSTANTIAL_REDUCTION = 50
DUE_SOON_DAYS = 7


class Response(str, Enum):
    NO_DATA = "no-data"
    NO_PAIN = "no-pain"  # baseline and latest both 0: nothing to reduce, not a missing score
    TOO_EARLY = "too-early"
    SUBSTANTIAL = "substantial"
    RESPONDING = "responding"
    NOT_RESPONDING = "not-responding"

    @property
    def tone(self) -> str:
        return {
            Response.SUBSTANTIAL: "ok", Response.RESPONDING: "ok", Response.NOT_RESPONDING: "bad",
        }.get(self, "muted")


@dataclass(frozen=True)
class ResponseJudgement:
    response: Response
    sessions: int
    baseline: int | None
    latest: int | None
    reduction_pct: float | None
    judge_from: int = JUDGE_FROM_SESSION  # the session response is first judged at


def pain_reduction_pct(baseline: int, latest: int) -> float | None:
    """Percent fall from baseline; None when baseline is 0 (nothing to fall from)."""
    if baseline <= 0:
        return None
    return (baseline - latest) * 100.0 / baseline


def judge_response(pain_before_by_session: list[int | None]) -> ResponseJudgement:
    """Judge the course from each session's pre-injection pain (None: not scored), in session order.

    Pre-injection pain is used because the score after the needle mostly shows the local
    anaesthetic, not durable change. Every session held counts towards the third-session rule;
    the baseline is the first score given and the latest the last one.
    """
    sessions = len(pain_before_by_session)
    scores = [score for score in pain_before_by_session if score is not None]
    if not scores:
        return ResponseJudgement(Response.NO_DATA, sessions, None, None, None)
    baseline, latest = scores[0], scores[-1]
    reduction = pain_reduction_pct(baseline, latest)
    if baseline == 0 and latest == 0:
        verdict = Response.NO_PAIN
    elif sessions < JUDGE_FROM_SESSION:
        verdict = Response.TOO_EARLY
    elif reduction is None:
        verdict = Response.NOT_RESPONDING  # from 0 to some pain: worse
    elif reduction >= SUBSTANTIAL_REDUCTION:
        verdict = Response.SUBSTANTIAL
    elif reduction >= RESPONDING_REDUCTION:
        verdict = Response.RESPONDING
    else:
        verdict = Response.NOT_RESPONDING
    return ResponseJudgement(verdict, sessions, baseline, latest, reduction)


def next_due(last_session: date | None, interval_days: int, course_start: date | None = None) -> date | None:
    """Next session = last session + the course's interval; the first is due when the course starts."""
    if last_session is None:
        return course_start
    return last_session + timedelta(days=interval_days)


class DueStatus(str, Enum):
    SCHEDULED = "scheduled"
    OVERDUE = "overdue"
    DUE = "due"
    UPCOMING = "upcoming"
    NOT_SCHEDULED = "not-scheduled"
    COMPLETE = "complete"

    @property
    def tone(self) -> str:
        return {DueStatus.OVERDUE: "bad", DueStatus.DUE: "warn", DueStatus.NOT_SCHEDULED: "warn",
                DueStatus.SCHEDULED: "ok", DueStatus.COMPLETE: "info"}.get(self, "muted")


def due_status(today: date, due: date | None, scheduled_on: date | None, sessions_done: int,
               planned_sessions: int) -> DueStatus:
    """Where a course stands on the worklist."""
    if planned_sessions and sessions_done >= planned_sessions:
        return DueStatus.COMPLETE
    if scheduled_on is not None:
        return DueStatus.SCHEDULED
    if due is None or sessions_done == 0:
        return DueStatus.NOT_SCHEDULED
    if due < today:
        return DueStatus.OVERDUE
    if due <= today + timedelta(days=DUE_SOON_DAYS):
        return DueStatus.DUE
    return DueStatus.UPCOMING
