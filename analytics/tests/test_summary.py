"""The figures the database computes equal the same figures worked out in Python, row by row.

Python here is the reference (slow, obvious); the summary is what the page uses. The suite runs on
SQLite and PostgreSQL, so both databases are held to the same reference.
"""
from collections import Counter
from datetime import date, datetime, time, timedelta
from statistics import median

import pytest
from django.utils import timezone

from analytics import outcomes, summary, synth
from analytics.models import CourseOutcome
from safety.models import AdverseEvent
from treatment import course_rules
from treatment.models import Course, Injection, Session

TODAY = date(2026, 3, 2)
GOOD = {course_rules.Response.RESPONDING, course_rules.Response.SUBSTANTIAL}
# synth(50, seed=5, today=TODAY)'s report; change it only when the generator or a definition changes.
GOLDEN_SEED_5 = {
    "totals": {"courses": 75, "evaluable": 74, "r30": 43, "r50": 24, "responded": 47, "injections": 898},
    "by_session": [("1", 75, 0, 0), ("2", 74, 17, 0), ("3", 74, 28, 4), ("4", 62, 34, 7), ("5", 52, 35, 12),
                   ("6", 46, 41, 14), ("7", 38, 33, 13), ("8", 37, 34, 18), ("9", 25, 25, 12), ("10", 25, 25, 12),
                   ("11", 11, 11, 7), ("12", 11, 11, 7)],
    "median_days": 28.0,
    "events": [("bleeding", 2), ("flare", 14), ("vasovagal", 5)],
}


@pytest.fixture
def clinic(db):
    synth.synthesize(60, seed=3, today=TODAY)
    summary.refresh()


def signed_pain(course):
    return [(timezone.localdate(s.performed_at), s.pain_before) for s in course.signed_sessions()]


def fell(baseline, pain, percent):
    return baseline > 0 and (baseline - pain) * 100 >= percent * baseline


def reference(courses, keep=lambda course: True):
    """The report's numbers computed in Python from the clinical rows."""
    verdicts = {}
    by_session = Counter()
    days = []
    for course in courses:
        pains = signed_pain(course)
        if not pains or not keep(course):
            continue
        verdicts[course.pk] = course.response().response
        baseline = pains[0][1]
        for k, (_, pain) in enumerate(pains, start=1):
            by_session[(k, "n")] += 1
            by_session[(k, 30)] += fell(baseline, pain, 30)
            by_session[(k, 50)] += fell(baseline, pain, 50)
        first_good = next((day for day, pain in pains[1:] if fell(baseline, pain, 30)), None)
        if first_good:
            days.append((first_good - pains[0][0]).days)
    return verdicts, by_session, days


def all_courses():
    return list(Course.objects.prefetch_related("sessions"))


def test_course_verdicts_are_the_course_pages_verdicts(clinic):
    for course in all_courses():
        if not course.signed_sessions():
            assert not CourseOutcome.objects.filter(course_id=course.pk).exists()
            continue
        row = CourseOutcome.objects.get(course_id=course.pk)
        verdict = course.response().response
        judged = verdict not in {course_rules.Response.NO_DATA, course_rules.Response.TOO_EARLY}
        assert (row.evaluable, row.responder30, row.responder50) == (
            int(judged), int(verdict in GOOD), int(verdict == course_rules.Response.SUBSTANTIAL)), course.pk


def test_report_equals_the_python_reference(clinic):
    verdicts, by_session, days = reference(all_courses())
    report = outcomes.report(outcomes.Filters())
    judged = [v for v in verdicts.values() if v not in {course_rules.Response.NO_DATA, course_rules.Response.TOO_EARLY}]
    totals = report["totals"]
    assert totals["courses"] == len(verdicts)
    assert totals["evaluable"] == len(judged)
    assert totals["r30"] == sum(v in GOOD for v in judged)
    assert totals["r50"] == sum(v == course_rules.Response.SUBSTANTIAL for v in judged)
    assert totals["injections"] == Injection.objects.filter(session__status=Session.Status.SIGNED).count()
    for row in report["by_session"]:
        k = int(row["key"])
        assert (row["n"], row["r30"], row["r50"]) == (by_session[(k, "n")], by_session[(k, 30)], by_session[(k, 50)])
    assert report["by_session"][0]["r30"] == 0  # session 1 is the baseline
    assert totals["responded"] == len(days)
    assert report["median_days"] == median(days)


