"""Corticosteroid totals: each agent over every row of the session, its dexamethasone equivalent, and the
caps from data/corticosteroids.toml (a changed value changes the check)."""
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType

import re

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from safety import data_files, present, steroids
from safety.agents import Corticosteroid
from safety.dose import dose_report
from safety.facts import STEROIDS, PlannedInjection
from safety.findings import WARN
from safety.screen import screen
from safety.tests.helpers import bupi, lido, patient


ARABIC = re.compile(r"[\u0600-\u06FF]")


def steroid(mg, agent="triamcinolone", muscle="upper-trapezius", side="left") -> PlannedInjection:
    return PlannedInjection(muscle, side, agent, dose_mg=mg)


def rules(plans):
    return [(f.rule, f.level, f.params.get("agent")) for f in steroids.findings(plans)]


@pytest.mark.parametrize("plans, expected", [
    ([], []),
    ([lido(2)], []),
    ([steroid(20), steroid(20, side="right")], [("steroid-agent-total", "info", "triamcinolone")]),
    # 40 + 40 is the label's total: at the cap is not above it
    ([steroid(40), steroid(40, side="right")], [("steroid-agent-total", "info", "triamcinolone")]),
    # 90 mg triamcinolone: over its own cap and over 15 mg dexamethasone-equivalent (16.9)
    ([steroid(50), steroid(40, side="right")],
     [("steroid-agent-over", "warn", "triamcinolone"), ("steroid-session-over", "warn", None)]),
    # 8 mg dexamethasone + 40 mg methylprednisolone = 8 + 7.5 = 15.5 mg equivalent: only the session cap
    ([steroid(8, "dexamethasone"), steroid(40, "methylprednisolone", side="right")],
     [("steroid-agent-total", "info", "dexamethasone"), ("steroid-agent-total", "info", "methylprednisolone"),
      ("steroid-session-over", "warn", None)]),
])
def test_steroid_findings(plans, expected):
    assert rules(plans) == expected


@pytest.mark.parametrize("agent, mg, dexamethasone_mg", [
    ("triamcinolone", 40, Decimal("7.5")), ("methylprednisolone", 80, Decimal(15)), ("dexamethasone", 4, Decimal(4)),
])
def test_dexamethasone_equivalent_from_the_label_table(agent, mg, dexamethasone_mg):
    (total,) = steroids.totals([steroid(mg, agent)])
    assert total.dexamethasone_mg == dexamethasone_mg


def test_a_mixture_counts_each_agent_against_its_own_limit_across_rows():
    """Lidocaine with bupivacaine at two sites: each anaesthetic adds up over both rows, the steroid apart."""
    plans = [lido(2), bupi(2, muscle="upper-trapezius"), steroid(20),
             lido(3, muscle="infraspinatus"), bupi(4), steroid(20, muscle="infraspinatus")]
    report = dose_report(patient(), plans)
    by_agent = {row.agent: row.mg for row in report.rows}
    assert by_agent == {"lidocaine": Decimal(50), "bupivacaine": Decimal("15")}
    assert [t.mg for t in steroids.totals(plans)] == [Decimal(40)]
    assert "steroid-agent-total" in {f.rule for f in screen(patient(), plans).findings}


def test_the_agent_cap_is_read_from_the_data_file(monkeypatch):
    data = data_files.corticosteroids()
    plans = [steroid(60)]
    assert rules(plans) == [("steroid-agent-total", "info", "triamcinolone")]
    lower = {**data.agents, "triamcinolone": replace(data.agents["triamcinolone"], warn_above_mg=Decimal(50))}
    monkeypatch.setattr(data_files, "corticosteroids", lambda: replace(data, agents=MappingProxyType(lower)))
    assert rules(plans) == [("steroid-agent-over", "warn", "triamcinolone")]


def test_the_session_cap_and_the_equivalence_are_read_from_the_data_file(monkeypatch):
    data = data_files.corticosteroids()
    plans = [steroid(8, "dexamethasone")]
    assert "steroid-session-over" not in {r for r, _, _ in rules(plans)}
    monkeypatch.setattr(data_files, "corticosteroids", lambda: replace(data, session_warn_above_dex_mg=Decimal(5)))
    assert "steroid-session-over" in {r for r, _, _ in rules(plans)}
    monkeypatch.setattr(data_files, "corticosteroids", lambda: replace(data, dexamethasone_mg=Decimal("1.5")))
    (total,) = steroids.totals([steroid(40)])
    assert total.dexamethasone_mg == Decimal(15)


def test_every_steroid_in_the_data_has_a_source_and_a_form_choice():
    data = data_files.corticosteroids()
    assert set(data.agents) == set(STEROIDS) == set(Corticosteroid.values)
    assert all(agent.sources for agent in data.agents.values())


