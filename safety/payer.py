"""Payer frequency rules: when a location may be treated again and how many sessions a year.

Why: the uniform 2024 Medicare TPI LCD allows re-treating a location only after 6 weeks and at most
3 sessions in any rolling 12 months, while common practice repeats every 2 weeks (research brief
sections 2 and 4). The numbers live in data/payer_policies.toml. Findings here are coverage
warnings, not safety blocks.

Conventions (documented choices):
- A location is a muscle and its side. A past or planned site without a side matches either side.
- History lists sessions already done, not the one being planned; sessions after the planned date
  are ignored. A session on the planned date counts (a second session that day).
- A repeat is a planned location already treated in the history; only a repeat needs relief on record.
  Whatever else the policy asks of a repeat (functional improvement, active rehabilitation) tpclinic does
  not record: it is named beside the relief, or as a reminder once the relief is on record.
- The session count is per patient over all locations.

Findings carry their facts in `params` (dates as ISO strings, the policy's id and English name) for
wording them in the reader's language (safety/present.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable

from anatomy import vocabulary
from safety.data_files import PayerPolicy, payer_policy
from safety.facts import parse_site
from safety.findings import INFO, WARN, Finding

Site = tuple[str, str | None]


@dataclass(frozen=True)
class PastSession:
    """A session already done: its date and the (muscle, side) locations treated."""

    date: date
    sites: frozenset[Site] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sites", normalise_sites(self.sites))


def normalise_sites(sites: Iterable[Site | str]) -> frozenset[Site]:
    """Accept (muscle, side) pairs or `muscle:side` strings; check codes against the vocabulary."""
    result = set()
    for site in sites:
        if isinstance(site, str):
            result.add(parse_site(site))
        else:
            muscle, side = site
            result.add(parse_site(f"{muscle}:{side}" if side else muscle))
    return frozenset(result)


def _policy(policy: PayerPolicy | str) -> PayerPolicy:
    return payer_policy(policy) if isinstance(policy, str) else policy


def _same_location(a: Site, b: Site) -> bool:
    return a[0] == b[0] and (a[1] is None or b[1] is None or a[1] == b[1])


def _source(policy: PayerPolicy) -> str:
    return "; ".join(policy.sources) or policy.name


def _last_treated(history: list[PastSession], site: Site, on_or_before: date) -> date | None:
    dates = [s.date for s in history if s.date <= on_or_before and any(_same_location(site, t) for t in s.sites)]
    return max(dates, default=None)


def _gap_until(policy: PayerPolicy, history: list[PastSession], day: date, sites: frozenset[Site]) -> dict[Site, date]:
    """Planned sites that are too soon, with the first date each becomes allowed."""
    if not policy.min_days_same_location:
        return {}
    too_soon = {}
    for site in sites:
        last = _last_treated(history, site, day)
        if last is not None and (day - last).days < policy.min_days_same_location:
            too_soon[site] = last + timedelta(days=policy.min_days_same_location)
    return too_soon


def _count_until(policy: PayerPolicy, history: list[PastSession], day: date) -> tuple[int, date | None]:
    """Sessions in the 12 months up to `day`, and the first date one more would fit (None if it fits now)."""
    if not policy.max_sessions:
        return 0, None
    window = sorted(s.date for s in history if s.date <= day and (day - s.date).days < policy.window_days)
    if len(window) < policy.max_sessions:
        return len(window), None
    return len(window), window[len(window) - policy.max_sessions] + timedelta(days=policy.window_days)


def relief_on_record(policy: PayerPolicy | str, pain_scores: Iterable[tuple[date, int]]) -> bool:
    """The policy's relief condition for a repeat met by the record: a later pre-injection pain score,
    at least `relief_min_weeks` after an earlier one, lower by at least `relief_min_pct` percent of it.
    `pain_scores` are (day, pain before) of the signed sessions. False when the policy names no relief."""
    policy = _policy(policy)
    if policy.relief_min_pct is None or policy.relief_min_weeks is None:
        return False
    scores = sorted(pain_scores)
    min_days = policy.relief_min_weeks * 7
    return any(
        (pain - later_pain) * 100 >= policy.relief_min_pct * pain and (later_day - day).days >= min_days
        for index, (day, pain) in enumerate(scores)
        for later_day, later_pain in scores[index + 1:]
        if pain > 0
    )


def check_session(
    policy: PayerPolicy | str,
    history: Iterable[PastSession],
    planned_date: date,
    planned_sites: Iterable[Site | str],
    relief_on_record: bool,
) -> tuple[Finding, ...]:
    """Coverage findings for a planned session under one payer policy."""
    policy, history, sites = _policy(policy), list(history), normalise_sites(planned_sites)
    source = _source(policy)
    named = {"policy": policy.code, "policy_name": policy.name}
    findings = []
    for site, allowed in sorted(_gap_until(policy, history, planned_date, sites).items(), key=lambda x: str(x)):
        last = _last_treated(history, site, planned_date)
        findings.append(Finding(
            "payer-gap", WARN, source, muscle=site[0],
            params={"muscle": site[0], "side": site[1], "last": last.isoformat(), "days": (planned_date - last).days,
                    "planned": planned_date.isoformat(), "min_days": policy.min_days_same_location,
                    "allowed": allowed.isoformat(), **named},
        ))
    count, fits_from = _count_until(policy, history, planned_date)
    if fits_from is not None:
        findings.append(Finding(
            "payer-count", WARN, source,
            params={"count": count, "planned": planned_date.isoformat(), "max_sessions": policy.max_sessions,
                    "fits_from": fits_from.isoformat(), **named},
        ))
    repeats = [s for s in sorted(sites, key=str) if _last_treated(history, s, planned_date) is not None]
    needs = {"function": policy.repeat_needs_function, "rehabilitation": policy.repeat_needs_rehabilitation}
    if policy.repeat_needs_relief and repeats and not relief_on_record:
        findings.append(Finding(
            "payer-relief", WARN, source,
            params={"sites": [[m, side] for m, side in repeats], "relief_pct": policy.relief_min_pct,
                    "relief_weeks": policy.relief_min_weeks, **needs, **named},
        ))
    elif repeats and any(needs.values()):
        findings.append(Finding(
            "payer-repeat-documentation", INFO, source,
            params={"sites": [[m, side] for m, side in repeats], **needs, **named},
        ))
    groups = sorted({vocabulary.muscle(m).group for m, _ in sites})
    if policy.single_region_per_session and len(groups) > 1:
        findings.append(Finding(
            "payer-regions", INFO, source, params={"groups": groups, **named},
        ))
    if not findings:
        findings.append(Finding("payer-ok", INFO, source, params=named))
    return tuple(findings)


def earliest_compliant_date(
    policy: PayerPolicy | str, history: Iterable[PastSession], planned_sites: Iterable[Site | str], wanted_date: date
) -> date:
    """The first date on or after `wanted_date` that meets both the same-location gap and the session count.

    Each jump goes to the first date the blocking rule allows, so no date in between can pass it.
    """
    policy, history, sites = _policy(policy), list(history), normalise_sites(planned_sites)
    day = wanted_date
    while True:
        waits = list(_gap_until(policy, history, day, sites).values())
        fits_from = _count_until(policy, history, day)[1]
        if fits_from is not None:
            waits.append(fits_from)
        if not waits:
            return day
        day = max(waits)


@dataclass(frozen=True)
class ScheduleConflict:
    """The clinician's interval gives `wanted`; the payer covers the same location from `allowed`."""

    interval_days: int
    wanted: date
    allowed: date
    policy: PayerPolicy


def schedule_conflict(
    policy: PayerPolicy | str,
    history: Iterable[PastSession],
    interval_days: int,
    last_date: date,
    sites: Iterable[Site | str],
) -> ScheduleConflict | None:
    """Compare the clinician's repeat interval with what the payer allows; None when they agree.

    The last session (on `last_date`, at `sites`) is added to the history if it is not there already.
    """
    policy, sites = _policy(policy), normalise_sites(sites)
    history = list(history)
    if not any(s.date == last_date and sites <= s.sites for s in history):
        history.append(PastSession(last_date, sites))
    wanted = last_date + timedelta(days=interval_days)
    allowed = earliest_compliant_date(policy, history, sites, wanted)
    if allowed <= wanted:
        return None
    return ScheduleConflict(interval_days, wanted, allowed, policy)
