"""The inputs every safety rule reads: what we know about the patient and what is planned.

Plain frozen dataclasses, no Django, so the rules can run in the form, the API, the command line
and the tests alike. Both classes check their values on creation and raise ValueError (or the
vocabulary's VocabularyError, a ValueError) with a message a person can act on, so the rules
themselves can assume clean input and never raise.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Iterable

from anatomy import vocabulary
from safety import data_files

SIDES = ("left", "right")
ANAESTHETICS = ("lidocaine", "bupivacaine", "chloroprocaine")
AGENTS = ANAESTHETICS + ("saline", "dry-needling")
# Mixed into a syringe with a local anaesthetic (or given alone), dosed in mg; data/corticosteroids.toml.
STEROIDS = ("triamcinolone", "methylprednisolone", "dexamethasone")
ALLERGY_CLASSES = ("amide", "ester")

Number = Decimal | int | float | str


def to_decimal(value: Number, what: str) -> Decimal:
    """Exact decimal of a form value: floats go through str() so 0.1 stays 0.1, not 0.1000000000000000055."""
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number, not {value!r}.")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{what} must be a number, not {value!r}.") from None
    if not number.is_finite():
        raise ValueError(f"{what} must be a finite number, not {value!r}.")
    return number


def _optional_positive(value: Number | None, what: str) -> Decimal | None:
    if value is None or value == "":
        return None
    number = to_decimal(value, what)
    if number <= 0:
        raise ValueError(f"{what} must be more than 0 (leave it empty if not known).")
    return number


def parse_site(text: str) -> tuple[str, str | None]:
    """Read `muscle-code` or `muscle-code:left|right` (the anatomy app's place notation)."""
    code, _, side = text.strip().partition(":")
    vocabulary.muscle(code)
    side = side.lower() or None
    if side is not None and side not in SIDES:
        raise ValueError(f"Side must be left or right, not {side!r} (in {text!r}).")
    return code, side


@dataclass(frozen=True)
class PatientFacts:
    """What the rules need to know about the patient today.

    `infected_sites` holds muscle codes, either plain (`upper-trapezius`: infection over that muscle on
    either side) or with a side (`upper-trapezius:left`).
    """

    sex: str
    age_years: Number
    height_cm: Number | None = None
    weight_kg: Number | None = None
    pregnant: bool = False
    renal_disease: bool = False
    hepatic_disease: bool = False
    cardiac_disease: bool = False
    diabetes: bool = False
    bleeding_disorder: bool = False
    copd: bool = False
    on_anticoagulant: bool = False
    on_antiplatelet: bool = False
    allergy_classes: frozenset[str] = field(default_factory=frozenset)
    systemic_infection: bool = False
    infected_sites: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "sex", (self.sex or "").strip().lower())
        age = to_decimal(self.age_years, "Age")
        if age < 0:
            raise ValueError("Age cannot be negative.")
        set_(self, "age_years", age)
        set_(self, "height_cm", _optional_positive(self.height_cm, "Height"))
        set_(self, "weight_kg", _optional_positive(self.weight_kg, "Weight"))
        allergies = frozenset(a.strip().lower() for a in _as_strings(self.allergy_classes))
        unknown = allergies - set(ALLERGY_CLASSES)
        if unknown:
            raise ValueError(f"Allergy class must be amide or ester, not {', '.join(sorted(unknown))}.")
        set_(self, "allergy_classes", allergies)
        sites = frozenset(_as_strings(self.infected_sites))
        for text in sites:
            parse_site(text)
        set_(self, "infected_sites", sites)

    @property
    def bmi(self) -> Decimal | None:
        """Body-mass index, only when both height and weight are recorded."""
        if self.height_cm is None or self.weight_kg is None:
            return None
        metres = self.height_cm / 100
        return self.weight_kg / (metres * metres)

    def has_infection_at(self, muscle: str, side: str | None) -> bool:
        return muscle in self.infected_sites or (side is not None and f"{muscle}:{side}" in self.infected_sites)


GUIDANCE = ("none", "ultrasound")  # treatment's Injection.Guidance values (a test checks they are equal)


@dataclass(frozen=True)
class PlannedInjection:
    """One planned needle site: a muscle, its side, and what goes in.

    `agent` is one of AGENTS or STEROIDS; saline and dry needling carry no anaesthetic. A mixture
    (e.g. lidocaine with triamcinolone) is one PlannedInjection per agent at the same site; a
    corticosteroid's dose is `dose_mg`. `side` is left, right or
    None when not recorded (every muscle in the vocabulary is paired, so the form should ask for it).
    """

    muscle: str
    side: str | None
    agent: str
    concentration_pct: Number = 0
    with_epinephrine: bool = False
    volume_ml: Number = 0
    dose_mg: Number = 0
    guidance: str = "none"  # how the needle was guided: "none" (landmarks) or "ultrasound"

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        vocabulary.muscle(self.muscle)
        guidance = (self.guidance or "none").strip().lower()
        if guidance not in GUIDANCE:
            raise ValueError(f"Guidance must be one of {', '.join(GUIDANCE)}, not {self.guidance!r}.")
        set_(self, "guidance", guidance)
        side = (self.side or "").strip().lower() or None
        if side is not None and side not in SIDES:
            raise ValueError(f"Side must be left or right, not {self.side!r}.")
        set_(self, "side", side)
        agent = (self.agent or "").strip().lower()
        if agent not in AGENTS + STEROIDS:
            raise ValueError(f"Agent must be one of {', '.join(AGENTS + STEROIDS)}, not {self.agent!r}.")
        set_(self, "agent", agent)
        concentration = to_decimal(self.concentration_pct, "Concentration")
        volume = to_decimal(self.volume_ml, "Volume")
        if concentration < 0 or volume < 0:
            raise ValueError("Concentration and volume cannot be negative.")
        if concentration > 100:
            raise ValueError("Concentration is a percentage and cannot exceed 100.")
        if self.with_epinephrine and agent not in ANAESTHETICS:
            raise ValueError("Epinephrine is only recorded with a local anaesthetic.")
        dose = to_decimal(self.dose_mg or 0, "Dose")
        if dose < 0:
            raise ValueError("Dose cannot be negative.")
        set_(self, "concentration_pct", concentration)
        set_(self, "volume_ml", volume)
        set_(self, "dose_mg", dose)

    @property
    def is_anaesthetic(self) -> bool:
        return self.agent in ANAESTHETICS

    @property
    def is_steroid(self) -> bool:
        return self.agent in STEROIDS

    @property
    def has_injectate(self) -> bool:
        """Anything injected at all (saline counts); dry needling does not."""
        return self.agent != "dry-needling"

    @property
    def mg(self) -> Decimal:
        """Milligrams of anaesthetic: concentration % x mL x the conversion in dose_limits.toml
        (a 1% solution holds 10 mg/mL; CMAJ 2022 conversions)."""
        if not self.is_anaesthetic:
            return Decimal(0)
        return self.concentration_pct * data_files.dose_limits().mg_per_ml_per_pct * self.volume_ml


def _as_strings(values: Iterable[str] | str | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        return [values] if values.strip() else []
    return [v for v in values if v and v.strip()]