@given(st.lists(st.integers(min_value=1, max_value=80), min_size=1, max_size=6), st.integers(1, 80))
def test_adding_steroid_never_lowers_the_total_or_clears_a_warning(doses, extra):
    """Monotonic: one more row of steroid raises the total and keeps every warning already given."""
    plans = [steroid(mg, side="left" if n % 2 else "right") for n, mg in enumerate(doses)]
    before, after = steroids.totals(plans), steroids.totals([*plans, steroid(extra)])
    assert after[0].mg > before[0].mg and after[0].dexamethasone_mg > before[0].dexamethasone_mg
    warned = {f.rule for f in steroids.findings(plans) if f.level == "warn"}
    assert warned <= {f.rule for f in steroids.findings([*plans, steroid(extra)]) if f.level == "warn"}


@pytest.mark.parametrize("plans", [[steroid(20)], [steroid(90)], [steroid(12, "dexamethasone"), steroid(10, "dexamethasone")]])
def test_the_presenter_words_each_steroid_finding_as_the_rule_does_and_in_spanish_and_arabic(plans):
    for finding in steroids.findings(plans):
        with translation.override("en"):
            english = present.finding_message(finding, strict=True)
            said = {"steroid-agent-total": ("mg", "dexamethasone_mg"), "steroid-agent-over": ("mg", "cap_mg"),
                    "steroid-session-over": ("dexamethasone_mg", "cap_mg")}[finding.rule]
            figures = [finding.params[key] for key in said]
            assert figures and all(f"{figure} mg" in english for figure in figures), english
        with translation.override("es"):
            assert "dexametasona" in present.finding_message(finding, strict=True) or "supera" in \
                present.finding_message(finding, strict=True)
        with translation.override("ar"):
            assert ARABIC.search(present.finding_message(finding, strict=True))


# ------------------------------------------------------------------ beyond one session

TODAY = date(2026, 12, 3)


def past(days_ago, mg=40, agent="triamcinolone") -> steroids.PastDose:
    return steroids.PastDose(TODAY - timedelta(days=days_ago), agent, Decimal(mg))


def window(plans, history, patient_facts=None):
    return [(f.rule, f.level, f.params.get("dexamethasone_mg"))
            for f in steroids.findings(plans, patient_facts, TODAY, history) if f.rule.startswith("steroid-window")]


@pytest.mark.parametrize("history, expected", [
    ([], []),
    # 40 mg triamcinolone is 7.5 mg dexamethasone-equivalent; with today's 20 mg (3.75): 11.25
    ([past(60)], [("steroid-window-total", "info", "11.2")]),
    ([past(60), past(200, 8, "dexamethasone")], [("steroid-window-total", "info", "19.2")]),
    ([past(366)], []),  # outside the 365-day window
])
def test_the_total_over_the_window_adds_earlier_signed_sessions(history, expected):
    assert window([steroid(20)], history) == expected


@pytest.mark.parametrize("history, sessions", [
    ([past(60), past(60)], 1),  # two agents of one session
    ([replace(past(60), session_id=1), replace(past(60), session_id=2)], 2),  # two sessions on one day
    ([past(60), past(90)], 2),
])
def test_the_window_counts_earlier_sessions_not_days_or_agents(history, sessions):
    [finding] = [f for f in steroids.findings([steroid(20)], None, TODAY, history) if f.rule == "steroid-window-total"]
    assert finding.params["sessions"] == sessions


def test_the_window_and_its_cap_are_read_from_the_data_file(monkeypatch):
    data = data_files.corticosteroids()
    assert data.window_days == 365 and data.window_warn_above_dex_mg is None and data.window_sources
    history = [past(60)]
    assert window([steroid(20)], history) == [("steroid-window-total", "info", "11.2")]
    monkeypatch.setattr(data_files, "corticosteroids", lambda: replace(data, window_days=30))
    assert window([steroid(20)], history) == []
    monkeypatch.setattr(data_files, "corticosteroids", lambda: replace(data, window_warn_above_dex_mg=Decimal(10)))
    assert window([steroid(20)], history) == [("steroid-window-over", "warn", "11.2")]
    assert window([steroid(8)], history) == [("steroid-window-total", "info", "9")]


def test_the_window_is_read_from_the_toml_file(tmp_path, monkeypatch):
    text = (data_files.DATA_DIR / "corticosteroids.toml").read_text(encoding="utf-8")
    assert "\ndays = 365\n" in text
    for name in ("corticosteroids.toml",):
        (tmp_path / name).write_text(text.replace("\ndays = 365\n", "\ndays = 90\n"), "utf-8")
    monkeypatch.setattr(data_files, "DATA_DIR", tmp_path)
    data_files.corticosteroids.cache_clear()
    try:
        assert data_files.corticosteroids().window_days == 90
        assert window([steroid(20)], [past(120)]) == []
        assert window([steroid(20)], [past(60)]) == [("steroid-window-total", "info", "11.2")]
    finally:
        data_files.corticosteroids.cache_clear()


