"""CPT and ICD-10-CM coding for a TPI session (research brief section 4).

CPT: 20552/20553 are reported once per session by the number of muscles injected, however many
needle sites (CPT Assistant; ACR injection FAQ); left and right muscles of the same name count as
two (AAPC). Dry needling without injectate is 20560 (1-2 muscles) / 20561 (3+), new in 2020 (APTA).

Our choice for a session that mixes injections and dry needling: one code per session, the TPI code,
counting the injected muscles only; the dry-needled muscles are listed in the notes so the biller can
decide (payers rarely pay both, and Medicare covers dry needling only as acupuncture for chronic low
back pain, NCD 30.3.3). A muscle both injected and dry-needled counts as injected.

ICD-10-CM: checked against the installed simple_icd_10_cm code set; only billable (leaf) codes pass.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import Any, Iterable

from anatomy import vocabulary
from safety.data_files import imaging_guidance, payer_policy
from safety.facts import PlannedInjection
from safety.findings import Note

SRC_CPT = "CPT 20552/20553 (CPT Assistant; ACR Injection FAQs; AAPC on left/right), 20560/20561 (APTA 2020)"

# M79.1x diagnoses by muscle group (USC orofacial program mapping, research brief section 4):
# jaw-muscle myalgia -> M79.11, cervical (auxiliary head and neck muscles) -> M79.12, other sites -> M79.18.
TPI_DIAGNOSES = ("M79.10", "M79.11", "M79.12", "M79.18")
DIAGNOSIS_BY_GROUP = {"jaw": "M79.11", "neck": "M79.12", "neck-shoulder": "M79.12"}
OTHER_SITE = "M79.18"
SRC_ICD = ("ICD-10-CM April 2026 code set (simple_icd_10_cm 1.5); M79.10-M79.18 took effect 1 October 2021 "
           "(FY2022 code set), since when M79.1 itself is a category, not billable")
# The payer whose covered-diagnosis list the check quotes (data/payer_policies.toml).
COVERAGE_POLICY = "medicare-uniform-tpi-2024"
SRC_MAPPING = "USC orofacial pain program mapping: jaw M79.11, cervical M79.12, other/referral M79.18"
CODE_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")


@dataclass(frozen=True)
class CptResult:
    codes: tuple[str, ...]  # empty or exactly one code: reported once per session
    muscle_count: int  # muscles counted for the code (left and right apart)
    notes: tuple[Note, ...] = ()
    source: str = SRC_CPT
    # Why this code, as plain values (safety/present.py words it): `code`, `count` and the counted
    # `sites` as [muscle, side or None]; empty when no code applies.
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def code(self) -> str | None:
        return self.codes[0] if self.codes else None


# The rule id of imaging_addon's note, by which signing and the superbill find it (the Note below spells it
# out: safety/tests/test_present.py reads every emitted rule id from the Note calls' literals).
IMAGING_ADDON = "cpt-imaging-addon"


def imaging_addon(injections: list[PlannedInjection], counted: list[tuple[str, str | None]],
                  payer_code: str | None) -> list[Note]:
    """The add-on code for imaging guidance of the needle (payer_policies.toml [imaging_guidance]) at the
    counted sites where it was used, with the patient's payer's word on covering it (`covered`: True,
    False, or None when the payer is not known or its policy does not say)."""
    guided: dict[str, list] = {}
    for injection in injections:
        site = (injection.muscle, injection.side)
        if injection.guidance != "none" and site in counted and site not in guided.setdefault(injection.guidance, []):
            guided[injection.guidance].append(site)
    data = imaging_guidance()
    policy = payer_policy(payer_code) if payer_code and payer_code != "none" else None
    return [Note("cpt-imaging-addon", {
        "code": data.codes[kind], "guidance": kind, "sites": [[m, side] for m, side in sites],
        "covered": policy.imaging_guidance_covered if policy else None,
        "policy": policy.code if policy else None, "policy_name": policy.name if policy else None,
    }) for kind, sites in guided.items() if sites and kind in data.codes]


def cpt_for_session(injections: Iterable[PlannedInjection], payer_code: str | None = None) -> CptResult:
    """The session's procedure code; with `payer_code`, an imaging-guidance add-on is noted with the
    payer's word on it (the add-on is a suggestion beside the code, not one of `codes`)."""
    injections = list(injections)
    injected = list(dict.fromkeys((i.muscle, i.side) for i in injections if i.has_injectate))
    needled = [
        site for site in dict.fromkeys((i.muscle, i.side) for i in injections if not i.has_injectate)
        if site not in injected
    ]
    notes = []
    unsided = sorted({m for m, side in injected + needled if side is None})
    if unsided:
        notes.append(Note("cpt-side-missing", {"muscles": unsided}))
    if injected:
        count, code = len(injected), "20552" if len(injected) <= 2 else "20553"
        if needled:
            notes.append(Note("cpt-also-needled", {"sites": [[m, side] for m, side in needled]}))
        counted = injected
    elif needled:
        count, code = len(needled), "20560" if len(needled) <= 2 else "20561"
        notes.append(Note("cpt-dry-needling-medicare"))
        counted = needled
    else:
        return CptResult((), 0, tuple(notes))
    notes.extend(imaging_addon(injections, counted, payer_code))
    params = {"code": code, "count": count, "sites": [[muscle, side] for muscle, side in counted]}
    return CptResult((code,), count, tuple(notes), params=params)


