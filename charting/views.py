from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import charting_required
from anatomy import vocabulary
from charting.forms import ResolveForm, TriggerPointForm
from charting.models import TriggerPoint, map_points
from patients.models import Patient
from tpclinic.versioning import StaleVersion, stale_message


@charting_required
def trigger_point_new(request, patient_pk):
    patient = get_object_or_404(Patient, pk=patient_pk)
    initial = {}
    if request.GET.get("muscle") in vocabulary.muscles():
        initial["muscle"] = request.GET["muscle"]
    if request.GET.get("side") in vocabulary.SIDES:
        initial["side"] = request.GET["side"]
    form = TriggerPointForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            trigger_point = form.save(commit=False)
            trigger_point.patient = patient
            trigger_point.save()
            messages.success(request, _("Charted %(tp)s.") % {"tp": trigger_point})
            return redirect("patients:chart", pk=patient.pk)
        messages.error(request, _("Nothing was saved. Please correct the fields marked below."))
    existing = map_points(patient.trigger_points.filter(resolved_on__isnull=True))
    return render(request, "charting/trigger_point_form.html", {"patient": patient, "form": form, "points": existing})


@require_POST
@charting_required
def trigger_point_resolve(request, pk):
    """Mark resolved today, from the chart as the user saw it (its version)."""
    trigger_point = get_object_or_404(TriggerPoint, pk=pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["version"]))
    elif trigger_point.resolved_on is None:
        trigger_point.resolved_on = timezone.localdate()
        try:
            trigger_point.save_if_current(form.cleaned_data["version"], update_fields=["resolved_on"])
        except StaleVersion as stale:
            messages.error(request, stale_message(stale))
        else:
            messages.success(request, _("Marked %(tp)s as resolved.") % {"tp": trigger_point})
    return redirect("patients:chart", pk=trigger_point.patient_id)