def test_by_clinician_muscle_and_injectate_count_evaluable_courses(clinic):
    report = outcomes.report(outcomes.Filters())
    assert sum(row["n"] for row in report["by_clinician"]) == report["totals"]["evaluable"]
    agents = Counter()
    for course in all_courses():
        if course.response().response in {course_rules.Response.NO_DATA, course_rules.Response.TOO_EARLY}:
            continue
        for agent in {i.agent for s in course.signed_sessions() for i in s.injections.all()}:
            agents[agent] += 1
    assert {row["key"]: row["n"] for row in report["agent"]} == dict(agents)
    assert report["muscle"] and all(row["label"] and row["n"] for row in report["muscle"])


def test_adverse_events_per_thousand_injections(clinic):
    report = outcomes.report(outcomes.Filters())
    injections = report["totals"]["injections"]
    counted = Counter(AdverseEvent.objects.filter(session__status=Session.Status.SIGNED).values_list("kind", flat=True))
    assert {row["key"]: row["events"] for row in report["events"]} == dict(counted)
    for row in report["events"]:
        assert row["per_1000"] == round(1000 * counted[row["key"]] / injections, 2)


def test_filters_by_clinician_and_start_date(clinic):
    course = Course.objects.filter(sessions__status=Session.Status.SIGNED).order_by("id").first()
    start = TODAY - timedelta(days=365)
    first_day = lambda c: signed_pain(c)[0][0]  # noqa: E731

    def keep(c):
        return c.clinician_id == course.clinician_id and first_day(c) >= start

    verdicts, by_session, _ = reference(all_courses(), keep)
    report = outcomes.report(outcomes.Filters(start=start, clinician_id=course.clinician_id))
    assert report["totals"]["courses"] == len(verdicts)
    assert report["by_session"][0]["n"] == by_session[(1, "n")]
    assert [row["key"] for row in report["by_clinician"]] in ([], [str(course.clinician_id)])


def test_a_newly_signed_session_makes_the_summary_stale_and_a_small_clinic_refreshes(clinic):
    state = summary.current()
    assert not state.stale
    before = state.snapshot.refreshed_at
    course = Course.objects.filter(status=Course.Status.ACTIVE, sessions__status=Session.Status.SIGNED).first()
    at = timezone.make_aware(datetime.combine(TODAY, time(9)))
    session = Session.objects.create(course=course, clinician=course.clinician, performed_at=at, pain_before=1,
                                     pain_after=0, consent_recorded=True)
    Session.objects.filter(pk=session.pk).update(status=Session.Status.SIGNED, signed_at=at)
    assert summary.current().snapshot.refreshed_at > before
    assert CourseOutcome.objects.get(course_id=course.pk).latest == 1


def test_a_large_clinic_shows_the_last_summary_as_stale(clinic, monkeypatch):
    monkeypatch.setattr(summary, "INLINE_REFRESH_MAX_SESSIONS", 0)
    AdverseEvent.objects.filter(pk=AdverseEvent.objects.order_by("id").first().pk).delete()
    state = summary.current()
    assert state.stale and state.snapshot is not None


def test_an_empty_clinic_has_an_empty_report(db):
    summary.refresh()
    report = outcomes.report(outcomes.Filters())
    assert report["totals"]["courses"] == 0 and report["median_days"] is None
    assert report["by_session"] == [] and report["events"] == []


@pytest.mark.django_db
def test_the_same_figures_on_every_database():
    """Seed 5's report, pinned: SQLite and PostgreSQL must both compute exactly these numbers."""
    synth.synthesize(50, seed=5, today=TODAY)
    summary.refresh()
    report = outcomes.report(outcomes.Filters())
    found = {
        "totals": {k: report["totals"][k] for k in ("courses", "evaluable", "r30", "r50", "responded", "injections")},
        "by_session": [(row["key"], row["n"], row["r30"], row["r50"]) for row in report["by_session"]],
        "median_days": report["median_days"],
        "events": sorted((row["key"], row["events"]) for row in report["events"]),
    }
    assert found == GOLDEN_SEED_5
