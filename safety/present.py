"""The safety rules' messages in the reader's language.

The rule modules (screen, dose, coding, payer) stay plain Python: they give every finding an
English `message` (kept as it is for the API, FHIR and logs) and its facts in `params` (muscle codes,
numbers as strings, ISO dates, agent and policy ids). This module words those facts again with the
catalog (locale/<lang>/LC_MESSAGES/django.po), one wording per rule id, and fills in localised
values: muscle names from anatomy/data/labels, agent names from Injection.Agent, numbers with the
language's decimal separator. In English each wording gives back exactly the rule's own text
(safety/tests/test_present.py checks that for any plan).

A rule id without a wording here, or a finding without usable params (a screen snapshot kept
before params existed), shows its English message. Sources (citations) are never translated.

Templates use the filters in safety/templatetags/safety_text.py.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from django.utils.formats import number_format
from django.utils.translation import get_language, gettext, ngettext, pgettext

from anatomy import vocabulary
from patients.models import Payer
from safety.agents import Agent, Corticosteroid
from safety.risk_texts import RISK_TEXTS

Params = dict[str, Any]


# ------------------------------------------------------------------------------ values
def _lang() -> str:
    return vocabulary.base_language(get_language())


def number(value) -> str:
    """A number kept as text in params ("56.9", 3) with the language's decimal separator."""
    if value is None:
        return "?"
    try:
        return number_format(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


# How a language writes a percentage (Spanish style puts a space before the sign: "62,5 %").
PERCENT_FORMAT = {"es": "{} %"}


def percentage(value, exact: bool = True) -> str:
    """"62.5%" or, when rounded, "about 33.3%" (safety.dose.percent), in the reader's language."""
    if value is None:
        return "?"
    text = PERCENT_FORMAT.get(_lang(), "{}%").format(number(value))
    return text if exact else pgettext("percentage", "about %(value)s") % {"value": text}


def comma_list(items) -> str:
    return vocabulary.LIST_SEPARATOR.get(_lang(), ", ").join(items)


def semicolon_list(items) -> str:
    return ("؛ " if _lang() == "ar" else "; ").join(items)


def muscle(code: str) -> str:
    return vocabulary.muscle_label(code, get_language())


def side(value: str | None) -> str:
    if value == "left":
        return pgettext("muscle side", "left")
    if value == "right":
        return pgettext("muscle side", "right")
    return value or ""


def site(code: str, side_value: str | None) -> str:
    """"Trapezius (upper fibres), left"; the muscle alone when no side is recorded."""
    if not side_value:
        return muscle(code)
    return pgettext("muscle and side", "%(muscle)s, %(side)s") % {"muscle": muscle(code), "side": side(side_value)}


def agent(code: str) -> str:
    """The agent's name as the injection form shows it (safety.agents.Agent); the code if unknown."""
    for choices in (Agent, Corticosteroid):
        if code in choices.values:
            return str(choices(code).label)
    return code


def policy(params: Params) -> str:
    """The payer policy's name: the patient form's label (patients.models.Payer), else the data file's."""
    try:
        return str(Payer(params["policy"]).label)
    except ValueError:
        return params.get("policy_name") or params["policy"]


def risk_text(text: str) -> str:
    """A note or structure from data/muscle_risks.toml (listed in safety/risk_texts.py)."""
    return gettext(text) if text in RISK_TEXTS else text


def muscle_group(code: str) -> str:
    labels = {
        "abdomen": pgettext("muscle group", "abdomen"),
        "arm": pgettext("muscle group", "arm"),
        "back": pgettext("muscle group", "back"),
        "chest": pgettext("muscle group", "chest"),
        "foot": pgettext("muscle group", "foot"),
        "forearm": pgettext("muscle group", "forearm"),
        "hand": pgettext("muscle group", "hand"),
        "hip": pgettext("muscle group", "hip"),
        "jaw": pgettext("muscle group", "jaw"),
        "leg": pgettext("muscle group", "leg"),
        "low-back": pgettext("muscle group", "low-back"),
        "neck": pgettext("muscle group", "neck"),
        "neck-shoulder": pgettext("muscle group", "neck-shoulder"),
        "shoulder": pgettext("muscle group", "shoulder"),
        "thigh": pgettext("muscle group", "thigh"),
        "upper-back": pgettext("muscle group", "upper-back"),
    }
    return labels.get(code, code)


# ------------------------------------------------------------------------------ dose
def dose_row(params: Params) -> str:
    """safety.dose.AgentRow.text."""
    name = agent(params["agent"])
    if params["with_epinephrine"]:
        name = gettext("%(agent)s with epinephrine") % {"agent": name}
    values = {"agent": name, "mg": number(params["mg"])}
    if params["limit_mg"] is None:
        return gettext("%(agent)s: %(mg)s mg (limit unknown without weight)") % values
    return gettext("%(agent)s: %(mg)s mg of %(limit)s mg limit (%(pct)s)") % {
        **values, "limit": number(params["limit_mg"]), "pct": percentage(params["pct"], params["exact"]),
    }


def weight_basis(params: Params) -> str:
    """safety.dose.DoseReport.weight_basis."""
    basis = params["basis"]
    if basis == "no-weight":
        return gettext("weight not recorded")
    values = {"actual": number(params["actual"])}
    if basis == "actual-no-height":
        return gettext("actual weight %(actual)s kg (no height recorded, so no ideal body weight)") % values
    if basis == "actual-outside-formula":
        return gettext("actual weight %(actual)s kg (height outside the ideal-body-weight formula)") % values
    values["ibw"] = number(params["ibw"])
    if basis == "ideal":
        return gettext("ideal body weight %(ibw)s kg (Devine), lower than actual weight %(actual)s kg") % values
    if basis == "actual":
        return gettext("actual weight %(actual)s kg, not above ideal body weight %(ibw)s kg") % values
    raise KeyError(basis)


def _dose_values(params: Params) -> dict[str, str]:
    return {"pct": percentage(params["pct"], params["exact"]),
            "detail": semicolon_list(dose_row(row) for row in params["rows"])}


def _dose_ok(params: Params) -> str:
    return gettext("Local anaesthetic is %(pct)s of the maximum for this patient (%(detail)s).") % _dose_values(params)


def _dose_caution(params: Params) -> str:
    return gettext(
        "Local anaesthetic is %(pct)s of the maximum for this patient (%(detail)s): at or near the limit."
    ) % _dose_values(params)


def _dose_over(params: Params) -> str:
    text = gettext(
        "Local anaesthetic is %(pct)s of the maximum for this patient (%(detail)s): over the limit. "
        "Lower the volume or concentration, or record why before signing."
    ) % _dose_values(params)
    if params.get("override_reason"):
        text += " " + gettext("Override recorded: %(reason)s") % {"reason": params["override_reason"]}
    return text


def _dose_unknown(params: Params) -> str:
    return gettext("Record the patient's weight: the anaesthetic dose limit depends on it. Signing waits for it.")


def _reduction(params: Params) -> str:
    condition = params["condition"]
    if condition == "age":
        return gettext("age %(age)s (%(age_from)s or over)") % {
            "age": number(params["age"]), "age_from": number(params["age_from"])}
    labels = {
        "pregnant": pgettext("dose reduction", "pregnancy"),
        "renal_disease": pgettext("dose reduction", "renal disease"),
        "hepatic_disease": pgettext("dose reduction", "hepatic disease"),
        "cardiac_disease": pgettext("dose reduction", "cardiac disease"),
    }
    return labels[condition]


def _dose_lowered(params: Params) -> str:
    return gettext("Anaesthetic limits lowered by %(pct)s (once) for: %(reasons)s.") % {
        "pct": percentage(params["pct"], params["exact"]),
        "reasons": comma_list(_reduction(r) for r in params["reductions"]),
    }


# ------------------------------------------------------------------------------ screen
def _allergy(params: Params) -> str:
    values = {"agent": agent(params["agent"])}
    if params["drug_class"] == "amide":
        return gettext("%(agent)s is an amide, and the patient is allergic to amide anaesthetics.") % values
    if params["drug_class"] == "ester":
        return gettext("%(agent)s is an ester, and the patient is allergic to ester anaesthetics.") % values
    raise KeyError(params["drug_class"])


def _allergy_suggestion(params: Params) -> str:
    classes = set(params["allergy_classes"])
    if classes == {"amide", "ester"}:
        return gettext("Use saline or dry needling: the patient is allergic to both anaesthetic classes.")
    if classes == {"amide"}:
        return gettext("Use chloroprocaine (an ester), saline or dry needling instead.")
    if classes == {"ester"}:
        return gettext(
            "Use lidocaine or bupivacaine (amides), preferably from preservative-free vials (methylparaben is related "
            "to the ester allergen PABA; recalled - verify), or saline or dry needling."
        )
    raise KeyError(params["allergy_classes"])


def _infection_systemic(params: Params) -> str:
    return gettext("The patient has a systemic infection: no trigger point injections today.")


def _infection_site(params: Params) -> str:
    return gettext("Infection recorded over %(site)s: do not needle this site.") % {
        "site": site(params["muscle"], params["side"])}


def _bleeding_causes(params: Params) -> str:
    labels = {
        "bleeding-disorder": pgettext("bleeding risk", "bleeding disorder"),
        "anticoagulant": pgettext("bleeding risk", "anticoagulant"),
        "antiplatelet": pgettext("bleeding risk", "antiplatelet drug"),
    }
    return comma_list(labels[cause] for cause in params["causes"])


def _bleeding(params: Params) -> str:
    text = gettext(
        "Bleeding risk (%(causes)s). TPI is a low-bleeding-risk procedure in the ASRA pain-procedure guidelines: "
        "medication is usually continued after a shared risk assessment."
    ) % {"causes": _bleeding_causes(params)}
    if "bleeding-disorder" in params["causes"]:
        text += " " + gettext("A bleeding disorder is listed as a contraindication: confirm it is controlled.")
    return text


def _bleeding_deep(params: Params) -> str:
    return gettext(
        "%(muscle)s is deep and non-compressible: bleeding there cannot be stopped by pressure, "
        "and the patient has a bleeding risk (%(causes)s)."
    ) % {"muscle": muscle(params["muscle"]), "causes": _bleeding_causes(params)}


def _pneumothorax(params: Params) -> str:
    values = {"muscle": muscle(params["muscle"])}
    if params["risk"] == "high":
        text = gettext("%(muscle)s: high pneumothorax risk (over the chest wall or lung apex).") % values
    elif params["risk"] == "moderate":
        text = gettext("%(muscle)s: moderate pneumothorax risk (over the chest wall or lung apex).") % values
    else:
        raise KeyError(params["risk"])
    if params["note"]:
        text += " " + risk_text(params["note"])
    factors = [pgettext("risk factor", "COPD")] if params["copd"] else []
    if params["low_bmi"] is not None:
        factors.append(gettext("BMI %(bmi)s (under 18.5)") % {"bmi": number(params["low_bmi"])})
    if factors:
        text += " " + gettext("Higher risk for this patient: %(factors)s.") % {"factors": comma_list(factors)}
    return text


def _pneumothorax_bilateral(params: Params) -> str:
    return gettext(
        "Chest-wall muscles are planned on both sides: a pneumothorax on both sides at once has been reported "
        "after bilateral trapezius injections."
    )


def _pregnancy(params: Params) -> str:
    return gettext(
        "The patient is pregnant: prefer no steroid; lidocaine is generally considered acceptable; the anaesthetic "
        "limit is lowered."
    )


def _structures(params: Params) -> str:
    return gettext("%(muscle)s: mind the %(structures)s.") % {
        "muscle": muscle(params["muscle"]), "structures": semicolon_list(risk_text(t) for t in params["avoid"])}


# ------------------------------------------------------------------------------ payer
def _payer_gap(params: Params) -> str:
    days, needed = int(params["days"]), int(params["min_days"])
    treated = ngettext(
        "%(site)s was treated on %(last)s, %(days)s day before %(planned)s;",
        "%(site)s was treated on %(last)s, %(days)s days before %(planned)s;",
        days,
    ) % {"site": site(params["muscle"], params["side"]), "last": params["last"], "days": number(days),
         "planned": params["planned"]}
    rule = ngettext(
        "%(policy)s needs %(min_days)s day: allowed from %(allowed)s.",
        "%(policy)s needs %(min_days)s days: allowed from %(allowed)s.",
        needed,
    ) % {"policy": policy(params), "min_days": number(needed), "allowed": params["allowed"]}
    return f"{treated} {rule}"


def _payer_count(params: Params) -> str:
    count = int(params["count"])
    done = ngettext(
        "%(count)s session already in the 12 months up to %(planned)s;",
        "%(count)s sessions already in the 12 months up to %(planned)s;",
        count,
    ) % {"count": number(count), "planned": params["planned"]}
    rule = gettext("%(policy)s allows %(max)s in any rolling 12 months: the next one fits from %(fits_from)s.") % {
        "policy": policy(params), "max": number(params["max_sessions"]), "fits_from": params["fits_from"]}
    return f"{done} {rule}"


def _payer_relief(params: Params) -> str:
    weeks = int(params["relief_weeks"])
    return ngettext(
        "Repeat treatment of %(sites)s: %(policy)s needs at least %(pct)s%% relief lasting at least %(weeks)s week, "
        "on the same pain scale with dates, documented in the record.",
        "Repeat treatment of %(sites)s: %(policy)s needs at least %(pct)s%% relief lasting at least %(weeks)s weeks, "
        "on the same pain scale with dates, documented in the record.",
        weeks,
    ) % {"sites": semicolon_list(site(m, s) for m, s in params["sites"]), "policy": policy(params),
         "pct": number(params["relief_pct"]), "weeks": number(weeks)}


def _payer_regions(params: Params) -> str:
    return gettext(
        "Muscles from several body areas (%(groups)s): %(policy)s does not cover multiple anatomical regions in "
        "one session; check how the payer defines a region."
    ) % {"groups": comma_list(muscle_group(g) for g in params["groups"]), "policy": policy(params)}


def _payer_ok(params: Params) -> str:
    return gettext("%(policy)s: no frequency limit stands in the way.") % {"policy": policy(params)}


# ------------------------------------------------------------------------------ CPT
def cpt_explanation(params: Params) -> str:
    """safety.coding.CptResult.explanation."""
    if not params:
        return gettext("No injections or needling recorded: no procedure code.")
    descriptions = {  # our own short wording (safety.coding.CPT_TEXT), not the AMA descriptors
        "20552": gettext("trigger point injection(s), 1 or 2 muscles"),
        "20553": gettext("trigger point injection(s), 3 or more muscles"),
        "20560": gettext("dry needling (needle insertion without injection), 1 or 2 muscles"),
        "20561": gettext("dry needling (needle insertion without injection), 3 or more muscles"),
    }
    code, count = params["code"], int(params["count"])
    sites = semicolon_list(
        gettext("%(muscle)s (%(side)s)") % {"muscle": muscle(m), "side": side(s) if s else gettext("side not recorded")}
        for m, s in params["sites"]
    )
    counted = ngettext(
        "%(count)s muscle counted, left and right apart (%(sites)s).",
        "%(count)s muscles counted, left and right apart (%(sites)s).",
        count,
    ) % {"count": number(count), "sites": sites}
    return " ".join([
        f"{code}: {descriptions[code]}.",
        counted,
        gettext("Reported once for the session, however many needle sites."),
    ])


def _steroid_agent_total(params: Params) -> str:
    return gettext("%(agent)s %(mg)s mg this session (about %(dex)s mg dexamethasone-equivalent).") % {
        "agent": agent(params["agent"]), "mg": number(params["mg"]), "dex": number(params["dexamethasone_mg"])}


def _steroid_agent_over(params: Params) -> str:
    return gettext("%(agent)s %(mg)s mg this session is above %(cap)s mg.") % {
        "agent": agent(params["agent"]), "mg": number(params["mg"]), "cap": number(params["cap_mg"])}


def _steroid_session_over(params: Params) -> str:
    return gettext("Corticosteroid this session is about %(dex)s mg dexamethasone-equivalent, above %(cap)s mg.") % {
        "dex": number(params["dexamethasone_mg"]), "cap": number(params["cap_mg"])}


# ------------------------------------------------------------------------------ findings
MESSAGES: dict[str, Callable[[Params], str]] = {
    "allergy": _allergy,
    "infection-systemic": _infection_systemic,
    "infection-site": _infection_site,
    "dose-over": _dose_over,
    "dose-unknown": _dose_unknown,
    "dose-caution": _dose_caution,
    "dose-ok": _dose_ok,
    "bleeding": _bleeding,
    "bleeding-deep": _bleeding_deep,
    "pneumothorax": _pneumothorax,
    "pneumothorax-bilateral": _pneumothorax_bilateral,
    "pregnancy": _pregnancy,
    "dose-lowered": _dose_lowered,
    "structures": _structures,
    "payer-gap": _payer_gap,
    "payer-count": _payer_count,
    "payer-relief": _payer_relief,
    "payer-regions": _payer_regions,
    "payer-ok": _payer_ok,
    "steroid-agent-total": _steroid_agent_total,
    "steroid-agent-over": _steroid_agent_over,
    "steroid-session-over": _steroid_session_over,
}

# Rules whose findings carry a suggestion; its wording (the English is safety.screen's / safety.payer's).
SUGGESTIONS: dict[str, Callable[[Params], str]] = {
    "allergy": _allergy_suggestion,
    "infection-systemic": lambda p: gettext("Treat the infection first and reschedule."),
    "infection-site": lambda p: gettext("Leave this site out of today's plan."),
    "dose-over": lambda p: gettext(
        "Lower the volume or concentration, use saline or dry needling at some sites, or record a reason."),
    "dose-unknown": lambda p: gettext("Weigh the patient and record it."),
    "bleeding": lambda p: gettext("Use a 25 G needle and hold firm pressure after each site."),
    "bleeding-deep": lambda p: gettext(
        "Reconsider this site; for a patient on medication, discuss it with the prescriber."),
    "pneumothorax": lambda p: gettext(
        "Lift the muscle off the chest wall in a pincer grasp, keep the needle tangential to the ribs, never insert "
        "to the hub, and consider ultrasound guidance (not covered by the uniform Medicare TPI LCD). Tell the patient "
        "to report breathlessness or chest pain after the visit."),
    "pregnancy": lambda p: gettext("Consider saline or dry needling."),
    "payer-relief": lambda p: gettext("Record the relief from the last session before signing."),
}


def _field(item, name: str):
    """A Finding (or dose row, CPT result) attribute, or a key of its screen-snapshot dict."""
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def _worded(wording: Callable[[Params], str] | None, params, english: str, strict: bool) -> str:
    if wording is None or not isinstance(params, dict):
        if strict:
            raise KeyError("no wording or no params")
        return english
    try:
        return wording(params)
    except Exception:  # a page must never fail on a finding: show the English the rule gave
        if strict:
            raise
        return english


def finding_message(finding, strict: bool = False) -> str:
    """A Finding (or a snapshot's finding dict) in the reader's language; its `message` as a fallback.

    A snapshot from before params existed has none: rules that need no facts are still worded.
    """
    rule = _field(finding, "rule")
    params = _field(finding, "params")
    return _worded(MESSAGES.get(rule), {} if params is None else params, _field(finding, "message") or "", strict)


def finding_suggestion(finding, strict: bool = False) -> str:
    """The finding's suggestion in the reader's language; empty when the finding has none."""
    english = _field(finding, "suggestion")
    if not english:
        return ""
    params = _field(finding, "params")
    return _worded(SUGGESTIONS.get(_field(finding, "rule")), {} if params is None else params, english, strict)


def dose_row_text(row, strict: bool = False) -> str:
    """A safety.dose.AgentRow (or {"text", "params"}) in the reader's language."""
    return _worded(dose_row, _field(row, "params"), _field(row, "text") or "", strict)


def weight_basis_text(dose, strict: bool = False) -> str:
    """How the dosing weight was chosen (a DoseReport or a snapshot's dose dict)."""
    return _worded(weight_basis, _field(dose, "weight_basis_params"), _field(dose, "weight_basis") or "", strict)


def cpt_text(cpt, strict: bool = False) -> str:
    """A safety.coding.CptResult's explanation in the reader's language."""
    return _worded(cpt_explanation, _field(cpt, "params"), _field(cpt, "explanation") or "", strict)
