"""The outcome summary: clinical rows condensed once so the analytics page reads thousands, not millions.

Why a materialised summary: at 100,000 patients (a million sessions) numbering every course's
sessions with window functions takes seconds, too slow for a page. `summary.refresh()` rebuilds
these tables with a handful of INSERT ... SELECT statements run by the database (the
`tpclinic analytics_refresh` command, nightly or after an import; the page itself refreshes a
small clinic's summary whenever the clinical data changed). They hold no information of their
own: deleting them loses nothing.

Ids of clinical rows are kept as plain numbers, not database foreign keys, so the summary never
stands in the way of changing or deleting a record. Flags are 0/1 integers so that SUM counts
them the same way on SQLite and PostgreSQL.
"""
from django.conf import settings
from django.db import models


class Snapshot(models.Model):
    """The one row saying when the summary was built and from which state of the clinical data."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    refreshed_at = models.DateTimeField(null=True)
    signature = models.CharField(max_length=200, blank=True)
    seconds = models.FloatField(default=0)


class CourseOutcome(models.Model):
    """A course with at least one signed session: its baseline, latest pain and the verdict."""

    course_id = models.BigIntegerField(primary_key=True)
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                                  related_name="+", help_text="The clinician responsible for the course.")
    first_day = models.IntegerField(help_text="Day of the first signed session, as days since 1970-01-01.")
    sessions = models.PositiveSmallIntegerField()
    baseline = models.PositiveSmallIntegerField(help_text="Pain before the first signed session.")
    latest = models.PositiveSmallIntegerField(help_text="Pain before the latest signed session.")
    evaluable = models.PositiveSmallIntegerField(help_text="1 when course_rules would judge it (3+ sessions).")
    responder30 = models.PositiveSmallIntegerField(help_text="1 when evaluable and latest pain is 30%+ below baseline.")
    responder50 = models.PositiveSmallIntegerField(help_text="1 when evaluable and latest pain is 50%+ below baseline.")
    response_days = models.IntegerField(null=True, help_text="Days from the first session to the first 30% fall.")
    injections = models.PositiveIntegerField(db_default=0)

    class Meta:
        indexes = [models.Index(fields=["first_day", "clinician"]), models.Index(fields=["response_days"])]


class SessionOutcome(models.Model):
    """A signed session: its number in the course and whether pain is 30% / 50% below session 1."""

    session_id = models.BigIntegerField(primary_key=True)
    course_id = models.BigIntegerField(db_index=True)
    clinician_id = models.BigIntegerField()
    number = models.PositiveSmallIntegerField()
    day = models.IntegerField()
    first_day = models.IntegerField()
    course_sessions = models.PositiveSmallIntegerField()
    baseline = models.PositiveSmallIntegerField()
    pain = models.PositiveSmallIntegerField()
    reduced30 = models.PositiveSmallIntegerField(db_default=0)
    reduced50 = models.PositiveSmallIntegerField(db_default=0)

    class Meta:
        indexes = [models.Index(fields=["number", "first_day"])]


class CourseFactor(models.Model):
    """A muscle injected or an injectate used in a course (a course can have several of each)."""

    class Kind(models.TextChoices):
        MUSCLE = "muscle"
        AGENT = "agent"

    course = models.ForeignKey(CourseOutcome, on_delete=models.CASCADE, related_name="factors")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=60)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"])]


class CourseEvent(models.Model):
    """How many adverse events of one kind followed the course's signed sessions."""

    course = models.ForeignKey(CourseOutcome, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20)
    events = models.PositiveIntegerField()


class DailyTally(models.Model):
    """Counts per day of first session and clinician: what the page sums, a few rows per day.

    Days are numbers (days since 1970-01-01) throughout the summary: the database subtracts and
    compares them the same way on SQLite and PostgreSQL.

    `section` says what is counted: "session" (key = session number; n = courses that reached
    it), "course" (n = courses), "muscle" / "agent" (key = code; n = evaluable courses) and
    "event" (key = adverse event kind; n = events). r30 / r50 count responders among n.
    """

    section = models.CharField(max_length=10)
    key = models.CharField(max_length=60, blank=True)
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                                  related_name="+")
    first_day = models.IntegerField()
    n = models.PositiveIntegerField()
    evaluable = models.PositiveIntegerField(db_default=0)
    r30 = models.PositiveIntegerField(db_default=0)
    r50 = models.PositiveIntegerField(db_default=0)
    responded = models.PositiveIntegerField(db_default=0)
    injections = models.PositiveIntegerField(db_default=0)

    class Meta:
        indexes = [models.Index(fields=["section", "first_day", "clinician"])]
