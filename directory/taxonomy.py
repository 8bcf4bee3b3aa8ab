"""The NUCC Health Care Provider Taxonomy codes the directory uses, read from data/nucc_taxonomy.csv.

Plain Python apart from the translatable short labels. Each row names its source and whether the
code was confirmed in a public source or recalled (to be verified against NUCC's own CSV).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

DATA_DIR = Path(__file__).resolve().parent / "data"
CODE = re.compile(r"^[0-9]{3}[0-9A-Z]{6}X$")
COLUMNS = ("code", "grouping", "classification", "specialization", "display_name", "source", "confidence", "note")
CONFIDENCE = ("confirmed", "recalled")


class TaxonomyError(ValueError):
    pass


@dataclass(frozen=True)
class Taxonomy:
    code: str
    grouping: str
    classification: str
    specialization: str
    display_name: str
    source: str
    confidence: str
    note: str

    @property
    def is_classification(self) -> bool:
        """A code for a whole classification (Physical Therapist), not one specialization of it."""
        return not self.specialization


# Short, patient-friendly names, translated. Codes without one fall back to NUCC's display name.
SHORT_LABELS = {
    "207X00000X": _("Orthopaedic surgery"),
    "207XX0005X": _("Sports medicine (orthopaedic surgery)"),
    "207XS0117X": _("Spine surgery (orthopaedic)"),
    "207XX0004X": _("Foot and ankle surgery"),
    "207XS0106X": _("Hand surgery"),
    "207XX0801X": _("Orthopaedic trauma"),
    "208100000X": _("Physical medicine and rehabilitation (PM&R)"),
    "2081P2900X": _("Pain medicine (PM&R)"),
    "2081S0010X": _("Sports medicine (PM&R)"),
    "208VP0000X": _("Pain medicine"),
    "208VP0014X": _("Interventional pain medicine"),
    "207L00000X": _("Anesthesiology"),
    "207LP2900X": _("Pain medicine (anesthesiology)"),
    "207Q00000X": _("Family medicine"),
    "207QS0010X": _("Sports medicine (family medicine)"),
    "207R00000X": _("Internal medicine"),
    "207RR0500X": _("Rheumatology"),
    "2084N0400X": _("Neurology"),
    "225100000X": _("Physical therapy"),
    "2251X0800X": _("Orthopaedic physical therapy"),
    "2251S0007X": _("Sports physical therapy"),
    "2251P0200X": _("Paediatric physical therapy"),
    "2251N0400X": _("Neurological physical therapy"),
    "225X00000X": _("Occupational therapy"),
    "225XH1200X": _("Hand therapy (occupational therapy)"),
    "111N00000X": _("Chiropractic"),
    "103T00000X": _("Psychology"),
    "171100000X": _("Acupuncture"),
    "213E00000X": _("Podiatry"),
    "363L00000X": _("Nurse practitioner"),
    "363A00000X": _("Physician assistant"),
}


def load_taxonomy(path: Path | str = DATA_DIR / "nucc_taxonomy.csv") -> dict[str, Taxonomy]:
    """Read and check the CSV: known columns, well-formed unique codes, a source for every row."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise TaxonomyError(f"{path}: the columns must be {', '.join(COLUMNS)}.")
        found: dict[str, Taxonomy] = {}
        for line, row in enumerate(reader, start=2):
            item = Taxonomy(**{key: (row[key] or "").strip() for key in COLUMNS})
            if not CODE.match(item.code):
                raise TaxonomyError(f"{path}:{line}: {item.code!r} is not a NUCC taxonomy code (10 characters ending in X).")
            if item.code in found:
                raise TaxonomyError(f"{path}:{line}: {item.code} is listed twice.")
            if not (item.grouping and item.classification and item.display_name and item.source):
                raise TaxonomyError(f"{path}:{line}: grouping, classification, display name and source are required.")
            if item.confidence not in CONFIDENCE:
                raise TaxonomyError(f"{path}:{line}: confidence must be one of {', '.join(CONFIDENCE)}.")
            found[item.code] = item
    return found


@cache
def taxonomy() -> dict[str, Taxonomy]:
    return load_taxonomy()


def is_known(code: str) -> bool:
    return code in taxonomy()


def label(code: str) -> str:
    """A short, translated name for the specialty (str() it to get the active language)."""
    if code in SHORT_LABELS:
        return SHORT_LABELS[code]
    item = taxonomy().get(code)
    return item.display_name if item else code


def family(code: str) -> set[str]:
    """The code and, for a classification-level code, every specialization of that classification."""
    codes = {code}
    item = taxonomy().get(code)
    if item and item.is_classification:
        codes |= {
            other.code for other in taxonomy().values()
            if other.grouping == item.grouping and other.classification == item.classification
        }
    return codes


def classification_code(code: str) -> str | None:
    """The classification-level code above a specialization (2251X0800X -> 225100000X), if shipped."""
    item = taxonomy().get(code)
    if item is None:
        return None
    for other in taxonomy().values():
        if other.is_classification and (other.grouping, other.classification) == (item.grouping, item.classification):
            return other.code
    return None
