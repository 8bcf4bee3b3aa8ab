"""The one presenter: every rule's verdict worded in the reader's language, English included.

The rule modules (safety screen, dose, coding, payer; treatment course rules) hold no prose: each
verdict is a rule id and its facts (muscle codes, numbers as strings, ISO dates, agent and policy
ids). Here each rule id has one wording function (MESSAGES, and SUGGESTIONS for the rules that
suggest something), worded through the catalog (locale/<lang>/LC_MESSAGES/django.po) with
localised values: muscle names from anatomy/data/labels, agent names from Injection.Agent, numbers
with the language's decimal separator. The API and FHIR ask for English (interop.text.LANGUAGE).

A new rule: add `"rule-id": wording_function` to MESSAGES (safety/tests/test_present.py checks that
every rule id the rules emit has a wording, in every language with a catalog).

A signed session's screen is kept (`snapshot`) with its facts and its English text; a snapshot kept
before facts existed shows its English text. Sources (citations) are never translated.

Templates use the filters in safety/templatetags/safety_text.py and treatment/templatetags/course_labels.py.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext, ngettext, pgettext

from anatomy import vocabulary
from safety.agents import Agent, Corticosteroid
from safety.models import Payer
from safety.dose import percent_parts
from safety.risk_texts import RISK_TEXTS
from tpclinic.dates import long_date

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
    """The payer policy's name: the patient form's label (safety.models.Payer), else the data file's."""
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
def agent_name(params: Params) -> str:
    """A dose row's agent: "Lidocaine with epinephrine" (safety.dose.AgentRow.params)."""
    name = agent(params["agent"])
    if params["with_epinephrine"]:
        name = gettext("%(agent)s with epinephrine") % {"agent": name}
    return name


def dose_row(params: Params) -> str:
    """One agent's share of the dose (safety.dose.AgentRow.params)."""
    values = {"agent": agent_name(params), "mg": number(params["mg"])}
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


def limit_basis(params: Params) -> str:
    """How an agent's limit was reached (safety.dose.AgentRow.limit_basis_params)."""
    basis = params["basis"]
    if basis == "needs-weight":
        return gettext("needs weight")
    if basis == "by-weight":
        text = gettext("%(mg_per_kg)s mg/kg x %(weight)s kg") % {
            "mg_per_kg": number(params["mg_per_kg"]), "weight": number(params["weight"])}
    elif basis == "cap":
        text = gettext("capped at %(max_mg)s mg") % {"max_mg": number(params["max_mg"])}
    else:
        raise KeyError(basis)
    if params.get("lowered_pct"):
        text = gettext("%(basis)s, lowered by %(pct)s") % {"basis": text, "pct": percentage(params["lowered_pct"])}
    return text


def dose_percent(dose) -> str:
    """A DoseReport's total as a share of the limits ("62.5%", "about 33.3%"); "?" without a weight."""
    if dose.total_fraction is None:
        return "?"
    return percentage(*percent_parts(dose.total_fraction))


def _ibw_female_formula(params: Params) -> str:
    return gettext("Ideal body weight uses the female formula (the lower, safer base) as sex is not male or female.")


def _ibw_below_formula(params: Params) -> str:
    values = {"height": number(params["base_height"]), "bmi": number(params["floor_bmi"])}
    if params["floored"]:
        return gettext("Height is under %(height)s cm, below the Devine formula's range; ideal body weight is the "
                       "weight at BMI %(bmi)s for this height. Check the limit clinically.") % values
    return gettext("Height is under %(height)s cm, below the Devine formula's range; the formula was extrapolated "
                   "downwards. Check the limit clinically.") % values


def _limits_lowered(params: Params) -> str:
    return gettext("Limits lowered by %(pct)s (once) for: %(reasons)s.") % {
        "pct": percentage(params["pct"]), "reasons": comma_list(_reduction(r) for r in params["reductions"])}


def _no_anaesthetic(params: Params) -> str:
    return gettext("No local anaesthetic planned: nothing to add up.")


def _weight_needed_later(params: Params) -> str:
    return gettext("Weight is not recorded; it will be needed before any anaesthetic is planned.")


def _dose_unknown(params: Params) -> str:
    return gettext("Record the patient's weight: the anaesthetic dose limit depends on it. Signing waits for it.")


