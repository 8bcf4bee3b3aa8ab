from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import charting_required
from anatomy import vocabulary
from charting.forms import TriggerPointForm
from charting.models import TriggerPoint, map_points
from patients.models import Patient


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
    trigger_point = get_object_or_404(TriggerPoint, pk=pk)
    if trigger_point.resolved_on is None:
        trigger_point.resolved_on = timezone.localdate()
        trigger_point.save(update_fields=["resolved_on"])
        messages.success(request, _("Marked %(tp)s as resolved.") % {"tp": trigger_point})
    return redirect("patients:chart", pk=trigger_point.patient_id)
