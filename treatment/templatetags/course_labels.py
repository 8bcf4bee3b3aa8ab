"""Course statuses in the reader's language; the wording is safety/present.py's.

    {% load course_labels %}
    {{ judgement.response|response_label }}   {{ due_status|due_label }}
    {% response_explanation judgement %}
"""
from django import template

from safety import present

register = template.Library()


@register.filter
def response_label(value) -> str:
    """`{{ judgement.response|response_label }}`: Response (or its value) -> translated label."""
    return present.response_label(value)


@register.filter
def due_label(value) -> str:
    """`{{ course.due_status|due_label }}`: DueStatus (or its value) -> translated label."""
    return present.due_label(value)


@register.simple_tag
def response_explanation(judgement) -> str:
    """The judgement's explanation, worded from its numbers."""
    return present.response_explanation(judgement)