def reduction(params: Params) -> str:
    """Why the limits are lowered (safety.dose.Reduction.params)."""
    return _reduction(params)


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
    relief = ngettext(
        "Repeat treatment of %(sites)s: %(policy)s needs at least %(pct)s%% relief lasting at least %(weeks)s week, "
        "on the same pain scale with dates, documented in the record.",
        "Repeat treatment of %(sites)s: %(policy)s needs at least %(pct)s%% relief lasting at least %(weeks)s weeks, "
        "on the same pain scale with dates, documented in the record.",
        weeks,
    ) % {"sites": semicolon_list(site(m, s) for m, s in params["sites"]), "policy": policy(params),
         "pct": number(params["relief_pct"]), "weeks": number(weeks)}
    needs = _repeat_needs(params)
    if not needs:
        return relief
    return " ".join([relief, gettext("It also needs %(needs)s, documented in the record.") % {
        "needs": semicolon_list(needs)}])


def _repeat_needs(params: Params) -> list[str]:
    """The repeat requirements besides relief that the policy names (safety.payer: `function`, `rehabilitation`)."""
    needs = []
    if params.get("function"):
        needs.append(gettext("objective functional improvement on a validated, measurable scale"))
    if params.get("rehabilitation"):
        needs.append(gettext("the patient's active part in a rehabilitation or home-exercise programme"))
    return needs


def _payer_repeat_documentation(params: Params) -> str:
    return gettext("Repeat treatment of %(sites)s: %(policy)s also needs %(needs)s, documented in the "
                   "record.") % {
        "sites": semicolon_list(site(m, s) for m, s in params["sites"]), "policy": policy(params),
        "needs": semicolon_list(_repeat_needs(params))}


def _payer_regions(params: Params) -> str:
    return gettext(
        "Muscles from several body areas (%(groups)s): %(policy)s does not cover multiple anatomical regions in "
        "one session; check how the payer defines a region."
    ) % {"groups": comma_list(muscle_group(g) for g in params["groups"]), "policy": policy(params)}


def _payer_ok(params: Params) -> str:
    return gettext("%(policy)s: no frequency limit stands in the way.") % {"policy": policy(params)}


# ------------------------------------------------------------------------------ CPT
def cpt_description(code: str) -> str:
    """A CPT code's meaning in our own short wording, not the AMA descriptors; empty for an unknown code."""
    descriptions = {
        "20552": lambda: gettext("trigger point injection(s), 1 or 2 muscles"),
        "20553": lambda: gettext("trigger point injection(s), 3 or more muscles"),
        "20560": lambda: gettext("dry needling (needle insertion without injection), 1 or 2 muscles"),
        "20561": lambda: gettext("dry needling (needle insertion without injection), 3 or more muscles"),
    }
    return descriptions[code]() if code in descriptions else ""


def cpt_explanation(params: Params) -> str:
    """safety.coding.CptResult.explanation."""
    if not params:
        return gettext("No injections or needling recorded: no procedure code.")
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
        f"{code}: {cpt_description(code)}.",
        counted,
        gettext("Reported once for the session, however many needle sites."),
    ])


def _cpt_site(muscle_code: str, side_value: str | None) -> str:
    return gettext("%(muscle)s (%(side)s)") % {
        "muscle": muscle(muscle_code), "side": side(side_value) if side_value else gettext("side not recorded")}


def _cpt_side_missing(params: Params) -> str:
    return gettext("Side not recorded for %(muscles)s: record it, as left and right of the same muscle count as two.") % {
        "muscles": comma_list(muscle(m) for m in params["muscles"])}


def _cpt_also_needled(params: Params) -> str:
    return gettext("Also dry-needled, not counted in the TPI code (one code per session): %(sites)s.") % {
        "sites": semicolon_list(_cpt_site(m, s) for m, s in params["sites"])}


def _cpt_dry_needling_medicare(params: Params) -> str:
    return gettext("Medicare covers dry needling only as acupuncture for chronic low back pain (NCD 30.3.3).")


def _cpt_imaging_addon(params: Params) -> str:
    """safety.coding.imaging_addon: the add-on code for the needle's imaging guidance, with the payer's word."""
    values = {"code": params["code"], "sites": semicolon_list(site(m, s) for m, s in params["sites"])}
    addon = gettext("Ultrasound guidance at %(sites)s: add-on code %(code)s (ultrasound guidance for needle "
                    "placement) may be reported with the injection code.") % values
    if params.get("covered") is False:
        return " ".join([addon, gettext("%(policy)s does not cover imaging guidance for trigger point injections: "
                                        "bill it to the patient only with a signed advance notice (ABN).")
                         % {"policy": policy(params)}])
    if params.get("covered") is True:
        return " ".join([addon, gettext("%(policy)s covers it.") % {"policy": policy(params)}])
    return " ".join([addon, gettext("Check that the patient's payer covers imaging guidance for trigger point "
                                    "injections.")])


