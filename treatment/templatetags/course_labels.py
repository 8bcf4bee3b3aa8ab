"""Course statuses in the reader's language.

treatment/course_rules.py stays plain Python (no Django), so its Enum labels and its explanation
are English. Templates show them through these instead:

    {% load course_labels %}
    {{ judgement.response|response_label }}   {{ due_status|due_label }}
    {% response_explanation judgement %}
"""
from django import template
from django.utils.translation import pgettext_lazy

from treatment import course_rules
from treatment.course_rules import DueStatus, Response

register = template.Library()

RESPONSE_LABELS = {
    Response.NO_DATA: pgettext_lazy("course response", "No pain scores yet"),
    Response.NO_PAIN: pgettext_lazy("course response", "No pain to reduce"),
    Response.TOO_EARLY: pgettext_lazy("course response", "Too early to judge"),
    Response.SUBSTANTIAL: pgettext_lazy("course response", "Substantial response"),
    Response.RESPONDING: pgettext_lazy("course response", "Responding"),
    Response.NOT_RESPONDING: pgettext_lazy("course response", "Not responding: reassess"),
}

DUE_LABELS = {
    DueStatus.SCHEDULED: pgettext_lazy("course due status", "Scheduled"),
    DueStatus.OVERDUE: pgettext_lazy("course due status", "Overdue"),
    DueStatus.DUE: pgettext_lazy("course due status", "Due this week"),
    DueStatus.UPCOMING: pgettext_lazy("course due status", "Upcoming"),
    DueStatus.NOT_SCHEDULED: pgettext_lazy("course due status", "Not yet scheduled"),
    DueStatus.COMPLETE: pgettext_lazy("course due status", "All planned sessions done"),
}


def _lookup(labels: dict, enum, value) -> str:
    """The translated label for an Enum member or its value; the Enum's own label, else the value."""
    try:
        member = enum(value)
    except ValueError:
        return value if value is not None else ""
    return str(labels.get(member, member.label))


@register.filter
def response_label(value) -> str:
    """`{{ judgement.response|response_label }}`: Response (or its value) -> translated label."""
    return _lookup(RESPONSE_LABELS, Response, value)


@register.filter
def due_label(value) -> str:
    """`{{ course.due_status|due_label }}`: DueStatus (or its value) -> translated label."""
    return _lookup(DUE_LABELS, DueStatus, value)


@register.inclusion_tag("treatment/_response_explanation.html")
def response_explanation(judgement):
    """The judgement's explanation, worded in the template (blocktranslate) from its numbers."""
    return {
        "judgement": judgement,
        "no_data": judgement.response is Response.NO_DATA,
        "no_pain": judgement.response is Response.NO_PAIN,
        "too_early": judgement.response is Response.TOO_EARLY,
        "judge_from": course_rules.JUDGE_FROM_SESSION,
    }
