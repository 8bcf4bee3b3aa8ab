"""Adverse event rates per 1,000 injections, by type and by muscle, counted by the database."""
from django.db.models import Count

from anatomy import vocabulary
from safety.models import AdverseEvent
from safety.reports import per_thousand
from treatment.models import Injection, Session


def adverse_event_rates() -> dict:
    signed = Injection.objects.filter(session__status=Session.Status.SIGNED)
    total = signed.count()
    by_kind = dict(AdverseEvent.objects.values_list("kind").annotate(n=Count("id")))
    kinds = [
        {"kind": label, "events": by_kind.get(code, 0), "rate": per_thousand(by_kind.get(code, 0), total)}
        for code, label in AdverseEvent.Kind.choices
    ]
    injections_by_muscle = dict(signed.values_list("trigger_point__muscle").annotate(n=Count("id")))
    events_by_muscle = dict(
        AdverseEvent.objects.filter(injection__isnull=False)
        .values_list("injection__trigger_point__muscle").annotate(n=Count("id"))
    )
    muscles = sorted(
        (
            {"muscle": vocabulary.muscles()[code].name if code in vocabulary.muscles() else code,
             "injections": n, "events": events_by_muscle.get(code, 0),
             "rate": per_thousand(events_by_muscle.get(code, 0), n)}
            for code, n in injections_by_muscle.items()
        ),
        key=lambda row: (-(row["rate"] or 0), row["muscle"]),
    )
    events = sum(by_kind.values())
    return {"total_injections": total, "total_events": events, "overall_rate": per_thousand(events, total),
            "kinds": kinds, "muscles": muscles}
