"""Read and check the versioned rule data in safety/data/*.toml (stdlib tomllib, cached).

Numbers are read as exact Decimals so limits at the edge compare exactly. Every file is checked
on load: a muscle code the vocabulary does not know, a muscle without risk data or a value out of
range raises DataFileError naming the file and entry, so a bad edit fails the tests, not a clinic.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from anatomy import vocabulary

DATA_DIR = Path(__file__).resolve().parent / "data"
RECALLED = "recalled — verify"
VERIFIED = "verified"  # every field of the entry was checked against an opened source
PNEUMOTHORAX_LEVELS = ("none", "moderate", "high")
RISK_FIELDS = ("pneumothorax", "deep_noncompressible", "avoid", "note")
REDUCTION_CONDITIONS = ("pregnant", "renal_disease", "hepatic_disease", "cardiac_disease")


class DataFileError(ValueError):
    """A rule data file that does not match what the rules expect."""


def _read(name: str) -> dict:
    with open(DATA_DIR / name, "rb") as handle:
        return tomllib.load(handle, parse_float=Decimal)


def _dec(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise DataFileError(f"{where}: expected a number, got {value!r}.")
    number = Decimal(value)
    if number <= 0:
        raise DataFileError(f"{where}: must be more than 0.")
    return number


def _sources(keys: list[str], table: Mapping[str, str], where: str) -> tuple[str, ...]:
    missing = [key for key in keys if key not in table]
    if missing:
        raise DataFileError(f"{where}: unknown source key(s) {', '.join(missing)}.")
    return tuple(table[key] for key in keys)


# ---------------------------------------------------------------- dose limits


@dataclass(frozen=True)
class Limit:
    mg_per_kg: Decimal
    max_mg: Decimal


@dataclass(frozen=True)
class Agent:
    code: str
    name: str
    drug_class: str  # amide or ester
    plain: Limit
    with_epinephrine: Limit
    sources: tuple[str, ...]
    note: str = ""
    infiltration_pct: tuple[Decimal, ...] = ()  # the label's strengths for local infiltration
    starting_pct: Decimal | None = None  # the strength a clinician's default row starts at

    def limit(self, with_epinephrine: bool) -> Limit:
        return self.with_epinephrine if with_epinephrine else self.plain


@dataclass(frozen=True)
class DoseLimits:
    version: str
    mg_per_ml_per_pct: Decimal
    male_base_kg: Decimal
    female_base_kg: Decimal
    base_height_cm: Decimal
    kg_per_cm: Decimal
    floor_bmi: Decimal  # ideal body weight is never below the weight at this BMI for the height
    ibw_sources: tuple[str, ...]
    reduction_factor: Decimal
    reduction_age: Decimal
    reduction_conditions: tuple[str, ...]
    reduction_sources: tuple[str, ...]
    caution_from: Decimal
    over_above: Decimal
    agents: Mapping[str, Agent]


@cache
def dose_limits() -> DoseLimits:
    raw = _read("dose_limits.toml")
    sources = raw["sources"]
    agents = {}
    for code, entry in raw["agents"].items():
        where = f"dose_limits.toml [agents.{code}]"
        if entry["class"] not in ("amide", "ester"):
            raise DataFileError(f"{where}: class must be amide or ester.")
        agents[code] = Agent(
            code=code,
            name=entry["name"],
            drug_class=entry["class"],
            plain=Limit(_dec(entry["plain"]["mg_per_kg"], where), _dec(entry["plain"]["max_mg"], where)),
            with_epinephrine=Limit(
                _dec(entry["with_epinephrine"]["mg_per_kg"], where), _dec(entry["with_epinephrine"]["max_mg"], where)
            ),
            sources=_sources(entry["sources"], sources, where),
            note=entry.get("note", ""),
            infiltration_pct=tuple(_dec(pct, where) for pct in entry["infiltration_pct"]),
            starting_pct=_dec(entry["starting_pct"], where),
        )
        if agents[code].starting_pct not in agents[code].infiltration_pct:
            raise DataFileError(f"{where}: starting_pct must be one of the label's infiltration_pct.")
    ibw, reduction, thresholds = raw["ideal_body_weight"], raw["reduction"], raw["thresholds"]
    factor = _dec(reduction["factor"], "dose_limits.toml [reduction] factor")
    if not factor < 1:
        raise DataFileError("dose_limits.toml [reduction] factor must be below 1.")
    unknown = set(reduction["conditions"]) - set(REDUCTION_CONDITIONS)
    if unknown:
        raise DataFileError(f"dose_limits.toml [reduction]: unknown condition(s) {', '.join(sorted(unknown))}.")
    caution, over = _dec(thresholds["caution_from"], "thresholds"), _dec(thresholds["over_above"], "thresholds")
    if not caution < over:
        raise DataFileError("dose_limits.toml [thresholds]: caution_from must be below over_above.")
    return DoseLimits(
        version=raw["version"],
        mg_per_ml_per_pct=_dec(raw["conversion"]["mg_per_ml_per_pct"], "conversion"),
        male_base_kg=_dec(ibw["male_base_kg"], "ideal_body_weight"),
        female_base_kg=_dec(ibw["female_base_kg"], "ideal_body_weight"),
        base_height_cm=_dec(ibw["base_height_cm"], "ideal_body_weight"),
        kg_per_cm=_dec(ibw["kg_per_cm"], "ideal_body_weight"),
        floor_bmi=_dec(ibw["floor_bmi"], "ideal_body_weight"),
        ibw_sources=_sources(ibw["sources"], sources, "ideal_body_weight"),
        reduction_factor=factor,
        reduction_age=_dec(reduction["age_years_at_least"], "reduction"),
        reduction_conditions=tuple(reduction["conditions"]),
        reduction_sources=_sources(reduction["sources"], sources, "reduction"),
        caution_from=caution,
        over_above=over,
        agents=MappingProxyType(agents),
    )


# ---------------------------------------------------------------- muscle risks


@dataclass(frozen=True)
class MuscleRisk:
    muscle: str
    pneumothorax: str  # none, moderate or high
    deep_noncompressible: bool
    avoid: tuple[str, ...]
    sources: tuple[str, ...]
    confidence: str
    note: str = ""

    @property
    def recalled(self) -> bool:
        return self.confidence == RECALLED


@cache
def muscle_risks() -> Mapping[str, MuscleRisk]:
    raw = _read("muscle_risks.toml")
    known = vocabulary.muscles()
    entries = raw["muscles"]
    unknown = set(entries) - set(known)
    if unknown:
        raise DataFileError(f"muscle_risks.toml: codes not in the vocabulary: {', '.join(sorted(unknown))}.")
    missing = [code for code in known if code not in entries]
    if missing:
        raise DataFileError(f"muscle_risks.toml: no risk entry for {', '.join(missing)}.")
    risks = {}
    for code in known:
        entry, where = entries[code], f"muscle_risks.toml [muscles.{code}]"
        if entry["pneumothorax"] not in PNEUMOTHORAX_LEVELS:
            raise DataFileError(f"{where}: pneumothorax must be one of {', '.join(PNEUMOTHORAX_LEVELS)}.")
        if not isinstance(entry["deep_noncompressible"], bool):
            raise DataFileError(f"{where}: deep_noncompressible must be true or false.")
        if not entry["sources"]:
            raise DataFileError(f"{where}: name at least one source.")
        unknown_fields = set(entry.get("verified", ())) - set(RISK_FIELDS)
        if unknown_fields:
            raise DataFileError(f"{where}: verified names unknown field(s) {', '.join(sorted(unknown_fields))}.")
        opened = [key for key in entry["sources"] if "recalled" not in raw["sources"].get(key, "recalled").lower()]
        if entry.get("verified") and not opened:
            raise DataFileError(f"{where}: verified fields need a source that was opened, not only a recalled one.")
        carried = [field for field in RISK_FIELDS if field != "note" or entry.get("note")]
        still_recalled = [field for field in carried if field not in entry.get("verified", ())]
        if entry["confidence"] not in (RECALLED, VERIFIED):
            raise DataFileError(f"{where}: confidence must be {RECALLED!r} or {VERIFIED!r}.")
        if entry["confidence"] == VERIFIED and still_recalled:
            raise DataFileError(f"{where}: confidence {VERIFIED!r} needs every field verified; "
                                f"still recalled: {', '.join(still_recalled)}.")
        if entry["confidence"] == RECALLED and not still_recalled:
            raise DataFileError(f"{where}: every field is verified, so confidence must be {VERIFIED!r}.")
        risks[code] = MuscleRisk(
            muscle=code,
            pneumothorax=entry["pneumothorax"],
            deep_noncompressible=entry["deep_noncompressible"],
            avoid=tuple(entry["avoid"]),
            sources=_sources(entry["sources"], raw["sources"], where),
            confidence=entry["confidence"],
            note=entry.get("note", ""),
        )
    return MappingProxyType(risks)


def muscle_risk(code: str) -> MuscleRisk:
    vocabulary.muscle(code)
    return muscle_risks()[code]


# ---------------------------------------------------------------- payer policies


@dataclass(frozen=True)
class PayerPolicy:
    code: str
    name: str
    min_days_same_location: int | None = None
    max_sessions: int | None = None
    window_days: int | None = None
    repeat_needs_relief: bool = False
    relief_min_pct: int | None = None
    relief_min_weeks: int | None = None
    single_region_per_session: bool = False
    repeat_needs_function: bool = False
    repeat_needs_rehabilitation: bool = False
    covered_diagnoses: tuple[str, ...] = ()  # billable ICD-10-CM codes the payer lists as covered
    covered_diagnoses_complete: bool = False  # False: a code outside the list may still be covered
    covered_diagnoses_checked: bool = False  # True once read in the billing article itself, not in reports of it
    covered_diagnoses_sources: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    note: str = ""
    imaging_guidance_covered: bool | None = None  # None: the file does not say
    imaging_guidance_sources: tuple[str, ...] = ()

    def covers_diagnosis(self, code: str) -> bool | None:
        """True when listed, False when the list is complete and the code is not on it, else None."""
        if code in self.covered_diagnoses:
            return True
        return False if self.covered_diagnoses_complete else None


COVERED_LIST_CHECKED = ("article", "secondary")  # payer_policies.toml covered_diagnoses.checked
ICD_CODE = re.compile(r"^[A-Z][0-9][0-9A-Z]\.[0-9A-Z]{1,4}$")  # a dotted code below its category


def _covered_diagnoses(entry: dict, where: str) -> dict:
    table = entry.get("covered_diagnoses")
    if table is None:
        return {}
    where = f"{where}.covered_diagnoses"
    codes = list(table.get("codes", ()))
    bad = [code for code in codes if not (isinstance(code, str) and ICD_CODE.match(code))]
    if bad or not codes or len(set(codes)) != len(codes):
        raise DataFileError(f"{where}: codes must be distinct dotted ICD-10-CM codes (e.g. M79.18), "
                            f"not {bad or codes!r}.")
    if table.get("checked") not in COVERED_LIST_CHECKED or not isinstance(table.get("complete"), bool):
        raise DataFileError(f"{where}: checked is one of {', '.join(COVERED_LIST_CHECKED)} and complete is true or "
                            f"false.")
    if not table.get("sources"):
        raise DataFileError(f"{where}: name the sources of the list.")
    return {"covered_diagnoses": tuple(codes), "covered_diagnoses_complete": table["complete"],
            "covered_diagnoses_checked": table["checked"] == "article",
            "covered_diagnoses_sources": tuple(table["sources"])}


def _positive_int(entry: dict, key: str, where: str) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise DataFileError(f"{where}: {key} must be a whole number above 0.")
    return value


@cache
def payer_policies() -> Mapping[str, PayerPolicy]:
    raw = _read("payer_policies.toml")
    policies = {}
    for code, entry in raw["policies"].items():
        where = f"payer_policies.toml [policies.{code}]"
        ints = {
            key: _positive_int(entry, key, where)
            for key in ("min_days_same_location", "max_sessions", "window_days", "relief_min_pct", "relief_min_weeks")
        }
        if (ints["max_sessions"] is None) != (ints["window_days"] is None):
            raise DataFileError(f"{where}: max_sessions and window_days go together.")
        policies[code] = PayerPolicy(
            code=code,
            name=entry["name"],
            repeat_needs_relief=bool(entry.get("repeat_needs_relief", False)),
            single_region_per_session=bool(entry.get("single_region_per_session", False)),
            repeat_needs_function=bool(entry.get("repeat_needs_function", False)),
            repeat_needs_rehabilitation=bool(entry.get("repeat_needs_rehabilitation", False)),
            sources=tuple(entry.get("sources", ())),
            note=entry.get("note", ""),
            imaging_guidance_covered=entry.get("imaging_guidance_covered"),
            imaging_guidance_sources=tuple(entry.get("imaging_guidance_sources", ())),
            **_covered_diagnoses(entry, where),
            **ints,
        )
        covered = policies[code].imaging_guidance_covered
        if covered is not None and (not isinstance(covered, bool) or not policies[code].imaging_guidance_sources):
            raise DataFileError(f"{where}: imaging_guidance_covered is true or false, with imaging_guidance_sources.")
    if "none" not in policies:
        raise DataFileError("payer_policies.toml: the 'none' policy is required.")
    return MappingProxyType(policies)


@dataclass(frozen=True)
class ImagingGuidance:
    """The add-on code for each kind of needle guidance (payer_policies.toml [imaging_guidance])."""

    codes: Mapping[str, str]
    sources: tuple[str, ...]


@cache
def imaging_guidance() -> ImagingGuidance:
    raw = _read("payer_policies.toml").get("imaging_guidance", {})
    codes = dict(raw.get("codes", {}))
    for guidance, code in codes.items():
        if not (isinstance(code, str) and code.isdigit() and len(code) == 5):
            raise DataFileError(f"payer_policies.toml [imaging_guidance.codes] {guidance}: a 5-digit CPT code, "
                                f"not {code!r}.")
    if codes and not raw.get("sources"):
        raise DataFileError("payer_policies.toml [imaging_guidance]: name the sources of the codes.")
    return ImagingGuidance(MappingProxyType(codes), tuple(raw.get("sources", ())))


def payer_policy(code: str) -> PayerPolicy:
    try:
        return payer_policies()[code]
    except KeyError:
        known = ", ".join(payer_policies())
        raise ValueError(f"Unknown payer policy {code!r}; known: {known}.") from None


# ---------------------------------------------------------------- Medicare LCDs

LCD_STATUSES = ("active", "retired")
# How far an LCD entry was confirmed (payer_policies.toml explains each); "summary" counts as unverified.
LCD_CHECKED = ("cms-page", "cms-data", "summary")
LCD_NUMBER = re.compile(r"^L[0-9]{5}$")
ARTICLE_NUMBER = re.compile(r"^A[0-9]{5}$")


@dataclass(frozen=True)
class Lcd:
    """A Medicare Local Coverage Determination for trigger point injections, as far as a source states it."""

    number: str
    title: str
    contractor: str
    jurisdiction: str  # "" when no opened record states it
    policy: str  # the payer policy whose rules it is; "" when its rules are not encoded
    status: str
    effective: date
    retired: date | None
    article: str  # its billing and coding article, "" when not known
    url: str
    checked: str
    source: str

    @property
    def confirmed(self) -> bool:
        return self.checked != "summary"


@cache
def lcds() -> tuple[Lcd, ...]:
    """payer_policies.toml [[lcds]], checked: numbers distinct and well formed, a known policy, dates in order."""
    result, seen = [], set()
    for index, entry in enumerate(_read("payer_policies.toml").get("lcds", ())):
        where = f"payer_policies.toml [[lcds]] #{index + 1} ({entry.get('number')!r})"
        number, article = entry.get("number", ""), entry.get("article", "")
        if not isinstance(number, str) or not LCD_NUMBER.match(number) or number in seen:
            raise DataFileError(f"{where}: number must be a distinct LCD number like L39713.")
        seen.add(number)
        if article and not ARTICLE_NUMBER.match(article):
            raise DataFileError(f"{where}: article must be an article number like A59553.")
        if entry.get("policy") and entry["policy"] not in payer_policies():
            raise DataFileError(f"{where}: unknown policy {entry['policy']!r}.")
        if entry.get("status") not in LCD_STATUSES or entry.get("checked") not in LCD_CHECKED:
            raise DataFileError(f"{where}: status is one of {', '.join(LCD_STATUSES)} and checked one of "
                                f"{', '.join(LCD_CHECKED)}.")
        effective, retired = entry.get("effective"), entry.get("retired")
        if not isinstance(effective, date) or (retired is None) != (entry["status"] == "active") or (
                retired is not None and not (isinstance(retired, date) and retired >= effective)):
            raise DataFileError(f"{where}: an effective date, and a retirement date (not before it) exactly when "
                                f"retired.")
        if not (entry.get("contractor") and entry.get("title") and entry.get("source")
                and str(entry.get("url", "")).startswith("https://")):
            raise DataFileError(f"{where}: name its contractor, title, https URL and source.")
        result.append(Lcd(number=number, title=entry["title"], contractor=entry["contractor"],
                          jurisdiction=entry.get("jurisdiction", ""), policy=entry.get("policy", ""),
                          status=entry["status"], effective=effective, retired=retired, article=article,
                          url=entry["url"], checked=entry["checked"], source=entry["source"]))
    return tuple(result)


# ---------------------------------------------------------------- corticosteroids


@dataclass(frozen=True)
class Steroid:
    code: str
    name: str
    equivalent_mg: Decimal  # mg of this steroid equivalent to `Corticosteroids.dexamethasone_mg` of dexamethasone
    warn_above_mg: Decimal | None
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Corticosteroids:
    version: str
    dexamethasone_mg: Decimal
    session_warn_above_dex_mg: Decimal
    session_sources: tuple[str, ...]
    agents: Mapping[str, Steroid]
    window_days: int = 365
    window_warn_above_dex_mg: Decimal | None = None
    window_sources: tuple[str, ...] = ()
    diabetes_sources: tuple[str, ...] = ()
    repeat_site_days: int = 90
    repeat_site_sources: tuple[str, ...] = ()

    @property
    def history_days(self) -> int:
        """How far back a patient's earlier steroid doses matter to any check (window total or same site)."""
        return max(self.window_days, self.repeat_site_days)

    def dexamethasone_equivalent(self, code: str, mg: Decimal) -> Decimal:
        return mg * self.dexamethasone_mg / self.agents[code].equivalent_mg


