"""Free slots and double booking, as plain functions of times (no database, no clock).

A clinician's bookable time is their regular sessions (weekday, hours, slot length) within the
clinic's opening hours and days. A slot is free when it does not overlap an active appointment of
the clinician, nor of the room when one is asked for. Overlap is half-open: an appointment ending
at 09:30 does not clash with one starting at 09:30.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Iterable, Iterator


@dataclass(frozen=True)
class Hours:
    """The clinic's opening hours: on which weekdays (Monday = 0), from when to when."""

    weekdays: frozenset[int]
    opens: time
    closes: time


@dataclass(frozen=True)
class Template:
    """A clinician's regular session."""

    weekday: int
    starts: time
    ends: time
    slot_minutes: int


@dataclass(frozen=True)
class Busy:
    """Time already taken: `who` is "clinician" or "room"."""

    start: datetime
    end: datetime
    who: str = "clinician"


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def clashes(start: datetime, minutes: int, busy: Iterable[Busy]) -> list[Busy]:
    """The busy periods a booking from `start` for `minutes` would overlap."""
    end = start + timedelta(minutes=minutes)
    return [b for b in busy if overlaps(start, end, b.start, b.end)]


def windows(day: date, hours: Hours, templates: Iterable[Template], tz: tzinfo) -> list[tuple[datetime, datetime, int]]:
    """The clinician's bookable windows on `day`: their sessions cut to the clinic's hours."""
    if day.weekday() not in hours.weekdays:
        return []
    found = []
    for template in templates:
        if template.weekday != day.weekday():
            continue
        starts, ends = max(template.starts, hours.opens), min(template.ends, hours.closes)
        if starts < ends:
            found.append((datetime.combine(day, starts, tz), datetime.combine(day, ends, tz), template.slot_minutes))
    return sorted(found)


def day_slots(day: date, hours: Hours, templates: Iterable[Template], tz: tzinfo, minutes: int) -> Iterator[datetime]:
    """Every slot start on `day` where a booking of `minutes` fits inside one window."""
    for start, end, step in windows(day, hours, templates, tz):
        at = start
        while at + timedelta(minutes=minutes) <= end:
            yield at
            at += timedelta(minutes=step)


def free_slots(around: date, hours: Hours, templates: list[Template], busy: list[Busy], tz: tzinfo, *,
               minutes: int, count: int = 6, search_days: int = 14, not_before: datetime | None = None) -> list[datetime]:
    """The first `count` free slots nearest to `around`: that day first, then a day later, a day
    earlier, two days later and so on up to `search_days` either side; returned in time order.

    Slots before `not_before` (now, usually) are never offered.
    """
    found: list[datetime] = []
    for offset in range(search_days + 1):
        for day in ([around] if offset == 0 else [around + timedelta(days=offset), around - timedelta(days=offset)]):
            for start in day_slots(day, hours, templates, tz, minutes):
                if not_before is not None and start < not_before:
                    continue
                if not clashes(start, minutes, busy):
                    found.append(start)
            if len(found) >= count:
                return sorted(found[:count])
    return sorted(found)
