"""Rebuild the outcome summary (analytics/models.py) inside the database, and know when it is stale.

Every step is one INSERT ... SELECT compiled by the ORM from a queryset, wrapped once where a
column is computed from the selected row (window functions number each course's signed sessions
and carry its baseline; conditional aggregates make the verdicts), so rows never travel to Python
and SQLite and PostgreSQL compute the same numbers. The definitions match treatment/course_rules.py:

- session k of a course is its k-th signed session by time (ties by id), as Course.signed_sessions();
- baseline is the pain before session 1; session k is "30% better" when
  (baseline - pain_k) * 100 >= 30 * baseline and baseline > 0 (likewise 50%), integers only;
- a course is evaluable from its third signed session (course_rules.JUDGE_FROM_SESSION) unless
  baseline and latest pain are both 0; it is a responder when its latest session is 30% better,
  a substantial responder at 50%, exactly as judge_response() says on the course page;
- time to response is the days from session 1 to the first later session that is 30% better.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, Max, Min, Q, Sum, Value, When, Window
from django.db.models.functions import Cast, FirstValue, RowNumber, TruncDate
from django.utils import timezone

from analytics.dbfuncs import DayNumber
from analytics.models import CourseEvent, CourseFactor, CourseOutcome, DailyTally, SessionOutcome, Snapshot
from safety.models import AdverseEvent
from treatment import course_rules
from treatment.models import Injection, Session

# Up to this many signed sessions the page recomputes a stale summary itself (well under a second);
# above it the page shows the last summary with its date and `analytics_refresh` recomputes it.
INLINE_REFRESH_MAX_SESSIONS = 20_000
# Up to this many the page offers a "recompute now" button (seconds); above, only the command.
BUTTON_REFRESH_MAX_SESSIONS = 200_000
SIGNED = Session.Status.SIGNED
# Memory PostgreSQL may use per sort during a refresh (SET LOCAL: this transaction only).
POSTGRES_WORK_MEM = "256MB"


def _signed_sessions():
    return Session.objects.filter(status=SIGNED, pain_before__isnull=False).order_by()


def signature() -> tuple[str, int]:
    """A cheap description of the clinical data the summary depends on, and the signed session count."""
    sessions = Session.objects.aggregate(n=Count("id", filter=Q(status=SIGNED)), last=Max("signed_at"), top=Max("id"))
    events = AdverseEvent.objects.aggregate(n=Count("id"), top=Max("id"))
    text = f"s{sessions['n']}:{sessions['top']}:{sessions['last']}:e{events['n']}:{events['top']}"
    return text, sessions["n"]


def _compiled(queryset) -> tuple[list[str], str, tuple]:
    """The selected names of a values() queryset, in the order of its SQL, and the SQL."""
    query = queryset.query
    names = list(query.values_select) + list(query.annotation_select)
    sql, params = query.get_compiler(connection=connection).as_sql()
    return names, sql, tuple(params)


def _insert_select(model, queryset, also: dict[str, str] | None = None, join: tuple | None = None) -> None:
    """INSERT INTO model's table the rows of `queryset`; selected names map to columns (`o_x` -> x).

    `also` adds columns computed from the selected row (`w`), as SQL over its quoted names; `join`
    (queryset, its key, the row's key) LEFT JOINs another values() queryset as `j`. Both only wrap
    the query, so one pass fills a column instead of an UPDATE of a million rows afterwards."""
    names, sql, params = _compiled(queryset)
    columns = [name[2:] if name.startswith("o_") else name for name in names] + list(also or {})
    fields = [model._meta.get_field(column) for column in columns]
    quote = connection.ops.quote_name
    target = ", ".join(quote(field.column) for field in fields)
    if also:
        outer = ", ".join(f"w.{quote(name)}" for name in names)
        sql = f"SELECT {outer}, {', '.join(also.values())} FROM ({sql}) w"
        if join:
            joined, key, row_key = join
            _, joined_sql, joined_params = _compiled(joined)
            sql += f" LEFT JOIN ({joined_sql}) j ON j.{quote(key)} = w.{quote(row_key)}"
            params += joined_params
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({target}) {sql}", params)


def _fell_by_sql(percent: int) -> str:
    """1 when the row's pain is at least `percent`% below a baseline above 0, else 0: integers only (no
    division, no rounding differences between databases)."""
    quote = connection.ops.quote_name
    baseline, pain = f"w.{quote('o_baseline')}", f"w.{quote('o_pain')}"
    return f"CASE WHEN {baseline} > 0 AND ({baseline} - {pain}) * 100 >= {baseline} * {int(percent)} THEN 1 ELSE 0 END"


def _session_rows():
    course = [F("course_id")]
    in_order = {"partition_by": course, "order_by": [F("performed_at").asc(), F("id").asc()]}
    return _signed_sessions().annotate(
        o_session_id=F("id"),
        o_course_id=F("course_id"),
        o_clinician_id=F("course__clinician_id"),
        o_number=Window(RowNumber(), **in_order),
        o_day=DayNumber(TruncDate("performed_at")),
        o_first_day=Window(Min(DayNumber(TruncDate("performed_at"))), partition_by=course),
        o_course_sessions=Window(Count("id"), partition_by=course),
        o_baseline=Window(FirstValue("pain_before"), **in_order),
        o_pain=F("pain_before"),
    ).values("o_session_id", "o_course_id", "o_clinician_id", "o_number", "o_day", "o_first_day",
             "o_course_sessions", "o_baseline", "o_pain")


def _course_rows():
    latest = Q(number=F("course_sessions"))
    judged = latest & Q(number__gte=course_rules.JUDGE_FROM_SESSION)
    one = Value(1)
    return SessionOutcome.objects.order_by().values("course_id").annotate(
        o_clinician_id=Max("clinician_id"),
        o_first_day=Min("day"),
        o_sessions=Max("course_sessions"),
        o_baseline=Max("baseline"),
        o_latest=Max(Case(When(latest, then="pain"))),
        o_evaluable=Max(Case(When(judged & ~Q(baseline=0, pain=0), then=one), default=0)),
        o_responder30=Max(Case(When(judged & Q(reduced30=1), then=one), default=0)),
        o_responder50=Max(Case(When(judged & Q(reduced50=1), then=one), default=0)),
        o_response_days=Min(Case(When(number__gte=2, reduced30=1, then="day"))) - Min("day"),
    )


def _factor_rows(kind: str, field: str):
    return Injection.objects.filter(session__status=SIGNED, session__pain_before__isnull=False).order_by().values(
        o_course_id=F("session__course_id"), o_kind=Value(kind), o_value=F(field),
    ).distinct()


def _event_rows():
    return AdverseEvent.objects.filter(session__status=SIGNED, session__pain_before__isnull=False).order_by().values(
        o_course_id=F("session__course_id"), o_kind=F("kind"),
    ).annotate(o_events=Count("id"))


def _tally_rows():
    """The per-day tallies the page sums, one queryset per section (GROUP BY day, clinician, key)."""
    day = {"o_clinician_id": F("clinician_id"), "o_first_day": F("first_day")}
    yield SessionOutcome.objects.order_by().values(
        o_section=Value("session"), o_key=Cast("number", CharField(max_length=60)), **day,
    ).annotate(o_n=Count("session_id"), o_r30=Sum("reduced30"), o_r50=Sum("reduced50"))
    yield CourseOutcome.objects.order_by().values(o_section=Value("course"), o_key=Value(""), **day).annotate(
        o_n=Count("course_id"), o_evaluable=Sum("evaluable"), o_r30=Sum("responder30"), o_r50=Sum("responder50"),
        o_responded=Count("response_days"), o_injections=Sum("injections"),
    )
    yield CourseFactor.objects.filter(course__evaluable=1).order_by().values(
        o_section=F("kind"), o_key=F("value"), o_clinician_id=F("course__clinician_id"), o_first_day=F("course__first_day"),
    ).annotate(o_n=Count("id"), o_r30=Sum("course__responder30"), o_r50=Sum("course__responder50"))
    yield CourseEvent.objects.order_by().values(
        o_section=Value("event"), o_key=F("kind"), o_clinician_id=F("course__clinician_id"),
        o_first_day=F("course__first_day"),
    ).annotate(o_n=Sum("events"))


def _injections_per_course():
    """Injections of each course's signed sessions, one GROUP BY joined to the course rows."""
    return Injection.objects.filter(session__status=SIGNED).order_by().values(
        o_course=F("session__course_id")).annotate(o_injections=Count("id"))


