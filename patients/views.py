from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts.decorators import staff_required
from audit import events
from patients.forms import AllergyFormSet, FrontDeskPatientForm, MedicationFormSet, PatientForm
from patients.models import Patient
from tpclinic.versioning import StaleVersion


@staff_required()
def patient_list(request):
    query = request.GET.get("q", "").strip()
    patients = Patient.objects.all()
    if query:
        words = query.split()
        for word in words:
            patients = patients.filter(
                Q(family_name__icontains=word) | Q(given_name__icontains=word) | Q(mrn__iexact=word)
            )
    page = Paginator(patients.order_by("family_name", "given_name", "id"), 25).get_page(request.GET.get("page"))
    events.shown(request, page.object_list, what=f"patient search: {query}"[:255] if query else "patient list")
    template = "patients/_results.html" if request.headers.get("HX-Request") else "patients/list.html"
    return render(request, template, {"page": page, "query": query})


@staff_required()
def patient_edit(request, pk=None):
    patient = get_object_or_404(Patient, pk=pk) if pk else None
    clinical = roles.can_read_clinical(request.user)
    form = (PatientForm if clinical else FrontDeskPatientForm)(request.POST or None, instance=patient)
    formsets = [
        AllergyFormSet(request.POST or None, instance=patient or Patient(), prefix="allergies"),
        MedicationFormSet(request.POST or None, instance=patient or Patient(), prefix="medications"),
    ] if clinical else []
    if request.method == "POST":
        if form.is_valid() and all(formset.is_valid() for formset in formsets):
            try:
                with transaction.atomic():
                    saved = form.save()
                    for formset in formsets:
                        formset.instance = saved
                        formset.save()
            except StaleVersion as stale:  # another save landed between the check and ours
                form.refuse_stale(stale)
            else:
                messages.success(request, _("Saved %(name)s.") % {"name": saved.full_name})
                return redirect("patients:chart", pk=saved.pk)
        messages.error(request, _("Nothing was saved. Please correct the fields marked below."))
    allergies, medications = formsets or (None, None)
    return render(request, "patients/edit.html", {
        "form": form, "allergies": allergies, "medications": medications, "patient": patient, "clinical": clinical,
    })


def _front_desk_chart(request, patient):
    """Minimum necessary: demographics, appointments and payer, no clinical notes."""
    # The scheduling app's appointments, through the reverse relation (scheduling imports this app).
    upcoming = patient.appointments.upcoming().select_related("clinician")
    return render(request, "patients/front_desk.html", {"patient": patient, "upcoming": upcoming})


@staff_required()
def chart(request, pk):
    patient = get_object_or_404(
        Patient.objects.prefetch_related("allergies", "medications"), pk=pk,
    )
    if not roles.can_read_clinical(request.user):
        return _front_desk_chart(request, patient)
    trigger_points = patient.trigger_points.all()  # charting's, through the reverse relation
    courses = list(
        patient.courses.select_related("clinician").with_schedule()
    )
    return render(request, "patients/chart.html", {
        "patient": patient,
        "trigger_points": trigger_points,
        "points": trigger_points.map_points(),
        "courses": courses,
        "can_chart": roles.can_chart(request.user),
    })
