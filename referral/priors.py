"""How often each muscle harbours active trigger points among patients who hurt in a region: the
prior for a drawing with a single region, where many muscles fit (data/trigger_point_prevalence.toml
names the studies). A muscle's prior is relative to the middle (median) muscle of the same study, so
a study only reorders the muscles it examined; a muscle or region no study covers gets 1.
"""
from __future__ import annotations

import math
import statistics
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from anatomy import vocabulary

PREVALENCE_FILE = Path(__file__).resolve().parent / "data" / "trigger_point_prevalence.toml"


@dataclass(frozen=True)
class Study:
    id: str
    citation: str
    url: str
    population: str
    regions: frozenset[str]
    active: dict[str, float]

    def relative(self, muscle: str) -> float | None:
        if muscle not in self.active:
            return None
        return self.active[muscle] / statistics.median(self.active.values())


def parse(data: dict) -> tuple[Study, ...]:
    studies = []
    regions, muscles = vocabulary.regions(), vocabulary.muscles()
    for ident, row in data.get("study", {}).items():
        for code in row["regions"]:
            if code not in regions:
                raise ValueError(f"Prevalence study {ident!r}: unknown region {code!r}.")
        for muscle, share in row["active"].items():
            if muscle not in muscles:
                raise ValueError(f"Prevalence study {ident!r}: unknown muscle {muscle!r}.")
            if not 0 < share <= 1:
                raise ValueError(f"Prevalence study {ident!r}: {muscle} share must be in (0, 1], got {share!r}.")
        studies.append(Study(id=ident, citation=row["citation"], url=row.get("url", ""), population=row["population"],
                             regions=frozenset(row["regions"]), active=dict(row["active"])))
    return tuple(studies)


@cache
def studies(path: Path = PREVALENCE_FILE) -> tuple[Study, ...]:
    with open(path, "rb") as handle:
        return parse(tomllib.load(handle))


def studies_for(region: str) -> tuple[Study, ...]:
    return tuple(study for study in studies() if region in study.regions)


@cache
def log_relative_prior(muscle: str, region: str) -> float:
    """log of the muscle's prevalence relative to its study's median, for pain in `region` (0 if unknown)."""
    values = [r for study in studies_for(region) if (r := study.relative(muscle)) is not None]
    return math.log(statistics.fmean(values)) if values else 0.0


@cache
def mean_log_relative_prior(muscle: str, regions: tuple[str, ...]) -> float:
    """The mean log relative prior over the regions some study covers (0 when none is covered): the
    prior of a sparse drawing of one or two regions."""
    covered = [region for region in regions if studies_for(region)]
    return math.fsum(log_relative_prior(muscle, region) for region in covered) / len(covered) if covered else 0.0
