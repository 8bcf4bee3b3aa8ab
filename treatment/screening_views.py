"""The safety screen, consent and adverse events of a session: the workflow's pages that are not the form itself.

Served under /safety/ with the `safety:` URL names (treatment/safety_urls.py); the rules they show
live in the safety app, which knows nothing of sessions.
"""
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.decorators import charting_required, staff_required
from safety import consent as consent_text
from safety.models import AdverseEvent, ConsentRecord
from tpclinic import versioning
from tpclinic.versioning import StaleVersion
from treatment import workflow
from treatment.forms import AdverseEventForm, InjectionFormSet, SessionForm
from treatment.models import Session
from treatment.reports import adverse_event_rates


def _session(pk):
    return get_object_or_404(Session.objects.select_related("course__patient"), pk=pk)


def typed_injections(formset) -> list:
    """The injection rows as typed and valid so far (incomplete rows left out), without saving anything."""
    return [form.instance for form in formset.forms
            if form.is_valid() and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("trigger_point")]


@require_POST
@charting_required
def live_check(request, pk):
    """The risk screen, dose total and coding for the session form as typed (htmx, on every change)."""
    session = _session(pk)
    form = SessionForm(request.POST, instance=Session(
        pk=session.pk, course=session.course, performed_at=session.performed_at, clinician=session.clinician))
    form.is_valid()
    draft = form.instance
    formset = InjectionFormSet(request.POST, instance=session, patient=session.course.patient, prefix="injections")
    formset.is_valid()
    result = workflow.check(draft, typed_injections(formset))
    text = consent_text.form_for(session.course.patient.preferred_language)
    return render(request, "safety/_check.html", {
        "check": result, "session": session, "patient": session.course.patient,
        "consent_text": text, "consent_flags": [text.flag_text(r) for r in workflow.consent_flags(result, text)],
    })


@staff_required(roles.can_read_clinical)
def consent(request, pk):
    """The consent form in the patient's language, with this session's screen flags; recording it."""
    session = _session(pk)
    patient = session.course.patient
    text = consent_text.form_for(patient.preferred_language)
    flags = workflow.consent_flags(workflow.check(session), text)
    if request.method == "POST":
        if not roles.can_chart(request.user):
            return HttpResponse(status=403)
        if session.is_signed:
            messages.error(request, _("This session is signed; its consent cannot change."))
            return redirect("treatment:session", pk=session.pk)
        workflow.record_consent(session, request.user, text, flags)
        messages.success(request, _("Consent recorded."))
        return redirect("treatment:session", pk=session.pk)
    return render(request, "safety/consent.html", {
        "session": session, "patient": patient, "text": text, "flags": [text.flag_text(r) for r in flags],
        "records": session.consents.select_related("recorded_by"),
    })


@staff_required(roles.can_read_clinical)
def consent_pdf(request, pk):
    from weasyprint import HTML  # heavy (pango, fonts): loaded on the first PDF, not at start-up

    record = get_object_or_404(ConsentRecord.objects.select_related("session__course__patient", "recorded_by"), pk=pk)
    text = consent_text.form_for(record.language)
    html = render(request, "safety/consent_pdf.html", {
        "record": record, "patient": record.session.course.patient, "text": text,
        "flags": [flag for flag in map(text.flag_text, record.flags) if flag],
    }).content.decode()
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="consent-{record.pk}.pdf"'
    return response


@charting_required
def adverse_event_new(request, pk):
    session = _session(pk)
    form = AdverseEventForm(request.POST or None, session=session)
    if request.method == "POST":
        if form.is_valid():
            event = form.save(commit=False)
            event.session, event.recorded_by = session, request.user
            event.save()
            messages.success(request, _("Adverse event recorded."))
            return redirect("treatment:session", pk=session.pk)
        messages.error(request, _("Nothing was saved. Please correct the fields marked below."))
    return render(request, "safety/adverse_event_form.html", {"form": form, "session": session,
                                                              "patient": session.course.patient})


@charting_required
def adverse_event_edit(request, pk):
    """Follow an event's course (outcome, follow-up); the change names the version it was made on."""
    event = get_object_or_404(AdverseEvent.objects.select_related("session__course__patient"), pk=pk)
    session = event.session
    form = AdverseEventForm(request.POST or None, instance=event, session=session)
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    saved = form.save(commit=False)
                    saved.save_if_current(form.cleaned_data["version"], changes=lambda current: versioning.changes(
                        current, form._meta.fields, form.cleaned_data, None))
            except StaleVersion as refused:
                messages.error(request, refused.message)
                current = AdverseEvent.objects.get(pk=event.pk)
                data = request.POST.copy()
                data["version"] = str(current.version)
                form = AdverseEventForm(data, instance=current, session=session)
            else:
                messages.success(request, _("Adverse event updated."))
                return redirect("treatment:session", pk=session.pk)
        else:
            messages.error(request, _("Nothing was saved. Please correct the fields marked below."))
    return render(request, "safety/adverse_event_form.html", {"form": form, "session": session, "event": event,
                                                              "patient": session.course.patient})


@staff_required()
def adverse_event_report(request):
    # A recall starts here too: the report of sessions by lot, for those who may see it (it names patients).
    return render(request, "safety/adverse_event_report.html",
                  {**adverse_event_rates(), "can_trace_lots": roles.can_export(request.user)})

