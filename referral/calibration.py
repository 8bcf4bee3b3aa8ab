"""Calibrated likelihood: the temperature that turns evidence into a stated likelihood, the words
beside it, and the measures of how well stated likelihoods match what happens (a reliability table
and the Brier score). The temperature lives in data/calibration.toml; fitting is plain arithmetic
on (evidence, true candidate) pairs, so it is testable without the ranker.
"""
from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CALIBRATION_FILE = Path(__file__).resolve().parent / "data" / "calibration.toml"
LIKELY, POSSIBLE, LESS_LIKELY = "likely", "possible", "less likely"
GRID = tuple(round(0.25 + 0.05 * step, 2) for step in range(0, 196))  # 0.25 to 10.0


@dataclass(frozen=True)
class Parameters:
    """The drawing model's free numbers (referral/ranking.py says what each one is): fitted on the
    published cases inside each fold of the evaluation, and shipped as the fit on all of them."""

    p_essential: float = 0.6  # marking probability of an essential zone
    p_spillover: float = 0.2  # of a spillover zone (also the cap of a published variant's)
    p_local: float = 0.15  # of the trigger point's own site
    p_report: float = 0.1  # of a zone one publication reports beyond the textbook
    unmarked_weight: float = 1.0  # weight of the evidence of each zone a patient did not mark
    prior_weight: float = 1.0  # weight of the prior frequency on a sparse drawing
    prior_regions: int = 1  # a drawing with at most this many regions gets the prior frequency

    def check(self, where: str = "parameters") -> "Parameters":
        for name in ("p_essential", "p_spillover", "p_local", "p_report"):
            value = getattr(self, name)
            if not 0 < value < 1:
                raise ValueError(f"{where}: {name} must be in (0, 1), got {value!r}.")
        if not 0 < self.unmarked_weight <= 1:
            raise ValueError(f"{where}: unmarked_weight must be in (0, 1], got {self.unmarked_weight!r}.")
        if self.prior_weight < 0:
            raise ValueError(f"{where}: prior_weight must be 0 or more, got {self.prior_weight!r}.")
        if self.prior_regions not in (1, 2):
            raise ValueError(f"{where}: prior_regions must be 1 or 2, got {self.prior_regions!r}.")
        return self


PARAMETER_NAMES = tuple(Parameters.__dataclass_fields__)


@dataclass(frozen=True)
class Settings:
    temperature: float
    likely: float
    possible: float
    one_region_at_most: str = POSSIBLE
    parameters: Parameters = Parameters()


@cache
def settings(path: Path = CALIBRATION_FILE) -> Settings:
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    temperature = float(data["temperature"])
    bands = data["bands"]
    likely, possible = float(bands["likely"]), float(bands["possible"])
    if temperature <= 0 or not 0 < possible < likely <= 1:
        raise ValueError(f"{path.name}: need temperature > 0 and 0 < possible < likely <= 1.")
    cap = bands.get("one_region_at_most", POSSIBLE)
    if cap not in (LIKELY, POSSIBLE, LESS_LIKELY):
        raise ValueError(f"{path.name}: one_region_at_most must be one of likely, possible, less likely.")
    defaults = Parameters()
    parameters = Parameters(**{name: type(getattr(defaults, name))(data.get(name, getattr(defaults, name)))
                               for name in PARAMETER_NAMES}).check(path.name)
    return Settings(temperature=temperature, likely=likely, possible=possible, one_region_at_most=cap,
                    parameters=parameters)


ORDER = (LESS_LIKELY, POSSIBLE, LIKELY)


def band(likelihood: float, table: Settings | None = None, *, one_region: bool = False) -> str:
    """The words beside a likelihood; a one-region drawing, which many muscles fit, never says more
    than `one_region_at_most`."""
    table = table or settings()
    if likelihood >= table.likely:
        words = LIKELY
    elif likelihood >= table.possible:
        words = POSSIBLE
    else:
        words = LESS_LIKELY
    if one_region and ORDER.index(words) > ORDER.index(table.one_region_at_most):
        return table.one_region_at_most
    return words


@dataclass(frozen=True)
class Item:
    """One drawing's evidence: logits of every hypothesis (the last is "unexplained"), untempered,
    the post-temperature additions (examination findings), and the index of the true candidate."""

    logits: tuple[float, ...]
    extra: tuple[float, ...]
    truth: int | None  # None when the true muscle cannot be ranked at all


def probabilities(item: Item, temperature: float) -> list[float]:
    scaled = [value / temperature + add for value, add in zip(item.logits, item.extra)]
    peak = max(scaled)
    weights = [math.exp(value - peak) for value in scaled]
    total = sum(weights)
    return [w / total for w in weights]


FLOOR = 1e-6  # a case whose muscle cannot be ranked contributes log(FLOOR), whatever the temperature


def negative_log_likelihood(items: Sequence[Item], temperature: float) -> float:
    total = 0.0
    for item in items:
        p = probabilities(item, temperature)[item.truth] if item.truth is not None else FLOOR
        total -= math.log(max(p, FLOOR))
    return total / max(len(items), 1)


def fit_temperature(items: Sequence[Item], grid: Sequence[float] = GRID) -> float:
    """The grid temperature with the smallest negative log-likelihood (ties: the smaller one)."""
    return min(grid, key=lambda t: (negative_log_likelihood(items, t), t))


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    cases: int
    mean_confidence: float
    accuracy: float


def reliability(pairs: Sequence[tuple[float, bool]], edges: Sequence[float] = (0, 0.2, 0.4, 0.6, 0.8, 1.0)) -> list[Bin]:
    """Top-1 stated likelihood against how often the top candidate was right, in bins."""
    bins = []
    for low, high in zip(edges, edges[1:]):
        inside = [(c, ok) for c, ok in pairs if low <= c < high or (high == edges[-1] and c == high)]
        bins.append(Bin(low=low, high=high, cases=len(inside),
                        mean_confidence=sum(c for c, _ in inside) / len(inside) if inside else 0.0,
                        accuracy=sum(1 for _, ok in inside if ok) / len(inside) if inside else 0.0))
    return bins


def brier(pairs: Sequence[tuple[float, bool]]) -> float:
    """Mean squared gap between the top candidate's stated likelihood and whether it was right."""
    if not pairs:
        return 0.0
    return sum((c - (1.0 if ok else 0.0)) ** 2 for c, ok in pairs) / len(pairs)


def write_setting(key: str, value: float | int | str, path: Path = CALIBRATION_FILE) -> None:
    """Store one refitted top-level value (a number, or a plain string) in the calibration file,
    leaving the rest as it is."""
    text = path.read_text(encoding="utf-8")
    if not re.search(rf"(?m)^{re.escape(key)} = ", text):
        raise ValueError(f"{path.name} has no top-level {key!r} to refit.")
    written = json.dumps(value) if isinstance(value, str) else value
    path.write_text(re.sub(rf"(?m)^{re.escape(key)} = .*$", lambda _: f"{key} = {written}", text, count=1),
                    encoding="utf-8")
    settings.cache_clear()


def write_fit(parameters: Parameters, temperature: float, fitted_on: str, fitted: str, grid: str,
              path: Path = CALIBRATION_FILE) -> None:
    """Store a refit: the temperature, every parameter, what it was fitted on, when, and the grid."""
    write_setting("temperature", temperature, path)
    for name in PARAMETER_NAMES:
        write_setting(name, getattr(parameters, name), path)
    write_setting("fitted_on", fitted_on, path)
    write_setting("fitted", fitted, path)
    write_setting("grid", grid, path)
