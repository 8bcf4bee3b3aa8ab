"""How well the ranker finds the muscle behind a pain drawing, on the vignettes in data/.

Zones overlap heavily (many muscles refer to the shoulder, the low back or the buttock), so the
figures are top-k ones: top-1, top-3 and the mean reciprocal rank. A vignette counts as found only
when both the muscle and the side match. Plain Python, no Django.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from anatomy import vocabulary
from anatomy.vocabulary import SIDES, Place
from referral.ranking import rank

VIGNETTES_FILE = Path(__file__).resolve().parent / "data" / "vignettes.toml"


@dataclass(frozen=True)
class Vignette:
    id: str
    drawing: tuple[Place, ...]
    expected: str
    expected_side: str
    source: str
    note: str = ""

    @property
    def textbook(self) -> bool:
        """Built from a textbook pattern (shares its source with the knowledge base), not a patient."""
        return "textbook-pattern" in self.note


@dataclass(frozen=True)
class Outcome:
    vignette: Vignette
    rank: int | None  # 1-based rank of the expected muscle and side; None if not ranked
    top: tuple[str, ...]  # the best three candidates as "muscle:side"

    @property
    def reciprocal_rank(self) -> float:
        return 1 / self.rank if self.rank else 0.0


@dataclass(frozen=True)
class Report:
    outcomes: tuple[Outcome, ...]

    @property
    def cases(self) -> int:
        return len(self.outcomes)

    def top_k(self, k: int) -> float:
        if not self.outcomes:
            return 0.0
        return sum(1 for o in self.outcomes if o.rank and o.rank <= k) / self.cases

    @property
    def top1(self) -> float:
        return self.top_k(1)

    @property
    def top3(self) -> float:
        return self.top_k(3)

    @property
    def mrr(self) -> float:
        if not self.outcomes:
            return 0.0
        return sum(o.reciprocal_rank for o in self.outcomes) / self.cases

    def subset(self, textbook: bool) -> Report:
        """Only the textbook-pattern vignettes, or only those drawn from published patients."""
        return Report(tuple(o for o in self.outcomes if o.vignette.textbook == textbook))

    def misses(self, k: int = 1) -> list[Outcome]:
        """Vignettes whose expected muscle and side are not in the top k."""
        return [o for o in self.outcomes if not o.rank or o.rank > k]

    def figures(self) -> dict:
        return {"cases": self.cases, "top1": round(self.top1, 4), "top3": round(self.top3, 4), "mrr": round(self.mrr, 4)}

    def to_dict(self) -> dict:
        return {
            **self.figures(),
            "textbook_patterns": self.subset(textbook=True).figures(),
            "published_cases": self.subset(textbook=False).figures(),
            "misses": [
                {
                    "id": o.vignette.id,
                    "expected": f"{o.vignette.expected}:{o.vignette.expected_side}",
                    "rank": o.rank,
                    "top": list(o.top),
                }
                for o in self.misses(1)
            ],
        }


@cache
def vignettes(path: Path | str = VIGNETTES_FILE) -> tuple[Vignette, ...]:
    """Read and check the vignettes: known codes and sides, unique ids."""
    with open(path, "rb") as handle:
        rows = tomllib.load(handle).get("vignette", [])
    found, seen = [], set()
    for row in rows:
        vignette_id = row.get("id", "?")
        if vignette_id in seen:
            raise ValueError(f"Vignette id {vignette_id!r} is used twice.")
        seen.add(vignette_id)
        try:
            drawing = tuple(vocabulary.parse_place(word) for word in row["drawing"])
            vocabulary.muscle(row["expected"])
            if row["expected_side"] not in SIDES:
                raise ValueError(f"expected_side must be left or right, got {row['expected_side']!r}")
            found.append(
                Vignette(
                    id=vignette_id,
                    drawing=drawing,
                    expected=row["expected"],
                    expected_side=row["expected_side"],
                    source=row["source"],
                    note=row.get("note", ""),
                )
            )
        except (KeyError, ValueError) as error:
            raise ValueError(f"Vignette {vignette_id!r}: {error}") from None
    return tuple(found)


def evaluate(cases: tuple[Vignette, ...] | None = None) -> Report:
    outcomes = []
    for vignette in vignettes() if cases is None else cases:
        ranking = rank(vignette.drawing)
        position = next(
            (c.rank for c in ranking if c.muscle == vignette.expected and c.side == vignette.expected_side),
            None,
        )
        top = tuple(f"{c.muscle}:{c.side}" for c in ranking[:3])
        outcomes.append(Outcome(vignette=vignette, rank=position, top=top))
    return Report(outcomes=tuple(outcomes))
