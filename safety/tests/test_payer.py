from datetime import date, timedelta

import pytest

from safety import present
from safety.payer import PastSession, check_session, earliest_compliant_date, schedule_conflict

MEDICARE = "medicare-uniform-tpi-2024"
UT_LEFT = ("upper-trapezius", "left")


def rules(findings):
    return [f.rule for f in findings]


def test_exactly_42_days_later_is_allowed_and_41_is_not():
    history = [PastSession(date(2026, 1, 1), {UT_LEFT})]
    assert "payer-gap" not in rules(check_session(MEDICARE, history, date(2026, 2, 12), {UT_LEFT}, True))
    (gap,) = [f for f in check_session(MEDICARE, history, date(2026, 2, 11), {UT_LEFT}, True) if f.rule == "payer-gap"]
    assert gap.level == "warn" and "2026-02-12" in present.finding_message(gap) and "41 days" in present.finding_message(gap)


def test_other_side_is_another_location():
    history = [PastSession(date(2026, 1, 1), {UT_LEFT})]
    findings = check_session(MEDICARE, history, date(2026, 1, 10), {"upper-trapezius:right"}, False)
    assert rules(findings) == ["payer-ok"]


def test_site_without_side_matches_either_side():
    history = [PastSession(date(2026, 1, 1), {"upper-trapezius"})]
    assert "payer-gap" in rules(check_session(MEDICARE, history, date(2026, 1, 10), {UT_LEFT}, True))


def test_three_sessions_in_twelve_months():
    history = [PastSession(date(2025, 3, 1), {"deltoid:left"}), PastSession(date(2025, 6, 1), {"rhomboids:left"}),
               PastSession(date(2025, 9, 1), {"masseter:left"})]
    fourth = check_session(MEDICARE, history, date(2026, 2, 28), {UT_LEFT}, True)  # 364 days after the first
    (count,) = [f for f in fourth if f.rule == "payer-count"]
    assert "2026-03-01" in present.finding_message(count)
    assert rules(check_session(MEDICARE, history, date(2026, 3, 1), {UT_LEFT}, True)) == ["payer-ok"]
    assert rules(check_session(MEDICARE, history[:2], date(2025, 9, 2), {UT_LEFT}, True)) == ["payer-ok"]


def test_repeat_needs_relief_on_record_and_names_function_and_rehabilitation_beside_it():
    history = [PastSession(date(2026, 1, 1), {UT_LEFT})]
    later = date(2026, 3, 1)
    (relief,) = [f for f in check_session(MEDICARE, history, later, {UT_LEFT}, False) if f.rule == "payer-relief"]
    message = present.finding_message(relief)
    assert "50%" in message and "6 weeks" in message
    assert "functional improvement on a validated" in message and "rehabilitation or home-exercise" in message
    # relief on record: no warning, but the rest of what a repeat needs is still named
    (reminder,) = check_session(MEDICARE, history, later, {UT_LEFT}, True)
    assert reminder.rule == "payer-repeat-documentation" and reminder.level == "info"
    assert "functional improvement" in present.finding_message(reminder)
    assert "function score" in present.finding_suggestion(reminder)
    assert rules(check_session(MEDICARE, history, later, {"deltoid:left"}, False)) == ["payer-ok"]


def test_several_regions_are_noted():
    findings = check_session(MEDICARE, [], date(2026, 1, 1), {UT_LEFT, "quadratus-lumborum:left"}, False)
    assert rules(findings) == ["payer-regions"] and findings[0].level == "info"


def test_sessions_after_the_planned_date_are_ignored():
    history = [PastSession(date(2026, 5, 1), {UT_LEFT})]
    assert rules(check_session(MEDICARE, history, date(2026, 4, 1), {UT_LEFT}, False)) == ["payer-ok"]


def test_no_payer_limits():
    history = [PastSession(date(2026, 1, d), {UT_LEFT}) for d in range(1, 6)]
    assert rules(check_session("none", history, date(2026, 1, 6), {UT_LEFT}, False)) == ["payer-ok"]
    assert earliest_compliant_date("none", history, {UT_LEFT}, date(2026, 1, 6)) == date(2026, 1, 6)


def test_earliest_date_after_the_gap():
    history = [PastSession(date(2026, 1, 1), {UT_LEFT})]
    assert earliest_compliant_date(MEDICARE, history, {UT_LEFT}, date(2026, 1, 15)) == date(2026, 2, 12)
    assert earliest_compliant_date(MEDICARE, history, {UT_LEFT}, date(2026, 3, 1)) == date(2026, 3, 1)


def test_earliest_date_meets_both_rules():
    # Three sessions, the last one at this location: the gap allows 2025-12-13, the count only 2026-01-10.
    history = [PastSession(date(2025, 1, 10), {"deltoid:left"}), PastSession(date(2025, 6, 1), {"deltoid:left"}),
               PastSession(date(2025, 11, 1), {UT_LEFT})]
    found = earliest_compliant_date(MEDICARE, history, {UT_LEFT}, date(2025, 11, 15))
    assert found == date(2026, 1, 10)
    assert rules(check_session(MEDICARE, history, found, {UT_LEFT}, True)) == ["payer-repeat-documentation"]
    assert "payer-count" in rules(check_session(MEDICARE, history, found - timedelta(days=1), {UT_LEFT}, True))


def test_earliest_date_when_the_count_frees_a_slot_before_the_gap():
    history = [PastSession(date(2025, 1, 1), {"deltoid:left"}), PastSession(date(2025, 6, 1), {"deltoid:left"}),
               PastSession(date(2025, 12, 20), {UT_LEFT})]
    # count frees on 2026-01-01, the same location only on 2026-01-31
    assert earliest_compliant_date(MEDICARE, history, {UT_LEFT}, date(2025, 12, 25)) == date(2026, 1, 31)


def test_schedule_conflict_facts():
    conflict = schedule_conflict(MEDICARE, [], 14, date(2026, 3, 1), {UT_LEFT})
    assert (conflict.interval_days, conflict.wanted, conflict.allowed) == (14, date(2026, 3, 15), date(2026, 4, 12))
    assert schedule_conflict(MEDICARE, [], 42, date(2026, 3, 1), {UT_LEFT}) is None
    assert schedule_conflict("none", [], 14, date(2026, 3, 1), {UT_LEFT}) is None


def test_unknown_policy_and_sites_are_refused():
    with pytest.raises(ValueError, match="Unknown payer policy"):
        check_session("aetna", [], date(2026, 1, 1), {UT_LEFT}, True)
    with pytest.raises(ValueError):
        PastSession(date(2026, 1, 1), {"trapezius:left"})
