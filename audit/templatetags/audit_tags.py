from django import template

from accounts import roles

register = template.Library()


@register.inclusion_tag("audit/_amendments_list.html", takes_context=True)
def amendments(context, record):
    from audit.views import amendments_of

    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "record": record,
        "amendments": list(amendments_of(record)) if record is not None and record.pk else [],
        "can_amend": bool(user and roles.can_chart(user) and getattr(record, "is_signed", False)),
    }
