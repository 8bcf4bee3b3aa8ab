"""The examination of a candidate muscle: the findings of the accepted trigger point criteria,
their likelihood ratios, and whether a muscle meets the criteria. Everything is read from
data/examination.toml (its header cites the criteria and says where the ratios come from).

Plain Python, no Django: the ranker, the evaluation and the views share it.
"""
from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

EXAMINATION_FILE = Path(__file__).resolve().parent / "data" / "examination.toml"


class ExaminationError(ValueError):
    """Unknown finding, or a wrong examination file."""


@dataclass(frozen=True)
class Finding:
    code: str
    label: str
    rank: str
    lr_present: float
    lr_absent: float

    def log_lr(self, present: bool) -> float:
        return math.log(self.lr_present if present else self.lr_absent)


@dataclass(frozen=True)
class Rules:
    version: str
    evidence: str
    findings: Mapping[str, Finding]
    required: tuple[str, ...]
    any_of: tuple[str, ...]
    sources: tuple[str, ...]


def parse(data: dict) -> Rules:
    table = data.get("finding", {})
    found = {}
    for code, row in table.items():
        try:
            present, absent = float(row["lr_present"]), float(row["lr_absent"])
        except (KeyError, TypeError, ValueError):
            raise ExaminationError(f"Finding {code!r} needs numeric lr_present and lr_absent.") from None
        if not (present >= 1 >= absent > 0):
            raise ExaminationError(f"Finding {code!r}: a finding's presence must not count against the muscle "
                                   f"nor its absence for it (need lr_present >= 1 >= lr_absent > 0).")
        found[code] = Finding(code=code, label=row["label"], rank=row.get("rank", ""), lr_present=present, lr_absent=absent)
    criteria = data.get("criteria", {})
    required, any_of = tuple(criteria.get("required", ())), tuple(criteria.get("any_of", ()))
    for code in (*required, *any_of):
        if code not in found:
            raise ExaminationError(f"The criteria name an unknown finding {code!r}.")
    return Rules(version=data.get("version", ""), evidence=data.get("evidence", ""), findings=found,
                 required=required, any_of=any_of, sources=tuple(criteria.get("sources", ())))


@cache
def rules(path: Path = EXAMINATION_FILE) -> Rules:
    with open(path, "rb") as handle:
        return parse(tomllib.load(handle))


def findings() -> Mapping[str, Finding]:
    return rules().findings


def finding(code: str) -> Finding:
    try:
        return findings()[code]
    except KeyError:
        raise ExaminationError(f"Unknown examination finding {code!r}.") from None


def log_likelihood_ratio(recorded: Mapping[str, bool], table: Rules | None = None) -> float:
    """The summed log likelihood ratio of the recorded findings (code -> present)."""
    table = table or rules()
    total = 0.0
    for code, present in recorded.items():
        if code not in table.findings:
            raise ExaminationError(f"Unknown examination finding {code!r}.")
        total += table.findings[code].log_lr(bool(present))
    return total


def meets_criteria(recorded: Mapping[str, bool], table: Rules | None = None) -> bool:
    """Every required finding present, and at least one of the any-of findings present."""
    table = table or rules()
    present = {code for code, value in recorded.items() if value}
    return all(code in present for code in table.required) and (
        not table.any_of or any(code in present for code in table.any_of))