# ------------------------------------------------------------------------------ ICD-10-CM
def _icd_not_a_code(params: Params) -> str:
    return gettext("%(text)s is not an ICD-10-CM code.") % {"text": repr(params["text"])}


def _icd_category(params: Params) -> str:
    shown = semicolon_list(f"{code} {description}" for code, description in params["billable"])
    if params["more"]:
        shown = gettext("%(codes)s and %(more)s more") % {"codes": shown, "more": number(params["more"])}
    return gettext("%(code)s (%(description)s) is a category, not a billable code. Use one of its billable codes: "
                   "%(codes)s.") % {"code": params["code"], "description": params["description"], "codes": shown}


def _icd_billable(params: Params) -> str:
    values = {"code": params["code"], "description": params["description"], "policy": policy(params)}
    text = gettext("%(code)s %(description)s: billable.") % values
    if params["covered"]:
        return text + " " + gettext("Listed among the covered diagnoses of the %(policy)s.") % values
    if params["covered"] is None:
        return text + " " + gettext(
            "Not on the covered list we hold for the %(policy)s (%(listed)s), which is incomplete: check the payer's "
            "billing article.") % {**values, "listed": ", ".join(params["listed"])}
    if params.get("list_checked", True):
        return text + " " + gettext("Not among the covered diagnoses of the %(policy)s.") % values
    return text + " " + gettext(
        "Not among the diagnoses that reports of the billing articles for the %(policy)s give as covered "
        "(%(listed)s). The articles' own tables were not checked here: confirm with the payer's billing article "
        "before billing.") % {**values, "listed": ", ".join(params["listed"])}


def diagnosis_message(check) -> str:
    """A safety.coding.DiagnosisCheck's verdict in the reader's language."""
    return note_text(check.verdict)


# ------------------------------------------------------------------------------ course
# treatment.course_rules.Response and DueStatus, by value (safety imports nothing of treatment).
RESPONSE_LABELS = {
    "no-data": lambda: pgettext("course response", "No pain scores yet"),
    "no-pain": lambda: pgettext("course response", "No pain to reduce"),
    "too-early": lambda: pgettext("course response", "Too early to judge"),
    "substantial": lambda: pgettext("course response", "Substantial response"),
    "responding": lambda: pgettext("course response", "Responding"),
    "not-responding": lambda: pgettext("course response", "Not responding: reassess"),
}
DUE_LABELS = {
    "scheduled": lambda: pgettext("course due status", "Scheduled"),
    "overdue": lambda: pgettext("course due status", "Overdue"),
    "due": lambda: pgettext("course due status", "Due this week"),
    "upcoming": lambda: pgettext("course due status", "Upcoming"),
    "not-scheduled": lambda: pgettext("course due status", "Not yet scheduled"),
    "complete": lambda: pgettext("course due status", "All planned sessions done"),
}


def _value(member) -> str:
    return getattr(member, "value", member)


def response_label(response) -> str:
    """A course response (treatment.course_rules.Response or its value); an unknown value as it is."""
    wording = RESPONSE_LABELS.get(_value(response))
    return wording() if wording else str(_value(response) or "")


def due_label(status) -> str:
    """A course's due status (treatment.course_rules.DueStatus or its value)."""
    wording = DUE_LABELS.get(_value(status))
    return wording() if wording else str(_value(status) or "")


