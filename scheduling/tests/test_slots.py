"""Free slots and clashes as example tables; times in UTC (the rules take any time zone)."""
from datetime import date, datetime, time, timezone

import pytest

from scheduling.slots import Busy, Hours, Template, clashes, day_slots, free_slots, overlaps, windows

UTC = timezone.utc
WEEKDAYS = Hours(frozenset({0, 1, 2, 3, 4}), time(8, 0), time(18, 0))
THURSDAY = date(2026, 12, 17)
MORNINGS = [Template(3, time(9, 0), time(11, 0), 30)]  # Thursdays 09:00-11:00, 30-minute slots


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), UTC)


@pytest.mark.parametrize("a, b, clash", [
    ((9, 0, 9, 30), (9, 30, 10, 0), False),   # back to back is fine (half-open)
    ((9, 0, 9, 30), (9, 15, 9, 45), True),
    ((9, 0, 10, 0), (9, 15, 9, 30), True),    # one inside the other
    ((9, 15, 9, 30), (9, 0, 10, 0), True),
    ((9, 0, 9, 30), (8, 30, 9, 0), False),
    ((9, 0, 9, 30), (9, 0, 9, 30), True),     # the same slot
])
def test_overlaps(a, b, clash):
    d = THURSDAY
    assert overlaps(at(d, a[0], a[1]), at(d, a[2], a[3]), at(d, b[0], b[1]), at(d, b[2], b[3])) is clash
    assert overlaps(at(d, b[0], b[1]), at(d, b[2], b[3]), at(d, a[0], a[1]), at(d, a[2], a[3])) is clash  # symmetric


@pytest.mark.parametrize("hours, templates, expected", [
    (WEEKDAYS, MORNINGS, [(9, 0, 11, 0)]),
    (Hours(frozenset({0, 1, 2, 4}), time(8), time(18)), MORNINGS, []),           # clinic shut on Thursdays
    (Hours(frozenset(range(5)), time(10), time(18)), MORNINGS, [(10, 0, 11, 0)]),  # cut to opening hours
    (WEEKDAYS, [Template(2, time(9), time(11), 30)], []),                         # a Wednesday session
    (WEEKDAYS, [Template(3, time(14), time(16), 20), *MORNINGS], [(9, 0, 11, 0), (14, 0, 16, 0)]),
])
def test_windows(hours, templates, expected):
    found = windows(THURSDAY, hours, templates, UTC)
    assert [(s.hour, s.minute, e.hour, e.minute) for s, e, _ in found] == expected


def test_day_slots_step_by_the_slot_length_and_fit_the_booking():
    assert [s.strftime("%H:%M") for s in day_slots(THURSDAY, WEEKDAYS, MORNINGS, UTC, 30)] == [
        "09:00", "09:30", "10:00", "10:30"]
    # a 45-minute booking must end by 11:00
    assert [s.strftime("%H:%M") for s in day_slots(THURSDAY, WEEKDAYS, MORNINGS, UTC, 45)] == [
        "09:00", "09:30", "10:00"]


@pytest.mark.parametrize("busy, free", [
    ([], ["09:00", "09:30", "10:00", "10:30"]),
    ([Busy(at(THURSDAY, 9, 30), at(THURSDAY, 10, 0))], ["09:00", "10:00", "10:30"]),
    ([Busy(at(THURSDAY, 9, 15), at(THURSDAY, 10, 15))], ["10:30"]),   # an odd-length booking blocks three slots
    ([Busy(at(THURSDAY, 9, 0), at(THURSDAY, 11, 0), "room")], []),
])
def test_free_slots_on_the_day(busy, free):
    found = free_slots(THURSDAY, WEEKDAYS, MORNINGS, busy, UTC, minutes=30, count=10, search_days=0)
    assert [s.strftime("%H:%M") for s in found] == free


def test_free_slots_look_either_side_of_the_due_date_nearest_first():
    # Sessions on Tuesdays and Thursdays; due on Wednesday 16 Dec: Thursday 17 and Tuesday 15 are nearest.
    templates = [Template(1, time(9), time(10), 30), Template(3, time(9), time(10), 30)]
    due = date(2026, 12, 16)
    found = free_slots(due, WEEKDAYS, templates, [], UTC, minutes=30, count=4)
    assert [s.strftime("%a %d %H:%M") for s in found] == ["Tue 15 09:00", "Tue 15 09:30", "Thu 17 09:00",
                                                          "Thu 17 09:30"]
    # never in the past
    found = free_slots(due, WEEKDAYS, templates, [], UTC, minutes=30, count=2, not_before=at(due, 0))
    assert [s.strftime("%a %d %H:%M") for s in found] == ["Thu 17 09:00", "Thu 17 09:30"]


def test_no_free_slot_is_ever_a_clash():
    busy = [Busy(at(THURSDAY, 9, 0), at(THURSDAY, 9, 45)), Busy(at(THURSDAY, 10, 30), at(THURSDAY, 11, 0), "room")]
    for minutes in (15, 20, 30, 45, 60):
        for start in free_slots(THURSDAY, WEEKDAYS, MORNINGS, busy, UTC, minutes=minutes, count=50, search_days=7):
            assert not clashes(start, minutes, busy)
