"""The safety rules' findings, dose rows and CPT explanation in the reader's language.

    {% load safety_text %}
    {{ finding|finding_text }}  {{ finding|finding_suggestion }}   (a Finding or a snapshot's dict)
    {{ row|dose_row_text }}  {{ dose|weight_basis_text }}  {{ dose|dose_percent }}  {{ check.cpt|cpt_text }}
    {% for item in check|by_severity %}   (one list, most severe first, each suggestion once)

The wording lives in safety/present.py.
"""
from django import template

from safety import present
from safety.findings import sort_key

register = template.Library()


@register.filter
def finding_text(finding) -> str:
    return present.finding_message(finding)


@register.filter
def finding_suggestion(finding) -> str:
    return present.finding_suggestion(finding)


@register.filter
def dose_row_text(row) -> str:
    return present.dose_row_text(row)


@register.filter
def weight_basis_text(dose) -> str:
    return present.weight_basis_text(dose)


@register.filter
def dose_percent(dose) -> str:
    return present.dose_percent(dose)


@register.filter
def cpt_text(cpt) -> str:
    return present.cpt_text(cpt)


@register.filter
def by_severity(check) -> list[dict]:
    """The screen's and the payer's findings as one list, most severe first (blocks, strong warnings,
    warnings, notes), each with its wording; a suggestion several findings share is given only with
    the first of them (`suggestion` empty on the rest)."""
    findings = sorted([(f, False) for f in check.screen.findings] + [(f, True) for f in check.payer],
                      key=lambda pair: sort_key(pair[0]))
    seen, out = set(), []
    for finding, payer in findings:
        suggestion = present.finding_suggestion(finding)
        if suggestion in seen:
            suggestion = ""
        seen.add(suggestion)
        out.append({"finding": finding, "payer": payer, "text": present.finding_message(finding),
                    "suggestion": suggestion})
    return out
