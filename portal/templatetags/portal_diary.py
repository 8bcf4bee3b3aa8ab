"""`{% load portal_diary %}{% clinician_diary course %}`: the patient's pain diary on the course page."""
from django import template

from portal.diary import diary_for_course

register = template.Library()


@register.inclusion_tag("portal/_diary_for_clinician.html")
def clinician_diary(course):
    return {"diary": diary_for_course(course)}
