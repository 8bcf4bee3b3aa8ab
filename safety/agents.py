"""The injectates a site can receive, with the names the forms and the findings show.

The one list of agents: treatment's Injection model takes its choices from here, and the presenter
names agents from here, so neither app restates it (safety/facts.py holds the same codes for the
rules, checked equal by a test).
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Agent(models.TextChoices):
    LIDOCAINE = "lidocaine", _("Lidocaine")
    BUPIVACAINE = "bupivacaine", _("Bupivacaine")
    CHLOROPROCAINE = "chloroprocaine", _("Chloroprocaine")
    SALINE = "saline", _("Normal saline")
    DRY_NEEDLING = "dry-needling", _("Dry needling (no injectate)")
