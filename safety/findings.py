"""One shape for every message the safety, coding and payer rules give back to the clinician."""
from __future__ import annotations

from dataclasses import dataclass

BLOCK, WARN, INFO = "block", "warn", "info"
LEVELS = (BLOCK, WARN, INFO)


@dataclass(frozen=True)
class Finding:
    """A rule's verdict on the plan.

    `level` is block (signing is refused), warn (read before signing) or info. `strong` marks a
    warning raised by an added risk factor (e.g. COPD over the chest wall) so the page can stand it out.
    """

    rule: str
    level: str
    message: str
    source: str
    muscle: str | None = None
    suggestion: str | None = None
    strong: bool = False

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"Finding level must be one of {LEVELS}, not {self.level!r}.")


def sort_key(finding: Finding) -> tuple[int, bool]:
    """Blocks first, then strong warnings, then warnings, then information."""
    return LEVELS.index(finding.level), not finding.strong
