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
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safety import agents
from treatment.models import Injection, InjectionAgent

AGENT_CHOICES = [("", _("Any agent"))] + [c for c in agents.Agent.choices if c[0] != agents.Agent.DRY_NEEDLING] \
    + agents.Corticosteroid.choices
AGENT_LABELS = dict(AGENT_CHOICES[1:])


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


def _use(injection: Injection, agent: str, lot: str, expiry) -> LotUse:
    session, patient = injection.session, injection.session.course.patient
    return LotUse(session_id=session.pk, patient_id=patient.pk, patient=patient.full_name, mrn=patient.mrn,
                  performed_at=session.performed_at,
                  clinician=session.clinician.get_full_name() or session.clinician.get_username(),
                  agent=str(AGENT_LABELS.get(agent, agent)), site=str(injection.trigger_point),
                  lot=lot, expiry=expiry, signed=session.is_signed)


def sessions_by_lot(lot: str, agent: str = "") -> list[LotUse]:
    """Every use of `lot` (of `agent`, when given), oldest session first."""
    related = ("session__course__patient", "session__clinician", "trigger_point")
    own = Injection.objects.filter(lot_number__iexact=lot).select_related(*related)
    mixed = InjectionAgent.objects.filter(lot_number__iexact=lot).select_related(
        *(f"injection__{name}" for name in related))
    if agent:
        own, mixed = own.filter(agent=agent), mixed.filter(agent=agent)
    uses = [_use(i, i.agent, i.lot_number, i.lot_expiry) for i in own]
    uses += [_use(a.injection, a.agent, a.lot_number, a.lot_expiry) for a in mixed]
    return sorted(uses, key=lambda u: (u.performed_at, u.session_id, u.site, u.agent))


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