@cache
def corticosteroids() -> Corticosteroids:
    raw = _read("corticosteroids.toml")
    sources = raw["sources"]
    agents = {}
    for code, entry in raw["agents"].items():
        where = f"corticosteroids.toml [agents.{code}]"
        cap = entry.get("warn_above_mg")
        agents[code] = Steroid(code=code, name=entry["name"], equivalent_mg=_dec(entry["equivalent_mg"], where),
                               warn_above_mg=_dec(cap, where) if cap is not None else None,
                               sources=_sources(entry["sources"], sources, where))
    session, window = raw["session"], raw["window"]
    days, window_cap = window["days"], window.get("warn_above_dexamethasone_equivalent_mg")
    repeat = raw["repeat_site"]
    for section, value in (("window", days), ("repeat_site", repeat["days"])):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise DataFileError(f"corticosteroids.toml [{section}]: days must be a whole number of days, not {value!r}.")
    return Corticosteroids(
        version=raw["version"],
        dexamethasone_mg=_dec(raw["equivalence"]["dexamethasone_equivalent_mg"], "corticosteroids.toml [equivalence]"),
        session_warn_above_dex_mg=_dec(session["warn_above_dexamethasone_equivalent_mg"], "corticosteroids.toml [session]"),
        session_sources=_sources(session["sources"], sources, "corticosteroids.toml [session]"),
        agents=MappingProxyType(agents),
        window_days=days,
        window_warn_above_dex_mg=_dec(window_cap, "corticosteroids.toml [window]") if window_cap is not None else None,
        window_sources=_sources(window["sources"], sources, "corticosteroids.toml [window]"),
        diabetes_sources=_sources(raw["diabetes"]["sources"], sources, "corticosteroids.toml [diabetes]"),
        repeat_site_days=repeat["days"],
        repeat_site_sources=_sources(repeat["sources"], sources, "corticosteroids.toml [repeat_site]"),
    )
