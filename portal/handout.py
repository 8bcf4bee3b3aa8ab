"""The patient handout: treatment, aftercare, their trigger points, next session and exercises.

Printed entirely in the patient's preferred language from data/handout.toml; when that language
is missing the whole handout is English with a marked notice, never a mix. Gettext is not used
for the handout's words (a half-translated catalogue would mix languages); Django's own locale
data only formats the dates, under `translation.override(language)`.
"""
from __future__ import annotations

import logging
import tomllib
from functools import cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from anatomy import bodymap, vocabulary
from portal import schedule
from tpclinic import dates, language

DATA = Path(__file__).resolve().parent / "data" / "handout.toml"
FALLBACK = "en"
MAX_LIBRARY_ARTICLES = 3
log = logging.getLogger(__name__)


@cache
def data() -> dict:
    with open(DATA, "rb") as handle:
        return tomllib.load(handle)


def languages() -> list[str]:
    return sorted(data()["texts"])


def texts_for(tag: str | None) -> tuple[str, dict, bool]:
    """(language used, its texts, whether this is the English fallback for a missing language)."""
    wanted = language.served(tag)
    found = data()["texts"]
    if wanted in found:
        return wanted, found[wanted], False
    return FALLBACK, found[FALLBACK], True


def current_points(patient) -> list:
    return list(patient.trigger_points.filter(resolved_on__isnull=True).order_by("found_on", "pk"))


def treated_muscles(patient, points) -> list[str]:
    """Muscles of the unresolved trigger points, then any other muscle injected in an open course."""
    from treatment.models import Injection

    muscles = list(dict.fromkeys(tp.muscle for tp in points))
    injected = (Injection.objects.filter(session__course__patient=patient, session__course__is_open=True)
                .values_list("trigger_point__muscle", flat=True).distinct())
    for code in injected:
        if code not in muscles:
            muscles.append(code)
    return muscles


def map_views(points) -> list[dict]:
    """Both body-map views as SVG paths, with the numbered points drawn on the view they were charted on."""
    views = []
    for view in bodymap.views():
        views.append({
            "name": view,
            "paths": [shape.path_d for shape in bodymap.shapes(view)],
            "points": [p for p in points if p["view"] == view],
        })
    return views


def library_exercises(muscles, lang: str) -> tuple[list, set]:
    """Exercise articles from the health library in `lang` only (an English fallback would mix languages)."""
    if not muscles:
        return [], set()
    try:
        from library.articles import articles_for_muscles

        shown = articles_for_muscles(muscles, lang)
    except Exception:  # the library is optional here: a missing or broken library must not stop the handout
        log.warning("Health library unavailable for the handout", exc_info=True)
        return [], set()
    articles = [item.article for item in shown if not item.is_fallback][:MAX_LIBRARY_ARTICLES]
    covered = set(muscles) & {code for article in articles for code in article.muscles}
    return articles, covered


def builtin_exercises(muscles, text: dict) -> list[dict]:
    sets = data()["exercise_sets"]
    wanted = []
    for code in muscles:
        found = vocabulary.muscles().get(code)
        name = sets.get(found.group) if found else None
        if name and name not in wanted:
            wanted.append(name)
    return [text["exercises"][name] for name in wanted]


def next_session(patient, text: dict) -> str:
    booked = schedule.upcoming_appointments(patient)
    if booked:
        moment = timezone.localtime(booked[0].start)
        return text["next_scheduled"].format(date=dates.long_date(moment),
                                             time=formats.time_format(moment, "TIME_FORMAT"))
    dues = schedule.due_dates(patient, booked)
    if dues:
        return text["next_due"].format(date=dates.long_date(max(dues[0].day, timezone.localdate())))
    return text["next_none"]


def context(patient, today=None) -> dict:
    lang, text, is_fallback = texts_for(patient.preferred_language)
    today = today or timezone.localdate()
    with translation.override(lang):
        charted = current_points(patient)
        points = []
        for number, tp in enumerate(charted, start=1):
            found = vocabulary.muscles().get(tp.muscle)
            group = text["groups"].get(found.group, "") if found else ""
            side = text.get(tp.side, "")
            label = text["point_item"].format(group=group, side=side) if group else side
            # Coordinates as plain strings: a localized float ("100,5" in es/ar) would break the SVG.
            points.append({"number": number, "view": tp.view, "x": f"{tp.map_x:.1f}", "y": f"{tp.map_y:.1f}",
                           "label": label})
        muscles = treated_muscles(patient, charted)
        articles, covered = library_exercises(muscles, lang)
        builtin = builtin_exercises([m for m in muscles if m not in covered], text)
        return {
            "lang": lang, "dir": language.direction(lang), "t": text, "is_fallback": is_fallback,
            "version": data()["version"], "sources": data()["sources"], "patient": patient,
            "prepared_for": text["prepared_for"].format(name=patient.full_name,
                                                        date=dates.long_date(today)),
            "points": points, "views": map_views(points), "viewbox": " ".join(str(v) for v in bodymap.VIEWBOX),
            "next_session": next_session(patient, text),
            "library_articles": articles, "exercises": builtin,
        }


def render_html(patient, today=None) -> str:
    ctx = context(patient, today)
    with translation.override(ctx["lang"]):
        return render_to_string("portal/handout.html", ctx)


def render_pdf(patient, base_url: str | None = None, today=None) -> tuple[bytes, str]:
    """(PDF bytes, the HTML it was made from)."""
    from weasyprint import HTML

    html = render_html(patient, today)
    return HTML(string=html, base_url=base_url).write_pdf(), html
