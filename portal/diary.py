"""The pain diary: saving a day's entry (with its optional pain drawing), reminders and summaries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anatomy import vocabulary
from portal.models import DiaryEntry
from referral import drawings
from referral.models import PainDrawing

CHART_DAYS = 30
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 360, 150, 26, 14, 10, 24


def read_regions(text: str, pain: int) -> list[dict]:
    """The body-map keys as drawing marks. A key without `@level` takes the day's pain score.

    Raises vocabulary.VocabularyError for an unknown region or a bad side.
    """
    explicit = {vocabulary.parse_place(item.partition("@")[0])
                for item in (text or "").replace(",", " ").split() if "@" in item}
    return [{"place": str(place), "intensity": level if place in explicit else pain}
            for place, level in drawings.parse_marks(text or "")]


@transaction.atomic
def save_entry(patient, user, *, day: date, pain: int, note: str = "", marks: list[dict] | None = None):
    """Create or update the patient's entry for `day`. Returns (entry, created).

    With marks, the entry's pain drawing (source "patient") is created or updated; with none, an
    earlier drawing the patient made for that entry is removed, so the entry says what they last saved.
    """
    entry = DiaryEntry.objects.select_for_update().filter(patient=patient, day=day).first()
    created = entry is None
    if created:
        entry = DiaryEntry(patient=patient, day=day)
    entry.pain, entry.note = pain, note
    old_drawing = entry.drawing if entry.drawing_id else None
    if marks:
        if old_drawing is not None and old_drawing.source == PainDrawing.Source.PATIENT:
            old_drawing.marks, old_drawing.drawn_on, old_drawing.recorded_by = marks, day, user
            old_drawing.save(update_fields=["marks", "drawn_on", "recorded_by"])
        else:
            entry.drawing = PainDrawing.objects.create(
                patient=patient, drawn_on=day, marks=marks, source=PainDrawing.Source.PATIENT, recorded_by=user,
            )
    else:
        entry.drawing = None
    entry.full_clean()
    entry.save()
    if not marks and old_drawing is not None and old_drawing.source == PainDrawing.Source.PATIENT:
        if not old_drawing.diary_entries.exists():
            old_drawing.delete()
    return entry, created


def missing_days(patient, today: date | None = None) -> list[date]:
    """Yesterday and today, when the diary has no entry for them (oldest first)."""
    today = today or timezone.localdate()
    wanted = [today - timedelta(days=1), today]
    have = set(DiaryEntry.objects.filter(patient=patient, day__in=wanted).values_list("day", flat=True))
    return [day for day in wanted if day not in have]


def recent_entries(patient, days: int = CHART_DAYS, today: date | None = None) -> list[DiaryEntry]:
    today = today or timezone.localdate()
    return list(DiaryEntry.objects.filter(patient=patient, day__gt=today - timedelta(days=days), day__lte=today)
                .select_related("drawing").order_by("-day"))


def _y(value: int) -> float:
    return TOP + (10 - value) * (HEIGHT - TOP - BOTTOM) / 10


def _n(value: float) -> str:
    """A coordinate as a plain string: templates would localize a float ("12,5" in es/ar) and break the SVG."""
    return f"{value:.1f}"


def chart(entries, days: int = CHART_DAYS, today: date | None = None) -> dict:
    """Coordinates for a small SVG line chart of pain over the last `days` days (gaps stay gaps)."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    span = WIDTH - LEFT - RIGHT
    step = span / max(days - 1, 1)

    def x(day: date) -> str:
        return _n(LEFT + (day - first).days * step)

    points = sorted(((e.day, e.pain) for e in entries if first <= e.day <= today))
    segments, current, previous = [], [], None
    for day, pain in points:
        if previous is not None and (day - previous).days > 1:
            segments.append(current)
            current = []
        current.append(f"{x(day)},{_n(_y(pain))}")
        previous = day
    if current:
        segments.append(current)
    ticks = [{"x": x(today - timedelta(days=n)), "day": today - timedelta(days=n), "anchor": "end" if n == 0 else "middle"}
             for n in range(0, days, 7)]
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "bottom": HEIGHT - BOTTOM,
        "grid": [{"y": _n(_y(v)), "value": v} for v in (0, 5, 10)],
        "points": [{"x": x(day), "y": _n(_y(pain)), "pain": pain, "day": day} for day, pain in points],
        "segments": [" ".join(segment) for segment in segments if len(segment) > 1],
        "ticks": ticks, "empty": not points,
    }


@dataclass(frozen=True)
class ClinicianRow:
    day: date
    pain: int
    note: str
    region_count: int
    regions: tuple[str, ...]


def course_window(course) -> tuple[date, date | None]:
    """From the course start; a closed course ends one interval after its last signed session."""
    start = course.started_on
    if course.is_open:
        return start, None
    last = course.last_session()
    end = timezone.localdate(last.performed_at) if last else start
    return start, end + timedelta(days=course.interval_days)


def diary_for_course(course) -> list[ClinicianRow]:
    """The patient's diary entries during the course, oldest first, for the clinician's course page."""
    start, end = course_window(course)
    entries = DiaryEntry.objects.filter(patient_id=course.patient_id, day__gte=start).select_related("drawing")
    if end is not None:
        entries = entries.filter(day__lte=end)
    rows = []
    for entry in entries.order_by("day"):
        marks = entry.drawing.marks if entry.drawing_id else []
        keys = tuple(mark["place"] for mark in marks)
        labels = []
        for mark in marks:  # each place with its own intensity, in the words of the map's list
            try:
                label = vocabulary.place_label(vocabulary.parse_place(mark["place"]))
            except vocabulary.VocabularyError:
                label = mark["place"]
            level = mark.get("intensity")
            labels.append(label if level is None else _("%(place)s: pain %(level)s of 10") % {"place": label, "level": level})
        rows.append(ClinicianRow(entry.day, entry.pain, entry.note, len(keys), tuple(labels)))
    return rows
