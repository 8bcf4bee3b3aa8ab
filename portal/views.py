from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import roles
from accounts.decorators import staff_required
from audit import events
from patients.models import Patient
from portal import diary as diary_tools
from portal import handout, schedule, visits
from portal.access import own_appointment, own_sessions, own_session, patient_required
from portal.forms import ConsentForm, DiaryForm
from portal.models import DiaryEntry
from safety import consent as consent_text
from safety.models import ConsentRecord
from scheduling import booking
from scheduling.forms import AppointmentRequestForm, ReminderChoiceForm
from scheduling.models import ReminderChoice
from scheduling.views import ics_response
from tpclinic import dates, language
from treatment.models import Session


def sessions_to_consent(patient) -> list[Session]:
    """Draft sessions (made at check-in) from today on whose consent is not yet recorded."""
    today = timezone.localdate()
    drafts = own_sessions(patient).filter(status=Session.Status.DRAFT, consent_recorded=False,
                                          course__is_open=True).order_by("performed_at")
    return [s for s in drafts if timezone.localdate(s.performed_at) >= today]


@patient_required
def home(request, patient):
    booked = schedule.upcoming_appointments(patient)
    for appointment in booked:
        appointment.may_cancel = booking.patient_may_cancel(appointment)
    return render(request, "portal/home.html", {
        "patient": patient,
        "appointments": booked,
        "dues": schedule.due_dates(patient, booked),
        "to_consent": sessions_to_consent(patient),
        "missing_days": diary_tools.missing_days(patient),
        "today": timezone.localdate(),
        "latest_entry": DiaryEntry.objects.filter(patient=patient).first(),
    })


@patient_required
def visit_history(request, patient):
    found = visits.history(patient, language.supported(translation.get_language()))
    return render(request, "portal/visits.html", {
        "patient": patient, "visits": found, "pain_chart": visits.pain_chart(found),
    })


@require_GET
@patient_required
def appointment_ics(request, patient, appointment_pk):
    return ics_response(own_appointment(patient, appointment_pk), request)


@require_POST
@patient_required
def appointment_cancel(request, patient, appointment_pk):
    appointment = own_appointment(patient, appointment_pk)
    if not booking.patient_may_cancel(appointment):
        messages.error(request, _("This appointment can no longer be cancelled online. Please call the clinic."))
        return redirect("portal:home")
    booking.cancel(appointment, reason=_("Cancelled by the patient in the portal"))
    messages.success(request, _("Your appointment is cancelled."))
    return redirect("portal:home")


@patient_required
def appointment_request(request, patient, appointment_pk=None):
    """Ask for an appointment, or for another time for one already booked: the front desk calls back."""
    appointment = own_appointment(patient, appointment_pk) if appointment_pk else None
    form = AppointmentRequestForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            wanted = form.save(commit=False)
            wanted.patient, wanted.appointment = patient, appointment
            wanted.save()
            messages.success(request, _("Thank you. The clinic will contact you to agree a time."))
            return redirect("portal:home")
        messages.error(request, _("Nothing was sent. Please correct the fields marked below."))
    return render(request, "portal/request.html", {"patient": patient, "form": form, "appointment": appointment},
                  status=400 if request.method == "POST" else 200)


@patient_required
def reminders(request, patient):
    choice = ReminderChoice.objects.filter(patient=patient).first() or ReminderChoice(patient=patient)
    form = ReminderChoiceForm(request.POST or None, instance=choice)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Your reminder choice is saved."))
            return redirect("portal:home")
        messages.error(request, _("Nothing was saved. Please correct the fields marked below."))
    return render(request, "portal/reminders.html", {"patient": patient, "form": form},
                  status=400 if request.method == "POST" else 200)


@patient_required
def consent(request, patient, pk):
    """E-consent for one of the patient's own draft sessions, in their language only."""
    session = own_session(patient, pk)
    text = consent_text.form_for(patient.preferred_language)
    form = ConsentForm(request.POST if request.method == "POST" else None, statement=text.statement)
    if request.method == "POST":
        if session.is_signed:
            messages.error(request, _("This session is finished; its consent cannot change."))
            return redirect("portal:home")
        if session.consent_recorded:
            messages.info(request, _("Your consent for this session is already recorded."))
            return redirect("portal:home")
        if form.is_valid():
            with transaction.atomic(), events.quiet():
                locked = Session.objects.select_for_update().get(pk=session.pk)
                if locked.is_signed or locked.consent_recorded:
                    return redirect("portal:home")
                given = ConsentRecord.objects.create(
                    session=locked, form_version=text.version, language=text.language, flags=[],
                    method=ConsentRecord.Method.PORTAL, recorded_by=request.user,
                )
                Session.objects.filter(pk=locked.pk).update(consent_recorded=True)
                events.record(events.Action.CONSENT, obj=given, request=request,
                              before={"consent_recorded": False},
                              after={"consent_recorded": True, **events.snapshot(given)})
            messages.success(request, _("Thank you. Your consent is recorded."))
            return redirect("portal:home")
    return render(request, "portal/consent.html", {
        "patient": patient, "session": session, "text": text, "form": form, "flags": [],
        "records": session.consents.filter(method=ConsentRecord.Method.PORTAL),
    }, status=400 if request.method == "POST" else 200)


@patient_required
def diary(request, patient):
    today = timezone.localdate()
    existing = None
    if request.method == "POST":
        form = DiaryForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            entry, created = diary_tools.save_entry(
                patient, request.user, day=data["day"], pain=data["pain"], note=data["note"].strip(),
                marks=data["marks"],
            )
            day = dates.long_date(entry.day)
            if created:
                messages.success(request, _("Your diary entry for %(day)s is saved.") % {"day": day})
            else:
                messages.success(request, _("You already had an entry for %(day)s; it is now updated.") % {"day": day})
            return redirect("portal:diary")
        messages.error(request, _("Nothing was saved. Please correct the fields marked below."))
        status = 400
    else:
        try:
            day = min(parse_date(request.GET.get("day", "") or "") or today, today)
        except ValueError:  # well formed but impossible, e.g. 2026-02-31
            day = today
        existing = DiaryEntry.objects.filter(patient=patient, day=day).select_related("drawing").first()
        initial = {"day": day, "pain": 0}
        if existing:
            initial.update(pain=existing.pain, note=existing.note,
                           regions=",".join(existing.drawing.mark_codes) if existing.drawing_id else "")
        form = DiaryForm(initial=initial)
        status = 200
    editing = request.method == "GET" and existing is not None
    marked = [key for key in (form["regions"].value() or "").replace(",", " ").split()]
    entries = diary_tools.recent_entries(patient, today=today)
    return render(request, "portal/diary.html", {
        "patient": patient, "form": form, "marked": marked,
        "entries": entries, "chart": diary_tools.chart(entries, today=today), "today": today,
        "editing": editing,
    }, status=status)


def _pdf_response(request, patient):
    pdf, _html = handout.render_pdf(patient, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="handout-{timezone.localdate():%Y-%m-%d}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@patient_required
def handout_pdf(request, patient):
    return _pdf_response(request, patient)


@require_GET
@staff_required(roles.can_read_clinical)
def staff_handout_pdf(request, patient_pk):
    """The same handout for clinical staff to print or give, from the patient's chart."""
    return _pdf_response(request, get_object_or_404(Patient, pk=patient_pk))
