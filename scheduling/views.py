from datetime import datetime, time, timedelta

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import roles
from accounts.decorators import staff_required
from scheduling import booking, notices
from scheduling.forms import BookingForm, CancelForm, ClinicianSessionForm, ClinicSettingsForm
from scheduling.models import Appointment, AppointmentRequest, ClinicianSession, ClinicSettings
from tpclinic.limits import parse_id
from treatment.models import Course

admin_required = staff_required(lambda user: roles.role_of(user) == "admin")


@staff_required()
def book(request, course_pk):
    """Book the course's next session: the due date at the clinician's usual time, free slots around it."""
    course = get_object_or_404(Course.objects.select_related("patient", "clinician"), pk=course_pk)
    proposal = booking.propose(course)
    initial = {"minutes": proposal.minutes, "room": proposal.room}
    if proposal.slots:
        initial["slot"] = timezone.localtime(proposal.slots[0]).strftime("%Y-%m-%dT%H:%M")
    form = BookingForm(request.POST or None, slots=proposal.slots, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointment = booking.book(course, start=data["start"], minutes=data["minutes"], room=data["room"],
                                           early_reason=data["early_reason"], by=request.user)
            except booking.BookingRefused as refused:
                form.add_error(refused.field if refused.field in form.fields else None, refused.message)
            else:
                messages.success(request, _("Booked: %(when)s") % {"when": notices.when(appointment)})
                return redirect(f"{reverse('scheduling:day')}?day={timezone.localdate(appointment.start).isoformat()}"
                                f"&clinician={appointment.clinician_id}")
        messages.error(request, _("Nothing was booked. Please correct the fields marked below."))
        status = 400
    upcoming = course.appointments.filter(status__in=Appointment.ACTIVE, start__gte=timezone.now())
    return render(request, "scheduling/book.html", {
        "course": course, "patient": course.patient, "proposal": proposal, "form": form, "upcoming": upcoming,
    }, status=status)


def _day_from(request):
    try:
        return parse_date(request.GET.get("day") or "") or timezone.localdate()
    except ValueError:
        return timezone.localdate()


@staff_required()
def day(request):
    """A day's appointments, for one clinician or the whole clinic ("today's clinic")."""
    day = _day_from(request)
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time(0), tz)
    appointments = (Appointment.objects.filter(start__gte=start, start__lt=start + timedelta(days=1))
                    .select_related("patient", "course", "clinician", "room", "session").order_by("start", "pk"))
    clinicians = list(roles.clinicians())
    chosen = request.GET.get("clinician") or ("all" if roles.role_of(request.user) != "clinician" else str(request.user.pk))
    if chosen != "all" and parse_id(chosen):
        appointments = appointments.filter(clinician_id=parse_id(chosen))
    else:
        chosen = "all"
    rows = list(appointments)
    counts = [(label, sum(1 for a in rows if a.status == status)) for status, label in Appointment.Status.choices]
    return render(request, "scheduling/day.html", {
        "day": day, "rows": rows, "clinicians": clinicians, "chosen": chosen, "counts": counts,
        "previous": day - timedelta(days=1), "next": day + timedelta(days=1), "today": timezone.localdate(),
        "can_chart": roles.can_chart(request.user), "cancel_form": CancelForm(),
        "open_requests": AppointmentRequest.objects.filter(handled_at__isnull=True).count(),
        "is_admin": roles.role_of(request.user) == "admin",
    })


def _back_to_day(appointment, request):
    chosen = request.POST.get("clinician") or "all"
    return redirect(f"{reverse('scheduling:day')}?day={timezone.localdate(appointment.start).isoformat()}&clinician={chosen}")


@require_POST
@staff_required()
def check_in(request, appointment_pk):
    appointment = get_object_or_404(Appointment, pk=appointment_pk)
    try:
        session = booking.check_in(appointment)
    except booking.BookingRefused as refused:
        messages.error(request, refused.message)
        return _back_to_day(appointment, request)
    messages.success(request, _("%(patient)s is checked in.") % {"patient": appointment.patient.full_name})
    if roles.can_chart(request.user) and request.POST.get("open") == "session":
        return redirect("treatment:session", pk=session.pk)
    return _back_to_day(appointment, request)


@require_POST
@staff_required()
def no_show(request, appointment_pk):
    appointment = get_object_or_404(Appointment, pk=appointment_pk)
    try:
        booking.no_show(appointment)
    except booking.BookingRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Marked as not attended."))
    return _back_to_day(appointment, request)


@require_POST
@staff_required()
def cancel(request, appointment_pk):
    appointment = get_object_or_404(Appointment, pk=appointment_pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for cancelling."))
        return _back_to_day(appointment, request)
    try:
        booking.cancel(appointment, reason=form.cleaned_data["reason"])
    except booking.BookingRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Appointment cancelled."))
    return _back_to_day(appointment, request)


@require_GET
@staff_required()
def appointment_ics(request, appointment_pk):
    appointment = get_object_or_404(Appointment.objects.select_related("patient", "clinician", "room"), pk=appointment_pk)
    return ics_response(appointment, request)


def ics_response(appointment, request) -> HttpResponse:
    body = notices.calendar_file(appointment, host=request.get_host().split(":")[0])
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.pk}.ics"'
    response["Cache-Control"] = "no-store"
    return response


@staff_required()
def requests(request):
    """Patients' requests for an appointment or a change: the front desk's list."""
    if request.method == "POST":
        with transaction.atomic():
            done = AppointmentRequest.objects.select_for_update().filter(
                pk=parse_id(request.POST.get("request")),
                handled_at__isnull=True)
            if done.update(handled_at=timezone.now(), handled_by=request.user):
                messages.success(request, _("Request marked as dealt with."))
            else:
                messages.info(request, _("That request was already dealt with."))
        return redirect("scheduling:requests")
    open_requests = (AppointmentRequest.objects.filter(handled_at__isnull=True)
                     .select_related("patient", "appointment__clinician").order_by("created_at"))
    return render(request, "scheduling/requests.html", {"requests": open_requests})


@admin_required
def hours(request):
    """Clinic hours and each clinician's regular sessions, set by an administrator."""
    clinic = ClinicSettings.current()
    settings_form = ClinicSettingsForm(request.POST if request.POST.get("form") == "hours" else None,
                                       instance=clinic, prefix="hours")
    session_form = ClinicianSessionForm(request.POST if request.POST.get("form") == "session" else None,
                                        prefix="session")
    if request.method == "POST":
        form = settings_form if request.POST.get("form") == "hours" else session_form
        if request.POST.get("form") == "delete":
            chosen = request.POST.get("session") or ""
            if parse_id(chosen) and ClinicianSession.objects.filter(pk=parse_id(chosen)).delete()[0]:
                messages.success(request, _("Session removed."))
            return redirect("scheduling:hours")
        if form.is_valid():
            form.save()
            messages.success(request, _("Saved."))
            return redirect("scheduling:hours")
        messages.error(request, _("Nothing was saved. Please correct the fields marked below."))
    sessions = ClinicianSession.objects.select_related("clinician", "room").order_by(
        "clinician__last_name", "weekday", "starts_at")
    return render(request, "scheduling/hours.html", {
        "settings_form": settings_form, "session_form": session_form, "sessions": sessions,
    }, status=400 if request.method == "POST" else 200)
