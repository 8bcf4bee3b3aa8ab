from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.decorators import staff_required
from anatomy import vocabulary
from audit import record
from audit.models import Action
from charting.forms import TriggerPointForm
from patients.models import Patient
from referral import calibration, drawings, examination
from referral.knowledge import knowledge_base
from referral.models import ExaminationFinding, LearnedModel, PainDrawing
from referral.ranking import TEXTBOOK, DrawingError, assess, predicted_zones
from tpclinic.limits import parse_id

TOP = 8


def band_label(band: str) -> str:
    """The likelihood's words in the reader's language (looked up per request, not at import)."""
    return {calibration.LIKELY: pgettext("likelihood", "likely"), calibration.POSSIBLE: pgettext("likelihood", "possible"),
            calibration.LESS_LIKELY: pgettext("likelihood", "less likely")}[band]


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
    """A candidate for the page: region labels people read, the words beside its likelihood, what
    published reports add (apart from the textbook), its examination, and the zone keys the map shades."""
    zones = predicted_zones(candidate.muscle, candidate.side)
    lang = get_language()

    def label(place):
        return vocabulary.place_label(place, lang)

    reported = []
    for item in candidate.explained_reported:
        count = ngettext("%(n)d publication", "%(n)d publications", item.reports) % {"n": item.reports}
        where = _("other side") + "; " if item.other_side else ""
        reported.append(f"{label(item.place)} ({where}{count})")
    rules = examination.rules()
    exam = [{"code": code, "label": finding.label, "present": candidate.findings.get(code)}
            for code, finding in rules.findings.items()]
    return {
        "muscle": candidate.muscle, "muscle_name": vocabulary.muscle_label(candidate.muscle, lang),
        "side": candidate.side, "side_label": side_label(candidate.side),
        "score": candidate.score, "percent": round(candidate.score * 100), "confidence": candidate.confidence,
        "band": candidate.band, "band_label": band_label(candidate.band),
        "labels": {
            "explained_essential": [label(p) for p in candidate.explained_essential],
            "explained_spillover": [label(p) for p in candidate.explained_spillover],
            "explained_local": [label(p) for p in candidate.explained_local],
            "reported": reported,
            "learned": [label(p) for p in candidate.explained_learned],
            "clinic": [_("in this clinic, %(marked)d of %(examples)d confirmed %(muscle)s patients marked %(zone)s")
                       % {"marked": e.marked, "examples": e.examples, "zone": label(e.place),
                          "muscle": vocabulary.muscle_label(candidate.muscle, lang)}
                       for e in candidate.clinic_evidence],
            "unexplained": [label(p) for p in candidate.unexplained],
        },
        "exam": exam, "examined": bool(candidate.findings), "meets_criteria": candidate.meets_criteria,
        "essential_keys": " ".join(str(p) for p, kind in zones.items() if kind == "essential"),
        "spillover_keys": " ".join(str(p) for p, kind in zones.items() if kind == "spillover"),
    }


def clinic_model():
    """The model the web ranking uses: the clinic's newest learned model when REFERRAL_MODEL is
    "clinic" and one is stored, else None (the textbook)."""
    choice = settings.REFERRAL_MODEL
    if choice not in (TEXTBOOK, "clinic"):
        raise ImproperlyConfigured(f"REFERRAL_MODEL must be 'textbook' or 'clinic', not {choice!r}.")
    return LearnedModel.current() if choice == "clinic" else None


def ranking_context(marks, findings=None) -> dict:
    """The candidates and the notes that go with them: how many fit, for a one-region drawing that
    many muscles fit and which study gives the prior, and which model ranked."""
    result = assess(marks, top=TOP, findings=findings, model=clinic_model())
    return {"candidates": [present(c) for c in result.candidates], "fitting": result.fitting,
            "sparse": result.sparse, "prior_studies": result.prior_studies, "ranked_by": result.model,
            "model_version": result.model_version, "model_examples": result.model_examples}


def side_label(side: str) -> str:
    """A candidate's side as shown after the muscle's name ("Masetero, izquierdo")."""
    if side == "left":
        return pgettext("muscle side", "left")
    if side == "right":
        return pgettext("muscle side", "right")
    return side


def saved_ranking(drawing: PainDrawing) -> dict:
    """The ranking of a saved drawing with its examination findings, ready for the candidates partial."""
    return {**ranking_context(drawing.ranking_input(), drawing.findings_map()), "drawing": drawing}