def response_explanation(judgement) -> str:
    """Why a course's response is what it is (a treatment.course_rules.ResponseJudgement)."""
    response = _value(judgement.response)
    if response == "no-data":
        return gettext("No session has a pain score yet.")
    if response == "no-pain":
        return gettext("Pain was 0/10 at the first and the latest score: there was no pain to reduce.")
    values = {"baseline": judgement.baseline, "latest": judgement.latest}
    if judgement.reduction_pct is not None:
        numbers = gettext("baseline %(baseline)s/10, latest %(latest)s/10, %(pct)s%% less pain") % {
            **values, "pct": f"{judgement.reduction_pct:.0f}"}
    else:
        numbers = gettext("baseline %(baseline)s/10, latest %(latest)s/10") % values
    if response == "too-early":
        return ngettext(
            "%(n)s session so far (%(numbers)s); response is judged from session %(first)s, since many patients "
            "feel little change before then.",
            "%(n)s sessions so far (%(numbers)s); response is judged from session %(first)s, since many patients "
            "feel little change before then.",
            judgement.sessions,
        ) % {"n": judgement.sessions, "numbers": numbers, "first": judgement.judge_from}
    return ngettext("After %(n)s session: %(numbers)s.", "After %(n)s sessions: %(numbers)s.",
                    judgement.sessions) % {"n": judgement.sessions, "numbers": numbers}


def _steroid_agent_total(params: Params) -> str:
    return gettext("%(agent)s %(mg)s mg this session (about %(dex)s mg dexamethasone-equivalent).") % {
        "agent": agent(params["agent"]), "mg": number(params["mg"]), "dex": number(params["dexamethasone_mg"])}


def _steroid_agent_over(params: Params) -> str:
    return gettext("%(agent)s %(mg)s mg this session is above %(cap)s mg.") % {
        "agent": agent(params["agent"]), "mg": number(params["mg"]), "cap": number(params["cap_mg"])}


def _steroid_session_over(params: Params) -> str:
    return gettext("Corticosteroid this session is about %(dex)s mg dexamethasone-equivalent, above %(cap)s mg.") % {
        "dex": number(params["dexamethasone_mg"]), "cap": number(params["cap_mg"])}


def _steroid_diabetes(params: Params) -> str:
    return gettext("The patient has diabetes: corticosteroid can raise the blood sugar for several days; "
                   "ask the patient to check it more often.")


def _steroid_window_total(params: Params) -> str:
    return ngettext(
        "Corticosteroid over the past %(days)s days, with this session: about %(dex)s mg dexamethasone-equivalent "
        "(%(past)s mg at %(n)s earlier session).",
        "Corticosteroid over the past %(days)s days, with this session: about %(dex)s mg dexamethasone-equivalent "
        "(%(past)s mg at %(n)s earlier sessions).",
        params["sessions"]) % {"days": params["days"], "dex": number(params["dexamethasone_mg"]),
                               "past": number(params["past_mg"]), "n": params["sessions"]}


def _steroid_repeat_site(params: Params) -> str:
    return gettext("Corticosteroid again at %(site)s, last given there on %(last)s (within %(days)s days): repeated "
                   "steroid at one site can thin the skin and fat there; consider anaesthetic alone.") % {
        "site": site(params["muscle"], params["side"]), "last": long_date(date.fromisoformat(params["last"])),
        "days": params["days"]}


def _steroid_window_over(params: Params) -> str:
    return gettext("Corticosteroid over the past %(days)s days, with this session, is about %(dex)s mg "
                   "dexamethasone-equivalent, above %(cap)s mg.") % {
        "days": params["days"], "dex": number(params["dexamethasone_mg"]), "cap": number(params["cap_mg"])}


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
    "payer-repeat-documentation": _payer_repeat_documentation,
    "payer-regions": _payer_regions,
    "payer-ok": _payer_ok,
    # notes beside the dose total (safety.dose.DoseReport.notes; its status reuses dose-*)
    "ibw-female-formula": _ibw_female_formula,
    "ibw-below-formula": _ibw_below_formula,
    "limits-lowered": _limits_lowered,
    "no-anaesthetic": _no_anaesthetic,
    "weight-needed-later": _weight_needed_later,
    # notes beside the CPT code (safety.coding.CptResult.notes)
    "cpt-side-missing": _cpt_side_missing,
    "cpt-also-needled": _cpt_also_needled,
    "cpt-dry-needling-medicare": _cpt_dry_needling_medicare,
    "cpt-imaging-addon": _cpt_imaging_addon,
    # ICD-10-CM verdicts (safety.coding.DiagnosisCheck.verdict)
    "icd-not-a-code": _icd_not_a_code,
    "icd-category": _icd_category,
    "icd-billable": _icd_billable,
    "steroid-agent-total": _steroid_agent_total,
    "steroid-agent-over": _steroid_agent_over,
    "steroid-session-over": _steroid_session_over,
    "steroid-diabetes": _steroid_diabetes,
    "steroid-window-total": _steroid_window_total,
    "steroid-window-over": _steroid_window_over,
    "steroid-repeat-site": _steroid_repeat_site,
}