# ---------------------------------------------------------------- ICD-10-CM


@dataclass(frozen=True)
class DiagnosisCheck:
    ok: bool
    code: str | None  # normalised dotted uppercase, None when the input is not code-shaped
    description: str | None
    # Why, as a rule id and its facts (safety/present.py words it): icd-not-a-code (`text`),
    # icd-category (`billable`: [[code, description]...] up to 8, `more`) or icd-billable (`covered`:
    # True, False or None for an incomplete list; `policy`, `policy_name`, `listed`; `list_checked`: the list
    # was read in the billing article itself, not only in reports of it).
    verdict: Note
    expected_for_tpi: bool = False
    source: str = SRC_ICD


def _icd():
    """The code-set package warns on import (deprecated importlib API in 1.5); keep that out of our output."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm

    return simple_icd_10_cm


def preload() -> None:
    """Load the code set now: about 2 s of CPU, which an app server pays at start (tpclinic/wsgi.py)
    rather than inside its first signing, while that holds the session's row lock."""
    _icd()


def normalise_icd(text: str) -> str | None:
    """`m7918`, `M79.18 ` and `M79.18` all become `M79.18`; None when it cannot be a code."""
    compact = re.sub(r"[\s.]", "", text or "").upper()
    if not CODE_SHAPE.match(compact):
        return None
    return compact if len(compact) == 3 else f"{compact[:3]}.{compact[3:]}"


def check_diagnosis(text: str) -> DiagnosisCheck:
    code = normalise_icd(text)
    icd = _icd()
    if code is None or not icd.is_valid_item(code):
        return DiagnosisCheck(False, code, None, Note("icd-not-a-code", {"text": (text or "").strip()}))
    description = icd.get_description(code)
    if not icd.is_leaf(code):
        billable = [c for c in icd.get_descendants(code) if icd.is_leaf(c)]
        return DiagnosisCheck(False, code, description, Note("icd-category", {
            "code": code, "description": description,
            "billable": [[c, icd.get_description(c)] for c in billable[:8]], "more": max(len(billable) - 8, 0)}))
    policy = payer_policy(COVERAGE_POLICY)
    covered = policy.covers_diagnosis(code)
    expected = code in TPI_DIAGNOSES or bool(covered)
    return DiagnosisCheck(True, code, description, Note("icd-billable", {
        "code": code, "description": description, "covered": covered, "policy": policy.code,
        "policy_name": policy.name, "listed": list(policy.covered_diagnoses),
        "list_checked": policy.covered_diagnoses_checked}), expected)


@dataclass(frozen=True)
class DiagnosisSuggestion:
    code: str
    description: str
    muscles: tuple[str, ...]
    source: str = SRC_MAPPING


def suggest_diagnosis(muscle_codes: Iterable[str]) -> tuple[DiagnosisSuggestion, ...]:
    """M79.11 for jaw muscles, M79.12 for head and neck, M79.18 for the rest; one entry per code used.

    These codes carry no laterality: record the side in the structured injection data.
    """
    grouped: dict[str, list[str]] = {}
    for code in dict.fromkeys(muscle_codes):
        group = vocabulary.muscle(code).group
        grouped.setdefault(DIAGNOSIS_BY_GROUP.get(group, OTHER_SITE), []).append(code)
    icd = _icd()
    return tuple(
        DiagnosisSuggestion(icd_code, icd.get_description(icd_code), tuple(grouped[icd_code]))
        for icd_code in sorted(grouped)
    )
