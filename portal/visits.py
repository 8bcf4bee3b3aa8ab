"""A returning patient's visit history in plain words: when, with whom, where it was treated,
pain before and after, and what was done, without the chart's clinical shorthand."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch
from django.utils.translation import gettext as _, ngettext

from anatomy import vocabulary
from treatment import charts
from treatment.models import Injection, Session

ANAESTHETICS = {Injection.Agent.LIDOCAINE, Injection.Agent.BUPIVACAINE, Injection.Agent.CHLOROPROCAINE}


@dataclass
class Visit:
    session: Session
    when: datetime
    clinician: str
    areas: list[str] = field(default_factory=list)
    pain_before: int | None = None
    pain_after: int | None = None
    summary: str = ""


def areas(injections, lang: str) -> list[str]:
    """Each body area injected, once, as the patient reads it ("Angle of neck, left")."""
    places = []
    for injection in injections:
        point = injection.trigger_point
        place = vocabulary.Place(point.region, point.region_side or None) if point.region else None
        label = vocabulary.place_label(place, lang) if place else vocabulary.muscle_label(point.muscle, lang)
        if label not in places:
            places.append(label)
    return places


def summary(injections, area_count: int) -> str:
    """What was done, in one plain sentence in the active language."""
    count = len(injections)
    if not count:
        return _("No injections were recorded.")
    kinds = {i.agent for i in injections}
    if kinds <= {Injection.Agent.DRY_NEEDLING}:
        what = _("dry needling: a fine needle without medicine")
    elif kinds & ANAESTHETICS:
        what = _("a local anaesthetic (numbing medicine)")
    else:
        what = _("salt water (saline)")
    done = ngettext("%(count)s injection of %(what)s", "%(count)s injections of %(what)s", count) % {
        "count": count, "what": what}
    where = ngettext("into %(areas)s area.", "into %(areas)s areas.", area_count) % {"areas": area_count}
    return f"{done} {where}"


def history(patient, lang: str) -> list[Visit]:
    """The patient's signed sessions, newest first."""
    sessions = (Session.objects.filter(course__patient=patient, status=Session.Status.SIGNED)
                .select_related("clinician")
                .prefetch_related(Prefetch("injections", queryset=Injection.objects.select_related("trigger_point")))
                .order_by("-performed_at", "-pk"))
    visits = []
    for session in sessions:
        injections = list(session.injections.all())
        treated = areas(injections, lang)
        visits.append(Visit(session, session.performed_at,
                            session.clinician.get_full_name() or session.clinician.get_username(), treated,
                            session.pain_before, session.pain_after, summary(injections, len(treated))))
    return visits


def pain_chart(visits: list[Visit]) -> dict:
    """Pain before and after each visit, oldest first (the clinician's chart, drawn for the patient)."""
    return charts.pain_chart([v.session for v in reversed(visits)])
