"""The pain drawing and its ranked candidates, as a panel of the patient's chart.

The chart belongs to the patients app, which referral imports; the chart's template loads this tag
instead of the patients view importing referral."""
from django import template

from referral.views import panel_context

register = template.Library()


@register.inclusion_tag("referral/_panel.html", takes_context=True)
def referral_panel(context, patient):
    return {**context.flatten(), **panel_context(patient)}
