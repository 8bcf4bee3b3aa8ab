"""Sessions by lot: every session that used a given lot of an agent, for tracing a recall.

A lot is kept on an injection row (its own agent) and on each agent mixed into it; the report reads
both, drafts included (a draft may already have been given), matching the lot whatever its case, as
lots are copied by hand from the vial.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from django import forms
from django.db.models import F, IntegerField, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charting.models import TriggerPoint
from safety import agents, present
from treatment.models import Injection, InjectionAgent, Session

AGENT_CHOICES = [("", _("Any agent"))] + [c for c in agents.Agent.choices if c[0] != agents.Agent.DRY_NEEDLING] \
    + agents.Corticosteroid.choices


class LotReportForm(forms.Form):
    lot = forms.CharField(label=_("Lot number"), max_length=40,
                          error_messages={"required": _("Enter the lot number printed on the vial.")})
    agent = forms.ChoiceField(label=_("Agent (optional)"), choices=AGENT_CHOICES, required=False)

    def clean_lot(self):
        lot = self.cleaned_data["lot"].strip()
        if not lot:
            raise forms.ValidationError(_("Enter the lot number printed on the vial."))
        return lot


@dataclass(frozen=True)
class LotUse:
    """One agent from the lot, given (or planned, in a draft) at one site of one session."""

    session_id: int
    patient_id: int
    patient: str
    mrn: str
    performed_at: datetime
    clinician: str
    agent: str
    site: str
    lot: str
    expiry: date | None
    signed: bool

    @property
    def day(self) -> date:
        return timezone.localdate(self.performed_at)


def _columns(prefix: str) -> dict:
    """The report's columns, read through `prefix` ("" from an injection row, "injection__" from an agent
    mixed into one): both kinds of row give the same columns, in the same order, so they form one UNION."""
    return {
        "session_pk": F(f"{prefix}session_id"), "patient_pk": F(f"{prefix}session__course__patient_id"),
        "given": F(f"{prefix}session__course__patient__given_name"),
        "family": F(f"{prefix}session__course__patient__family_name"),
        "patient_mrn": F(f"{prefix}session__course__patient__mrn"), "when": F(f"{prefix}session__performed_at"),
        "state": F(f"{prefix}session__status"), "clinician_first": F(f"{prefix}session__clinician__first_name"),
        "clinician_last": F(f"{prefix}session__clinician__last_name"),
        "clinician_username": F(f"{prefix}session__clinician__username"),
        "muscle_code": F(f"{prefix}trigger_point__muscle"), "side_code": F(f"{prefix}trigger_point__side"),
        "agent_code": F("agent"), "lot_text": F("lot_number"), "expiry": F("lot_expiry"),
        "row_pk": F(f"{prefix}id"),  # the injection row: its own, or the one the agent is mixed into
    }


# Oldest session first; within a session, in row order, the row's own agent before those mixed into it.
ORDER = ("when", "session_pk", "row_pk", "mixed_pk")


def lot_uses(lot: str, agent: str = ""):
    """Every use of `lot` (of `agent`, when given) as one ordered UNION of injection rows and mixed agents,
    in `values()` rows: a page of it (Paginator) is read with LIMIT and OFFSET, never the whole lot."""
    own = Injection.objects.filter(lot_number__iexact=lot).order_by()  # the UNION is ordered as a whole
    mixed = InjectionAgent.objects.filter(lot_number__iexact=lot).order_by()
    if agent:
        own, mixed = own.filter(agent=agent), mixed.filter(agent=agent)
    own = own.values(**_columns(""), mixed_pk=Value(0, output_field=IntegerField()))
    mixed = mixed.values(**_columns("injection__"), mixed_pk=F("id"))
    return own.union(mixed, all=True).order_by(*ORDER)


def as_use(row: dict) -> LotUse:
    """A `lot_uses` row as the report shows it (names and labels in the active language)."""
    clinician = f"{row['clinician_first']} {row['clinician_last']}".strip() or row["clinician_username"]
    return LotUse(session_id=row["session_pk"], patient_id=row["patient_pk"],
                  patient=f"{row['given']} {row['family']}", mrn=row["patient_mrn"], performed_at=row["when"],
                  clinician=clinician, agent=present.agent(row["agent_code"]),
                  site=str(TriggerPoint(muscle=row["muscle_code"], side=row["side_code"])), lot=row["lot_text"],
                  expiry=row["expiry"], signed=row["state"] == Session.Status.SIGNED)


def sessions_by_lot(lot: str, agent: str = "") -> list[LotUse]:
    """Every use of `lot` (of `agent`, when given), oldest session first (the CSV: the whole lot)."""
    return [as_use(row) for row in lot_uses(lot, agent)]


HEADER = ["date", "patient", "mrn", "clinician", "agent", "site", "lot", "expiry", "session", "status"]


def as_csv(uses: list[LotUse]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for use in uses:
        writer.writerow([use.day.isoformat(), use.patient, use.mrn, use.clinician, use.agent, use.site, use.lot,
                         use.expiry.isoformat() if use.expiry else "", use.session_id,
                         "signed" if use.signed else "draft"])
    return out.getvalue()