@pytest.mark.parametrize("diabetes, plans, warned", [
    (True, [steroid(20)], True),
    (True, [lido(2)], False),
    (False, [steroid(20)], False),
])
def test_a_diabetic_patient_given_steroid_is_warned_about_blood_sugar(diabetes, plans, warned):
    found = steroids.findings(plans, patient(diabetes=diabetes))
    assert ("steroid-diabetes" in {f.rule for f in found}) is warned
    assert (("steroid-diabetes", WARN) in {(f.rule, f.level) for f in screen(patient(diabetes=diabetes), plans).findings}) is warned
    if warned:
        [finding] = [f for f in found if f.rule == "steroid-diabetes"]
        assert "Kenalog-40" in finding.source
        assert "blood sugar" in present.finding_message(finding)


# ------------------------------------------------------------------ the same site again


def at(days_ago, muscle="upper-trapezius", side="left", agent="triamcinolone") -> steroids.PastDose:
    return steroids.PastDose(TODAY - timedelta(days=days_ago), agent, Decimal(40), muscle, side)


def repeated(plans, history):
    return [(f.params["muscle"], f.params["side"], f.params["last"])
            for f in steroids.findings(plans, None, TODAY, history) if f.rule == "steroid-repeat-site"]


@pytest.mark.parametrize("plans, history, expected", [
    ([steroid(20)], [], []),
    ([steroid(20)], [at(30)], [("upper-trapezius", "left", "2026-11-03")]),
    ([steroid(20)], [at(0)], [("upper-trapezius", "left", "2026-12-03")]),  # another session earlier today
    ([steroid(20)], [at(89)], [("upper-trapezius", "left", "2026-09-05")]),
    ([steroid(20)], [at(90)], []),  # the interval has passed (90 days in the data file)
    ([steroid(20)], [at(30, side="right")], []),  # the other side is another site
    ([steroid(20)], [at(30, muscle="infraspinatus")], []),
    ([lido(2)], [at(30)], []),  # anaesthetic alone at the site: no steroid again
    # the latest earlier dose is named, and one line per site however many rows inject it
    ([steroid(20), steroid(10)], [at(60), at(14)], [("upper-trapezius", "left", "2026-11-19")]),
    ([steroid(20), steroid(20, side="right")], [at(10), at(10, side="right")],
     [("upper-trapezius", "left", "2026-11-23"), ("upper-trapezius", "right", "2026-11-23")]),
])
def test_steroid_again_at_the_same_site_within_the_interval_warns(plans, history, expected):
    assert repeated(plans, history) == expected
    assert all(f.level == WARN for f in steroids.findings(plans, None, TODAY, history) if f.rule == "steroid-repeat-site")


def test_the_same_site_interval_is_read_from_the_toml_file(tmp_path, monkeypatch):
    text = (data_files.DATA_DIR / "corticosteroids.toml").read_text(encoding="utf-8")
    assert "[repeat_site]\ndays = 90\n" in text
    (tmp_path / "corticosteroids.toml").write_text(text.replace("[repeat_site]\ndays = 90\n", "[repeat_site]\ndays = 20\n"),
                                                   "utf-8")
    monkeypatch.setattr(data_files, "DATA_DIR", tmp_path)
    data_files.corticosteroids.cache_clear()
    try:
        assert data_files.corticosteroids().repeat_site_days == 20
        assert repeated([steroid(20)], [at(30)]) == []
        assert repeated([steroid(20)], [at(19)]) == [("upper-trapezius", "left", "2026-11-14")]
    finally:
        data_files.corticosteroids.cache_clear()


def test_the_same_site_warning_is_worded_with_the_site_and_day_in_every_language():
    finding = next(f for f in steroids.findings([steroid(20)], None, TODAY, [at(30)]) if f.rule == "steroid-repeat-site")
    with translation.override("en"):
        english = present.finding_message(finding, strict=True)
        assert "trapezius" in english.lower() and "2026" in english and "90" in english
        assert present.site("upper-trapezius", "left") in english  # the site worded as every other finding words it
    with translation.override("es"):
        spanish = present.finding_message(finding, strict=True)
        assert "corticoide" in spanish.lower() and "2026" in spanish
    with translation.override("ar"):
        assert "الكورتيكوستيرويد" in present.finding_message(finding, strict=True)
