"""Thresholds live in the data files, and the checks read them there: change a value, the check changes."""
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType

import pytest

from safety import data_files, payer, present
from safety.facts import PlannedInjection

DAY = date(2026, 1, 5)


@pytest.fixture
def policy_with(monkeypatch):
    """Replace the uniform Medicare policy's values as if the data file said so."""
    def change(**values):
        policies = dict(data_files.payer_policies())
        code = "medicare-uniform-tpi-2024"
        policies[code] = replace(policies[code], **values)
        monkeypatch.setattr(data_files, "payer_policies", lambda: MappingProxyType(policies))
        return code
    return change


@pytest.mark.parametrize("relief_pct, weeks, met", [
    (50, 6, True),    # 8 → 4 after 6 weeks: 50% relief, as the LCD asks
    (60, 6, False),   # the file asks for more relief than there was
    (50, 7, False),   # ... or for longer than it lasted
    (40, 5, True),
])
def test_relief_rule_reads_percent_and_weeks_from_the_payer_file(policy_with, relief_pct, weeks, met):
    code = policy_with(relief_min_pct=relief_pct, relief_min_weeks=weeks)
    scores = [(DAY, 8), (DAY + timedelta(days=42), 4)]
    assert payer.relief_on_record(code, scores) is met


def test_the_relief_rule_is_monotonic_in_the_required_percent(policy_with):
    scores = [(DAY, 10), (DAY + timedelta(days=60), 3)]  # 70% relief
    met = []
    for pct in range(10, 101, 10):
        met.append(payer.relief_on_record(policy_with(relief_min_pct=pct), scores))
    assert met == [True] * 7 + [False] * 3


@pytest.mark.parametrize("function, rehabilitation, words", [
    (True, True, ["functional improvement", "rehabilitation"]),
    (True, False, ["functional improvement"]),
    (False, True, ["rehabilitation"]),
    (False, False, []),
])
def test_repeat_requirements_beside_the_relief_come_from_the_payer_file(policy_with, function, rehabilitation, words):
    code = policy_with(repeat_needs_function=function, repeat_needs_rehabilitation=rehabilitation)
    history, later, site = [payer.PastSession(DAY, {"upper-trapezius:left"})], DAY + timedelta(days=60), {
        "upper-trapezius:left"}
    (relief,) = [f for f in payer.check_session(code, history, later, site, False) if f.rule == "payer-relief"]
    on_record = payer.check_session(code, history, later, site, True)
    message = present.finding_message(relief)
    for phrase in ("functional improvement", "rehabilitation"):
        assert (phrase in message) is (phrase in words)
    assert [f.rule for f in on_record] == (["payer-repeat-documentation"] if words else ["payer-ok"])


def test_milligrams_use_the_conversion_in_the_dose_file(monkeypatch):
    injection = PlannedInjection("upper-trapezius", "left", "lidocaine", concentration_pct=1, volume_ml=3)
    assert injection.mg == Decimal(30)
    limits = data_files.dose_limits()
    monkeypatch.setattr(data_files, "dose_limits", lambda: replace(limits, mg_per_ml_per_pct=Decimal(20)))
    assert injection.mg == Decimal(60)
