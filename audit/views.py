"""Audit reports for administrators, amendments to signed sessions, and refused edits.

The trail sits below the clinical apps (they import it to record their events), so it names the
records it reports on by label, `apps.get_model("patients", "Patient")`, as audit/resolve.py and
Django's admin log do, instead of importing the apps above it.
"""
from __future__ import annotations

from urllib.parse import urlencode

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts.decorators import staff_required
from audit import events, record, reports
from audit.forms import AmendmentForm, AuditFilterForm
from audit.models import Action, Amendment, RejectedEdit
from tpclinic.limits import parse_id

PAGE_SIZE = 100


def is_admin(user) -> bool:
    return roles.role_of(user) == "admin"


admin_required = staff_required(is_admin)


def _filters(request, **fixed):
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = {
        "patient_ids": reports.patient_ids_for(data.get("patient", "")),
        "username": data.get("user", ""),
        "action": data.get("action", ""),
        "date_from": data.get("date_from"),
        "date_to": data.get("date_to"),
    }
    filters.update(fixed)
    return form, filters


def _report(request, title, subject=None, **fixed):
    form, filters = _filters(request, **fixed)
    page = Paginator(reports.events(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    events.shown(request, reports.patients_named(page.object_list), what="audit report")
    query = request.GET.copy()
    query.pop("page", None)
    export_query = query.copy()
    if fixed.get("patient_ids"):
        export_query["patient_id"] = fixed["patient_ids"][0]
    if fixed.get("user_id") is not None:
        export_query["user_id"] = fixed["user_id"]
    return render(request, "audit/report.html", {
        "title": title, "subject": subject, "form": form, "page": page, "query": query.urlencode(),
        "export_query": export_query.urlencode(),
    })


@admin_required
def report(request):
    return _report(request, _("Audit trail"))


@admin_required
def patient_report(request, patient_pk):
    patient = get_object_or_404(apps.get_model("patients", "Patient"), pk=patient_pk)
    return _report(request, _("Audit trail of %(name)s (%(mrn)s)") % {"name": patient.full_name, "mrn": patient.mrn},
                   subject=patient, patient_ids=[patient.pk])


@admin_required
def disclosures(request, patient_pk):
    """Accounting of disclosures (HIPAA, 45 CFR 164.528): to whom this patient's records were shown or
    handed over, from the disclosure rows (so lists and exports naming many patients count too)."""
    patient = get_object_or_404(apps.get_model("patients", "Patient"), pk=patient_pk)
    exports_only = request.GET.get("exports") == "1"
    page = Paginator(reports.disclosures_of(patient.pk, exports_only=exports_only), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "audit/disclosures.html", {
        "title": _("Accounting of disclosures: %(name)s (%(mrn)s)") % {"name": patient.full_name, "mrn": patient.mrn},
        "patient": patient, "page": page, "exports_only": exports_only,
    })


@admin_required
def user_report(request, user_pk):
    user = get_object_or_404(get_user_model(), pk=user_pk)
    return _report(request, _("Audit trail of user %(user)s") % {"user": user.get_username()},
                   subject=user, user_id=user.pk)


@admin_required
def export_csv(request):
    fixed = {}
    if "patient_id" in request.GET:
        fixed["patient_ids"] = [parse_id(request.GET["patient_id"]) or -1]  # -1: no such patient, an empty export
    if "user_id" in request.GET:
        fixed["user_id"] = parse_id(request.GET["user_id"]) or -1
    form, filters = _filters(request, **fixed)
    if request.GET and not form.is_valid():
        return HttpResponse(_("The filters are not valid: ") + form.errors.as_text(), status=400,
                            content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="tpclinic-audit-{stamp}.csv"'
    rows = list(reports.events(**filters))
    count = reports.write_csv(response, rows)
    patient_ids = filters.get("patient_ids") or []
    events.record(Action.EXPORT, request=request, object_type="audit.auditevent",
                  patient=patient_ids[0] if len(patient_ids) == 1 and patient_ids[0] > 0 else None,
                  patients=reports.patients_named(rows), status=200,
                  detail=f"CSV, {count} events; filters: {urlencode(sorted(request.GET.items()))}"[:255])
    return response


@staff_required(roles.can_chart)
def amend_session(request, pk):
    """Add a dated amendment with its reason to a signed session; the signed note is never changed."""
    Session = apps.get_model("treatment", "Session")
    session = get_object_or_404(Session.objects.select_related("course__patient", "clinician", "signed_by"), pk=pk)
    if not session.is_signed:
        messages.info(request, _("This session is still a draft: change it directly. "
                                 "Amendments are for signed sessions."))
        return redirect("treatment:session", pk=session.pk)
    form = AmendmentForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            amendment = Amendment.objects.create(
                content_type=ContentType.objects.get_for_model(Session), object_id=session.pk,
                patient=session.course.patient, reason=form.cleaned_data["reason"], text=form.cleaned_data["text"],
                author=request.user,
            )
            events.record(Action.AMEND, obj=session, request=request, before={},
                          after={"amendment": amendment.pk, "reason": amendment.reason, "text": amendment.text})
            messages.success(request, _("Amendment added. The signed note is unchanged and shows it beneath."))
            return redirect("treatment:session", pk=session.pk)
        messages.error(request, _("Nothing was saved. Please correct the fields marked below."))
    return render(request, "audit/amend.html", {
        "session": session, "patient": session.course.patient, "form": form,
        "injections": session.injections.select_related("trigger_point"),
        "amendments": Amendment.of(session),
    })


@staff_required()
def rejected_edit(request, pk):
    """A refused save, as the user typed it: shown to its author and to administrators only."""
    edit = get_object_or_404(RejectedEdit.objects.select_related("user", "content_type"), pk=pk)
    if edit.user_id != request.user.pk and not is_admin(request.user):
        raise Http404
    record_obj = edit.record
    rows = [(key, value) for key, value in edit.data.items()]
    return render(request, "audit/rejected.html", {"edit": edit, "record": record_obj, "rows": rows})
