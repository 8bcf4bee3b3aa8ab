"""A session form's POST as the page sends it, for view tests."""
from django.utils import timezone


def session_post(session, trigger_points, **overrides):
    data = {
        "version": str(session.version), "performed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "pain_before": "7", "pain_after": "3", "immediate_relief_pct": "", "notes": "",
        "injections-TOTAL_FORMS": str(len(trigger_points)), "injections-INITIAL_FORMS": "0",
    }
    for n, tp in enumerate(trigger_points):
        data.update({
            f"injections-{n}-trigger_point": str(tp.pk), f"injections-{n}-agent": "lidocaine",
            f"injections-{n}-concentration_pct": "1", f"injections-{n}-volume_ml": "2",
            f"injections-{n}-needle_gauge": "25", f"injections-{n}-needle_length_mm": "38",
            f"injections-{n}-technique": "fanning", f"injections-{n}-guidance": "none",
        })
    data.update(overrides)
    return data
