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


class Corticosteroid(models.TextChoices):
    """Steroids mixed into an injection, dosed in mg (safety/data/corticosteroids.toml has their facts)."""

    TRIAMCINOLONE = "triamcinolone", _("Triamcinolone acetonide")
    METHYLPREDNISOLONE = "methylprednisolone", _("Methylprednisolone acetate")
    DEXAMETHASONE = "dexamethasone", _("Dexamethasone sodium phosphate")


# What one agent of a mixture can be: any injectate but dry needling, or a corticosteroid.
MIXTURE_CHOICES = [c for c in Agent.choices if c[0] != Agent.DRY_NEEDLING] + Corticosteroid.choices
