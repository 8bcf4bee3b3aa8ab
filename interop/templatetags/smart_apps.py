"""`{% launch_apps patient %}`: the chart's "Launch app" buttons, one per registered SMART app (EHR launch)."""
from django import template

from interop.smart_views import launchable_apps

register = template.Library()


@register.inclusion_tag("interop/_launch_apps.html", takes_context=True)
def launch_apps(context, patient):
    return {"apps": list(launchable_apps()), "patient": patient, "csrf_token": context.get("csrf_token")}
