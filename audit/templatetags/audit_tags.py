from django import template

from accounts import roles
from audit.models import Amendment

register = template.Library()


@register.inclusion_tag("audit/_amendments_list.html", takes_context=True)
def amendments(context, record):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "record": record,
        "amendments": list(Amendment.of(record)) if record is not None and record.pk else [],
        "can_amend": bool(user and roles.can_chart(user) and getattr(record, "is_signed", False)),
    }
