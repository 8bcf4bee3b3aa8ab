"""Outcome figures for the analytics page and its CSV, aggregated by the database from the summary.

Every figure is one aggregation query over the summary's per-day tallies (analytics/summary.py
says what the rows mean), a few rows per day whatever the clinic's size; Python only divides the
counts the database returns. The same filters apply to
everything: courses whose first signed session falls in the date range, of the chosen clinician
(the clinician responsible for the course).

Definitions (also shown on the page):
- responder share by session number k: of the courses that reached a k-th signed session, the
  share whose pain before session k is at least 30% (or 50%) below the pain before session 1.
  Later sessions only include courses that went on, and non-responders usually stop after 3-5.
- responder share by clinician, muscle and injectate: of the evaluable courses (3+ signed
  sessions), the share the course page calls responding (latest pain 30%+ below baseline) or
  substantial (50%+). A course with two muscles or injectates counts under each.
- time to response: median days from session 1 to the first session with a 30% fall, among the
  courses that reached one (the mean of the two middle values when their number is even).
- adverse events per 1,000 injections given in the signed sessions of those courses.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, Sum

from analytics.models import CourseFactor, CourseOutcome, DailyTally
from anatomy import vocabulary
from safety.models import AdverseEvent
from treatment.models import Injection

MAX_SESSION_NUMBER = 12
EPOCH = date(1970, 1, 1)
TOP_MUSCLES = 15


@dataclass(frozen=True)
class Filters:
    start: date | None = None
    end: date | None = None
    clinician_id: int | None = None

    def q(self) -> Q:
        """The filter on a summary row (CourseOutcome or DailyTally)."""
        found = Q()
        if self.start:
            found &= Q(first_day__gte=day_number(self.start))
        if self.end:
            found &= Q(first_day__lte=day_number(self.end))
        if self.clinician_id:
            found &= Q(clinician_id=self.clinician_id)
        return found


def day_number(day: date) -> int:
    """The summary's day numbers: days since 1970-01-01 (analytics.dbfuncs.DayNumber)."""
    return (day - EPOCH).days


def share(part: int | None, whole: int | None) -> float | None:
    return round(100.0 * (part or 0) / whole, 1) if whole else None


def _group(label: str, n: int, r30: int | None, r50: int | None, key: str = "") -> dict:
    return {"key": key or label, "label": label, "n": n, "r30": r30 or 0, "r50": r50 or 0,
            "share30": share(r30, n), "share50": share(r50, n)}


def _tally(section: str, filters: Filters):
    return DailyTally.objects.filter(filters.q(), section=section)


def by_session(filters: Filters) -> list[dict]:
    rows = _tally("session", filters).values("key").annotate(n=Sum("n"), r30=Sum("r30"), r50=Sum("r50")).order_by()
    numbered = sorted((int(row["key"]), row) for row in rows)  # a dozen aggregated rows, sorted by number
    return [_group(str(number), row["n"], row["r30"], row["r50"]) for number, row in numbered
            if number <= MAX_SESSION_NUMBER]


def totals(filters: Filters) -> dict:
    found = _tally("course", filters).aggregate(
        courses=Sum("n"), evaluable=Sum("evaluable"), r30=Sum("r30"), r50=Sum("r50"),
        responded=Sum("responded"), injections=Sum("injections"),
    )
    found = {key: value or 0 for key, value in found.items()}
    found["share30"], found["share50"] = share(found["r30"], found["evaluable"]), share(found["r50"], found["evaluable"])
    return found


def by_clinician(filters: Filters) -> list[dict]:
    rows = (_tally("course", filters)
            .values("clinician_id", "clinician__first_name", "clinician__last_name", "clinician__username")
            .annotate(n=Sum("evaluable"), r30=Sum("r30"), r50=Sum("r50")).filter(n__gt=0)
            .order_by("clinician__last_name", "clinician__first_name", "clinician_id"))
    return [_group(f"{row['clinician__first_name']} {row['clinician__last_name']}".strip() or row["clinician__username"],
                   row["n"], row["r30"], row["r50"], key=str(row["clinician_id"])) for row in rows]


def by_factor(filters: Filters) -> dict[str, list[dict]]:
    """Muscles (the most treated first, at most TOP_MUSCLES) and injectates, in one query."""
    rows = (DailyTally.objects.filter(filters.q(), section__in=[CourseFactor.Kind.MUSCLE, CourseFactor.Kind.AGENT])
            .values("section", "key").annotate(n=Sum("n"), r30=Sum("r30"), r50=Sum("r50"))
            .order_by("section", "-n", "key"))
    muscles, agents = vocabulary.muscles(), dict(Injection.Agent.choices)
    found = {CourseFactor.Kind.MUSCLE: [], CourseFactor.Kind.AGENT: []}
    for row in rows:
        if row["section"] == CourseFactor.Kind.MUSCLE:
            label = muscles[row["key"]].name if row["key"] in muscles else row["key"]
        else:
            label = str(agents.get(row["key"], row["key"]))
        found[row["section"]].append(_group(label, row["n"], row["r30"], row["r50"], key=row["key"]))
    return {"muscle": found[CourseFactor.Kind.MUSCLE][:TOP_MUSCLES], "agent": found[CourseFactor.Kind.AGENT]}


def median_days_to_response(filters: Filters, responded: int) -> float | None:
    """The median, fetched as the one or two middle rows of the sorted days (no MEDIAN in SQLite)."""
    if not responded:
        return None
    middle = (CourseOutcome.objects.filter(filters.q(), response_days__isnull=False)
              .order_by("response_days").values_list("response_days", flat=True)[(responded - 1) // 2: responded // 2 + 1])
    values = list(middle)
    return sum(values) / len(values)


def adverse_events(filters: Filters, injections: int) -> list[dict]:
    rows = _tally("event", filters).values("key").annotate(events=Sum("n")).order_by("-events", "key")
    labels = dict(AdverseEvent.Kind.choices)
    return [{"key": row["key"], "label": str(labels.get(row["key"], row["key"])), "events": row["events"],
             "per_1000": round(1000.0 * row["events"] / injections, 2) if injections else None} for row in rows]


def report(filters: Filters) -> dict:
    """Everything the page and the CSV show, in a fixed number of queries whatever the data size."""
    total = totals(filters)
    return {
        "totals": total,
        "by_session": by_session(filters),
        "by_clinician": by_clinician(filters),
        **by_factor(filters),
        "median_days": median_days_to_response(filters, total["responded"]),
        "events": adverse_events(filters, total["injections"]),
    }