def panel_context(patient) -> dict:
    history = drawing_history(patient)
    latest = history[0]["drawing"] if history else None
    marked = latest.mark_codes if latest else []
    intensity = max((mark.get("intensity", drawings.DEFAULT_INTENSITY) for mark in latest.marks), default=None) if latest else None
    ranking = saved_ranking(latest) if latest else {"candidates": [], "drawing": None}
    return {"drawing_history": history, "marked": marked, **ranking,
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
        ranking = ranking_context(marks)
        error = None
    except (vocabulary.VocabularyError, DrawingError) as problem:
        ranking, error = {"candidates": []}, str(problem)
    return render(request, "referral/_candidates.html", {
        "patient": patient, **ranking, "error": error, "marked_count": len(marks) if not error else 0,
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


class ExamError(ValueError):
    """An examination request that names no saved drawing of this patient, or a bad muscle, side or finding."""


def _examined(request, patient) -> tuple[PainDrawing, str, str]:
    """The saved drawing (of this patient), muscle and side a request names; ExamError otherwise."""
    drawing_id = parse_id(request.POST.get("drawing"))
    if drawing_id is None:
        raise ExamError(_("Save the pain drawing before recording the examination."))
    drawing = patient.pain_drawings.filter(pk=drawing_id).first()
    if drawing is None:
        raise ExamError(_("That pain drawing is not this patient's."))
    if "candidate" in request.POST:  # the chart button names "muscle:side" in one value
        muscle, _sep, side = request.POST["candidate"].partition(":")
    else:
        muscle, side = request.POST.get("muscle", ""), request.POST.get("side", "")
    if muscle not in vocabulary.muscles() or side not in vocabulary.SIDES:
        raise ExamError(_("Choose a muscle and side from the ranking."))
    return drawing, muscle, side


@require_POST
@staff_required(roles.can_chart)
def examine(request, patient_pk):
    """Record one examination finding for a candidate muscle; answer with the updated ranking."""
    patient = get_object_or_404(Patient, pk=patient_pk)
    try:
        drawing, muscle, side = _examined(request, patient)
        code, answer = request.POST.get("finding", ""), request.POST.get("present", "")
        if code not in examination.findings():
            raise ExamError(_("Unknown examination finding."))
        if answer not in ("yes", "no", "clear"):
            raise ExamError(_("Say whether the finding is present or absent."))
    except ExamError as problem:
        return render(request, "referral/_candidates.html", {"patient": patient, "candidates": [], "error": str(problem)},
                      status=422)
    with transaction.atomic():
        row = ExaminationFinding.objects.select_for_update().filter(
            drawing=drawing, muscle=muscle, side=side, finding=code).first()
        before = "not recorded" if row is None else ("present" if row.present else "absent")
        if answer == "clear":
            if row is not None:
                row.delete()
        elif row is None:
            row = ExaminationFinding.objects.create(drawing=drawing, muscle=muscle, side=side, finding=code,
                                                    present=answer == "yes", recorded_by=request.user)
        else:
            row.present, row.recorded_by, row.recorded_at = answer == "yes", request.user, timezone.now()
            row.save(update_fields=["present", "recorded_by", "recorded_at"])
        after = {"yes": "present", "no": "absent", "clear": "not recorded"}[answer]
        record.write(Action.CREATE if before == "not recorded" else (Action.DELETE if answer == "clear" else Action.UPDATE),
                     request=request, object_type="referral.examinationfinding", object_id=row.pk if row else "",
                     patient_id=patient.pk,
                     detail=f"drawing {drawing.pk}, {muscle} {side}, {code}: {before} -> {after}")
    return render(request, "referral/_candidates.html", {
        "patient": patient, **saved_ranking(drawing), "can_chart": True, "error": None})


@require_POST
@staff_required(roles.can_chart)
def chart_examined(request, patient_pk):
    """Chart, in one click, a muscle whose recorded findings meet the criteria: a trigger point at
    the muscle's usual site, with the findings attached (and linked)."""
    patient = get_object_or_404(Patient, pk=patient_pk)
    try:
        drawing, muscle, side = _examined(request, patient)
    except ExamError as problem:
        messages.error(request, _("Nothing was charted: %(why)s") % {"why": problem})
        return redirect("patients:chart", pk=patient.pk)
    findings = drawing.findings_map().get((muscle, side), {})
    if not examination.meets_criteria(findings):
        messages.error(request, _("Nothing was charted: the recorded findings do not meet the trigger point criteria."))
        return redirect("patients:chart", pk=patient.pk)
    region = knowledge_base()[muscle].trigger_point_regions[0]
    present = {code for code, value in findings.items() if value}
    labels = "; ".join(f"{examination.finding(code).label}: {_('present') if value else _('absent')}"
                       for code, value in sorted(findings.items()))
    form = TriggerPointForm({
        "muscle": muscle, "side": side, "region": region,
        "region_side": side if vocabulary.region(region).paired else "",
        "activity": "active" if "recognised-pain" in present else "latent",
        "taut_band": "spot-tenderness" in present, "local_twitch_response": "local-twitch" in present,
        "referred_pain_reproduced": "referred-pain" in present,
        "found_on": timezone.localdate().isoformat(),
        "notes": _("Charted from the examination after the pain drawing of %(date)s. %(findings)s") % {
            "date": drawing.drawn_on.isoformat(), "findings": labels},
    })
    if not form.is_valid():
        messages.error(request, _("Nothing was charted: %(why)s") % {"why": "; ".join(
            str(e) for errors in form.errors.values() for e in errors)})
        return redirect("patients:chart", pk=patient.pk)
    with transaction.atomic():
        point = form.save(commit=False)
        point.patient = patient
        point.save()
        linked = drawing.findings.filter(muscle=muscle, side=side).update(trigger_point=point)
        record.write(Action.UPDATE, request=request, object_type="referral.examinationfinding", object_id="",
                     patient_id=patient.pk,
                     detail=f"drawing {drawing.pk}, {muscle} {side}: {linked} finding(s) attached to trigger point {point.pk}")
    messages.success(request, _("Charted %(tp)s with its examination findings.") % {"tp": point})
    return redirect("patients:chart", pk=patient.pk)
