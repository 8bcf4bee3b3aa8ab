from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.decorators import staff_required
from anatomy import vocabulary
from patients.models import Patient
from referral import drawings
from referral.models import PainDrawing
from referral.ranking import DrawingError, predicted_zones, rank

TOP = 8


def drawing_history(patient) -> list[dict]:
    """The patient's drawings, newest first, each with its extent and its change from the one before."""
    saved = list(patient.pain_drawings.all())
    rows = []
    for index, drawing in enumerate(saved):
        previous = saved[index + 1] if index + 1 < len(saved) else None
        similarity = drawings.jaccard(drawing.places, previous.places) if previous else None
        rows.append({"drawing": drawing, "extent": drawing.extent_pct, "similarity": similarity})
    return rows


def present(candidate) -> dict:
    """A candidate for the page: region labels people read, and the zone keys the map shades."""
    zones = predicted_zones(candidate.muscle, candidate.side)
    lang = get_language()

    def label(place):
        return vocabulary.place_label(place, lang)

    return {
        "muscle": candidate.muscle, "muscle_name": vocabulary.muscle_label(candidate.muscle, lang),
        "side": candidate.side, "side_label": side_label(candidate.side),
        "score": candidate.score, "percent": round(candidate.score * 100), "confidence": candidate.confidence,
        "labels": {
            "explained_essential": [label(p) for p in candidate.explained_essential],
            "explained_spillover": [label(p) for p in candidate.explained_spillover],
            "explained_local": [label(p) for p in candidate.explained_local],
            "unexplained": [label(p) for p in candidate.unexplained],
        },
        "essential_keys": " ".join(str(p) for p, kind in zones.items() if kind == "essential"),
        "spillover_keys": " ".join(str(p) for p, kind in zones.items() if kind == "spillover"),
    }


def side_label(side: str) -> str:
    """A candidate's side as shown after the muscle's name ("Masetero, izquierdo")."""
    if side == "left":
        return pgettext("muscle side", "left")
    if side == "right":
        return pgettext("muscle side", "right")
    return side


def panel_context(patient) -> dict:
    history = drawing_history(patient)
    latest = history[0]["drawing"] if history else None
    marked = latest.keys if latest else []
    intensity = max((mark.get("intensity", drawings.DEFAULT_INTENSITY) for mark in latest.marks), default=None) if latest else None
    candidates = [present(c) for c in rank(latest.ranking_input(), top=TOP)] if latest else []
    return {"drawing_history": history, "marked": marked, "candidates": candidates,
            "intensity": intensity if intensity is not None else drawings.DEFAULT_INTENSITY}


def _read(request) -> list[tuple]:
    """The marked regions, each with the drawing's intensity unless written with its own."""
    level = request.POST.get("intensity", "").strip()
    intensity = drawings.read_intensity(level, "this drawing") if level else drawings.DEFAULT_INTENSITY
    return drawings.parse_marks(request.POST.get("regions", ""), intensity)


@require_POST
@staff_required(roles.can_read_clinical)
def rank_view(request, patient_pk):
    """Re-rank on every click: the htmx partial with the candidates for the marked regions."""
    patient = get_object_or_404(Patient, pk=patient_pk)
    try:
        marks = _read(request)
        candidates = [present(c) for c in rank(marks, top=TOP)]
        error = None
    except (vocabulary.VocabularyError, DrawingError) as problem:
        candidates, error = [], str(problem)
    return render(request, "referral/_candidates.html", {
        "patient": patient, "candidates": candidates, "error": error, "marked_count": len(marks) if not error else 0,
        "can_chart": roles.can_chart(request.user),
    }, status=200 if error is None else 422)


@require_POST
@staff_required(roles.can_chart)
def save_drawing(request, patient_pk):
    patient = get_object_or_404(Patient, pk=patient_pk)
    try:
        marks = _read(request)
    except vocabulary.VocabularyError as problem:
        messages.error(request, _("The pain drawing was not saved: %(why)s") % {"why": problem})
        return redirect("patients:chart", pk=patient.pk)
    if not marks:
        messages.error(request, _("Mark at least one painful region before saving the drawing."))
        return redirect("patients:chart", pk=patient.pk)
    with transaction.atomic():
        PainDrawing.objects.create(
            patient=patient, drawn_on=timezone.localdate(), recorded_by=request.user,
            marks=[{"place": str(place), "intensity": level} for place, level in marks],
        )
    messages.success(request, _("Pain drawing saved."))
    return redirect("patients:chart", pk=patient.pk)