def refresh(known_signature: str | None = None) -> Snapshot:
    """Rebuild every summary table in one transaction; concurrent refreshes wait for each other."""
    started = time.perf_counter()
    with transaction.atomic():
        Snapshot.objects.get_or_create(pk=1)
        snapshot = Snapshot.objects.select_for_update().get(pk=1)
        for model in (DailyTally, CourseFactor, CourseEvent, SessionOutcome, CourseOutcome):
            model.objects.all()._raw_delete(connection.alias)
        if connection.vendor == "postgresql":
            # Sorts for the window functions and the DISTINCTs stay in memory (for this transaction only).
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL work_mem = '{POSTGRES_WORK_MEM}'")
        _insert_select(SessionOutcome, _session_rows(), also={
            "reduced30": _fell_by_sql(course_rules.RESPONDING_REDUCTION),
            "reduced50": _fell_by_sql(course_rules.SUBSTANTIAL_REDUCTION)})
        quote = connection.ops.quote_name
        _insert_select(CourseOutcome, _course_rows(), also={"injections": f"COALESCE(j.{quote('o_injections')}, 0)"},
                       join=(_injections_per_course(), "o_course", "course_id"))
        _insert_select(CourseFactor, _factor_rows(CourseFactor.Kind.MUSCLE, "trigger_point__muscle"))
        _insert_select(CourseFactor, _factor_rows(CourseFactor.Kind.AGENT, "agent"))
        _insert_select(CourseEvent, _event_rows())
        for rows in _tally_rows():
            _insert_select(DailyTally, rows)
        snapshot.signature = known_signature or signature()[0]
        snapshot.refreshed_at = timezone.now()
        snapshot.seconds = time.perf_counter() - started
        snapshot.save()
    return snapshot


@dataclass(frozen=True)
class State:
    snapshot: Snapshot | None
    stale: bool
    signed_sessions: int

    @property
    def can_refresh_in_a_request(self) -> bool:
        return self.signed_sessions <= BUTTON_REFRESH_MAX_SESSIONS


def current() -> State:
    """The summary to show and whether it is stale; a small clinic's stale summary is rebuilt here."""
    snapshot = Snapshot.objects.filter(pk=1).first()
    text, signed = signature()
    if snapshot is not None and snapshot.signature == text:
        return State(snapshot, False, signed)
    if signed <= INLINE_REFRESH_MAX_SESSIONS:
        return State(refresh(text), False, signed)
    return State(snapshot, True, signed)