# Rules whose findings carry a suggestion, and its wording.
SUGGESTIONS: dict[str, Callable[[Params], str]] = {
    "allergy": _allergy_suggestion,
    "infection-systemic": lambda p: gettext("Treat the infection first and reschedule."),
    "infection-site": lambda p: gettext("Leave this site out of today's plan."),
    "dose-over": lambda p: "" if p.get("override_reason") else gettext(
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
    "payer-repeat-documentation": lambda p: gettext(
        "Note the function score and the exercise or rehabilitation programme in the session note."),
}


def _field(item, name: str):
    """A rule result's attribute, or a key of its screen-snapshot dict."""
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def _kept(item, key: str, wording: Callable[[Params], str] | None, params, strict: bool) -> str:
    """A snapshot dict's wording from its facts; its kept English `key` when the facts are missing
    or do not fit (a page must never fail on a finding kept long ago)."""
    english = item.get(key) or ""
    if wording is None or not isinstance(params, dict):
        if strict:
            raise KeyError("no wording or no params")
        return english
    try:
        return wording(params)
    except Exception:
        if strict:
            raise
        return english


def finding_message(finding, strict: bool = False) -> str:
    """A Finding (or Note, or a snapshot's finding dict) in the reader's language.

    A snapshot from before params existed has none: rules that need no facts are still worded.
    """
    rule = _field(finding, "rule")
    if isinstance(finding, dict):
        params = finding.get("params")
        return _kept(finding, "message", MESSAGES.get(rule), {} if params is None else params, strict)
    return MESSAGES[rule](finding.params)


note_text = finding_message


def finding_suggestion(finding, strict: bool = False) -> str:
    """The finding's suggestion in the reader's language; empty when the finding has none."""
    rule = _field(finding, "rule")
    if isinstance(finding, dict):
        if not finding.get("suggestion"):
            return ""
        params = finding.get("params")
        return _kept(finding, "suggestion", SUGGESTIONS.get(rule), {} if params is None else params, strict)
    wording = SUGGESTIONS.get(rule)
    return wording(finding.params) if wording else ""


def dose_row_text(row) -> str:
    """A safety.dose.AgentRow (or its params, as a snapshot keeps them) in the reader's language."""
    return dose_row(row if isinstance(row, dict) else row.params)


def weight_basis_text(dose, strict: bool = False) -> str:
    """How the dosing weight was chosen (a DoseReport or a snapshot's dose dict)."""
    if isinstance(dose, dict):
        return _kept(dose, "weight_basis", weight_basis, dose.get("weight_basis_params"), strict)
    return weight_basis(dose.weight_basis_params)


def cpt_text(cpt) -> str:
    """A safety.coding.CptResult's explanation in the reader's language."""
    return cpt_explanation(cpt.params)


def english(wording: Callable[..., str], *args) -> str:
    """A wording in English, as the API, FHIR and kept snapshots give it."""
    with translation.override("en"):
        return wording(*args)


def snapshot(check) -> dict:
    """What is kept with a signed session (a safety.session_check.SessionCheck): the findings, the
    dose total and the CPT code as shown, as facts and as English text (the API and the FHIR export
    give the text; pages word the facts in the reader's language)."""
    dose = check.screen.dose
    with translation.override("en"):
        return {
            "findings": [{"rule": f.rule, "level": f.level, "message": finding_message(f), "source": f.source,
                          "muscle": f.muscle, "suggestion": finding_suggestion(f) or None, "params": f.params}
                         for f in check.screen.findings],
            "dose": {"status": dose.status,
                     "total_fraction": float(dose.total_fraction) if dose.total_fraction is not None else None,
                     "rows": [dose_row_text(row) for row in dose.rows], "weight_basis": weight_basis_text(dose),
                     "rows_params": [row.params for row in dose.rows],
                     "weight_basis_params": dose.weight_basis_params,
                     "data_version": dose.data_version},
            "dose_override_reason": check.screen.dose_override_reason,
            "cpt": list(check.cpt.codes), "cpt_explanation": cpt_text(check.cpt), "cpt_params": check.cpt.params,
            "cpt_notes": [{"rule": n.rule, "message": note_text(n), "params": n.params} for n in check.cpt.notes],
            "payer": [{"rule": f.rule, "level": f.level, "message": finding_message(f), "params": f.params}
                      for f in check.payer],
        }
