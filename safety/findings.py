"""One shape for every message the safety, coding and payer rules give back to the clinician."""
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

    `message` (and `suggestion`) are English, for the API, FHIR and logs. `params` holds the same
    facts as plain JSON values (muscle codes, numbers as strings, ISO dates, agent and policy ids),
    so the web pages can word the finding in the reader's language (safety/present.py); a rule id
    the presenter does not know falls back to `message`.
    """

    rule: str
    level: str
    message: str
    source: str
    muscle: str | None = None
    suggestion: str | None = None
    strong: bool = False
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"Finding level must be one of {LEVELS}, not {self.level!r}.")


def sort_key(finding: Finding) -> tuple[int, bool]:
    """Blocks first, then strong warnings, then warnings, then information."""
    return LEVELS.index(finding.level), not finding.strong
