from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def idle_seconds() -> int:
    return int(settings.SESSION_COOKIE_AGE)
