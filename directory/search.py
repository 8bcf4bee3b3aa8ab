"""From a complaint or a body region, in the patient's words, to the specialties that see it.

`specialties_for("knee pain")` and `specialties_for("dolor de rodilla")` both give orthopaedic
surgery, sports medicine, physical therapy and PM&R codes, best first. The mapping lives in
data/complaints.toml; body-region codes and labels come from the anatomy vocabulary. Plain Python.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path

from directory import taxonomy

DATA_DIR = Path(__file__).resolve().parent / "data"
REQUIRED_LANGUAGES = ("en", "es")

# Words that say nothing about where or what: "knee pain" is about the knee, not about pain.
GENERIC = frozenset(
    "pain pains painful ache aches aching sore soreness hurt hurts hurting problem problems injury my "
    "dolor dolores duele duelen molestia molestias problema lesion mi mis "
    "الم وجع اوجاع مشكله".split()
)
STOPWORDS = frozenset(
    "a an and at for from i in is it of on or the to with "
    "a al con de del el en la las lo los me o para por que un una y "
    "في من على عن مع و".split()
)
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None})
WORD = re.compile(r"\w+", re.UNICODE)
REGION_CODE = re.compile(r"[a-z]+(?:\.[a-z-]+)?(?::(?:left|right))?")


class ComplaintError(ValueError):
    pass


@dataclass(frozen=True)
class Complaint:
    key: str
    label: dict[str, str]
    synonyms: dict[str, tuple[str, ...]]
    regions: tuple[str, ...]
    specialties: tuple[tuple[str, float], ...]

    def label_for(self, lang: str) -> str:
        return self.label.get(lang) or self.label["en"]

    def covers_region(self, region_code: str) -> bool:
        return any(fnmatchcase(region_code, pattern) for pattern in self.regions)


@dataclass(frozen=True)
class ComplaintMatch:
    complaint: Complaint
    score: float


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", stripped).translate(_ARABIC_FOLD)


def tokens(text: str) -> list[str]:
    out = []
    for token in WORD.findall(fold(text)):
        if token.startswith("ال") and len(token) > 4:
            token = token[2:]
        if token not in STOPWORDS:
            out.append(token)
    return out


def _content(words: list[str]) -> list[str]:
    return [word for word in words if word not in GENERIC]


def _same_word(a: str, b: str) -> bool:
    """Equal, or a plural / short form of each other: rodilla ~ rodillas, knee ~ knees."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.startswith(short) and len(long) - len(short) <= 2


def load_complaints(path: Path | str = DATA_DIR / "complaints.toml") -> list[Complaint]:
    """Read and check the mapping: every code in the NUCC data, regions known, en and es synonyms."""
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    try:
        from anatomy.vocabulary import regions
        region_codes = list(regions())
    except ImportError:
        region_codes = None
    known = taxonomy.taxonomy()
    complaints, seen, problems = [], set(), []
    for entry in data.get("complaint", []):
        key = entry.get("key", "?")
        if key in seen:
            problems.append(f"{key}: listed twice.")
        seen.add(key)
        synonyms = {lang: tuple(words) for lang, words in entry.get("synonyms", {}).items()}
        label = dict(entry.get("label", {}))
        for lang in REQUIRED_LANGUAGES:
            if not synonyms.get(lang):
                problems.append(f"{key}: no synonyms in {lang}.")
            if not label.get(lang):
                problems.append(f"{key}: no label in {lang}.")
        specialties = []
        for item in entry.get("specialties", []):
            code, weight = item.get("code"), item.get("weight")
            if code not in known:
                problems.append(f"{key}: {code} is not in nucc_taxonomy.csv.")
            if not isinstance(weight, (int, float)) or not 0 < weight <= 1:
                problems.append(f"{key}: weight for {code} must be above 0 and at most 1.")
            specialties.append((code, float(weight or 0)))
        if not specialties:
            problems.append(f"{key}: no specialties.")
        patterns = tuple(entry.get("regions", []))
        if region_codes is not None:
            for pattern in patterns:
                if not any(fnmatchcase(code, pattern) for code in region_codes):
                    problems.append(f"{key}: region pattern {pattern!r} matches no body region.")
        complaints.append(Complaint(key, label, synonyms, patterns, tuple(specialties)))
    if problems:
        raise ComplaintError("complaints.toml has problems:\n" + "\n".join(problems))
    return complaints


@cache
def complaints() -> tuple[Complaint, ...]:
    return tuple(load_complaints())


@cache
def _region_words() -> list[tuple[str, list[str]]]:
    """Each body region with the content words of its English label and group: knee.front -> front, knee."""
    try:
        from anatomy.vocabulary import regions
    except ImportError:
        return []
    return [
        (code, _content(tokens(f"{region.label}")))
        for code, region in regions().items()
    ]


def _phrase_in(phrase: list[str], query: list[str]) -> bool:
    n = len(phrase)
    return any(all(_same_word(p, q) for p, q in zip(phrase, query[i:i + n])) for i in range(len(query) - n + 1))


def _synonym_score(synonym: str, query_words: list[str]) -> float:
    words = tokens(synonym)
    content = _content(words)
    if not content:
        return 0.0
    if _phrase_in(words, query_words):
        return 1.0
    query_content = _content(query_words)
    matched = sum(1 for word in content if any(_same_word(word, q) for q in query_content))
    if matched == len(content):
        return 0.9
    return 0.5 * matched / len(content) if matched else 0.0


def match_complaints(query: str) -> list[ComplaintMatch]:
    """Complaints the query names, by synonym (any language), region code or body-region label."""
    query = (query or "").strip()[:200]
    if not query:
        return []
    query_words = tokens(query)
    region_codes = {match.split(":")[0] for match in REGION_CODE.findall(query.lower()) if "." in match}
    region_codes |= {
        code for code, words in _region_words()
        if words and all(any(_same_word(word, q) for q in _content(query_words)) for word in words)
    }
    found = []
    for complaint in complaints():
        best = max(
            (_synonym_score(synonym, query_words) for words in complaint.synonyms.values() for synonym in words),
            default=0.0,
        )
        if any(complaint.covers_region(code) for code in region_codes):
            best = max(best, 0.95)
        if best > 0:
            found.append(ComplaintMatch(complaint, round(best, 4)))
    found.sort(key=lambda match: (-match.score, match.complaint.key))
    return found


def specialties_for(query: str) -> list[tuple[str, float]]:
    """Taxonomy codes for a complaint or body region, as (code, score from 0 to 1), best first."""
    scores: dict[str, float] = {}
    for match in match_complaints(query):
        for code, weight in match.complaint.specialties:
            scores[code] = max(scores.get(code, 0.0), round(match.score * weight, 4))
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


SPECIALIZATION_DISCOUNT = 0.85


def specialty_scores_for_codes(matches: list[tuple[str, float]]) -> dict[str, float]:
    """Spread the scores to specializations: a match on Physical Therapist also scores Orthopedic PT.

    A specialization that the mapping did not name itself scores a little less than its
    classification, so for knee pain a general orthopaedic surgeon ranks above a foot and ankle one.
    """
    spread = dict(matches)
    for code, score in matches:
        for member in taxonomy.family(code) - {code}:
            if member not in dict(matches):
                spread[member] = max(spread.get(member, 0.0), round(score * SPECIALIZATION_DISCOUNT, 4))
    return spread
