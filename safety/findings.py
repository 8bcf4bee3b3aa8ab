"""One shape for every verdict the safety, coding and payer rules give back to the clinician."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

BLOCK, WARN, INFO = "block", "warn", "info"
LEVELS = (BLOCK, WARN, INFO)


@dataclass(frozen=True)
class Finding:
    """A rule's verdict on the plan.

    `level` is block (signing is refused), warn (read before signing) or info. `strong` marks a
    warning raised by an added risk factor (e.g. COPD over the chest wall) so the page can stand it out.

    A finding holds no prose: `rule` names it and `params` holds its facts as plain JSON values
    (muscle codes, numbers as strings, ISO dates, agent and policy ids). safety/present.py words it
    (and its suggestion, for the rules that have one) in the reader's language, English included;
    the API and FHIR ask it for English.
    """

    rule: str
    level: str
    source: str
    muscle: str | None = None
    strong: bool = False
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"Finding level must be one of {LEVELS}, not {self.level!r}.")


@dataclass(frozen=True)
class Note:
    """A remark beside a result (the dose total, the CPT code): a rule id and its facts, worded by
    safety/present.py like a finding."""

    rule: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)


def sort_key(finding: Finding) -> tuple[int, bool]:
    """Blocks first, then strong warnings, then warnings, then information."""
    return LEVELS.index(finding.level), not finding.strong
