"""The safety rules' findings, dose rows and CPT explanation in the reader's language.

    {% load safety_text %}
    {{ finding|finding_text }}  {{ finding|finding_suggestion }}   (a Finding or a snapshot's dict)
    {{ row|dose_row_text }}  {{ dose|weight_basis_text }}  {{ check.cpt|cpt_text }}

The wording lives in safety/present.py; each falls back to the rule's English text.
"""
from django import template

from safety import present

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
def cpt_text(cpt) -> str:
    return present.cpt_text(cpt)
