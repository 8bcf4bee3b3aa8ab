"""`{{ value|long_date }}`, `{{ value|date_time }}` and `{{ value|visit_time }}`: tpclinic.dates in templates."""
from django import template

from tpclinic import dates

register = template.Library()
register.filter("long_date", dates.long_date)
register.filter("visit_time", dates.visit_time)
register.filter("date_time", dates.date_time)
