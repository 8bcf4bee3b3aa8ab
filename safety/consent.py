"""The consent form's text, per language, from data/consent_forms.toml.

A form is always in one language: the patient's preferred one when we have it, otherwise English
with a notice saying so (never a mix of two languages in one document).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tpclinic import language

DATA = Path(__file__).resolve().parent / "data" / "consent_forms.toml"
FALLBACK = "en"
FALLBACK_NOTICE = "This form is not yet available in your preferred language ({wanted}); it is shown in English."


@dataclass(frozen=True, eq=False)
class ConsentForm:
    version: str
    language: str
    wanted_language: str
    status: str  # draft or clinically-reviewed
    reviewer: str
    status_date: object
    title: str
    intro: str
    risks_heading: str
    risks: tuple[str, ...]
    alternatives: str
    flags_heading: str
    statement: str
    flag_texts: dict

    def flag_text(self, rule: str) -> str | None:
        return self.flag_texts.get(rule)

    @property
    def is_fallback(self) -> bool:
        return self.language != self.wanted_language

    @property
    def fallback_notice(self) -> str:
        return FALLBACK_NOTICE.format(wanted=self.wanted_language) if self.is_fallback else ""

    @property
    def direction(self) -> str:
        return language.direction(self.language)


@cache
def _data() -> dict:
    with open(DATA, "rb") as handle:
        return tomllib.load(handle)


def languages() -> list[str]:
    return sorted(_data()["forms"])


def form_for(language_tag: str) -> ConsentForm:
    """Best match for a BCP 47 tag: exact, then its primary language (es-MX -> es), then English."""
    forms = _data()["forms"]
    wanted = (language_tag or FALLBACK).strip()
    chosen = language.supported(wanted)
    if chosen not in forms:
        chosen = FALLBACK
    text = forms[chosen]
    return ConsentForm(
        version=_data()["version"], language=chosen, wanted_language=wanted.split("-")[0].lower(),
        status=text["status"], reviewer=text["reviewer"], status_date=text.get("status_date"), title=text["title"], intro=text["intro"],
        risks_heading=text["risks_heading"], risks=tuple(text["risks"]), alternatives=text["alternatives"],
        flags_heading=text["flags_heading"], statement=text["statement"],
        flag_texts=dict(_data().get("flags", {}).get(chosen, {})),
    )
