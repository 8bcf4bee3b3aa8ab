from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import roles
from audit import events
from audit.rejected import keep
from accounts.decorators import charting_required, staff_required
from patients.models import Patient
from safety import consent as consent_text
from treatment import signing
from treatment import charts, recall, superbill, workflow
from treatment.forms import CourseForm, FavouriteNameForm, InjectionFormSet, SessionForm, default_session_time
from tpclinic.limits import parse_id
from tpclinic import versioning
from tpclinic.versioning import StaleVersion
from treatment.models import CoSignature, Course, Injection, InjectionSet, Session


@staff_required()
def worklist(request):
    """Each clinician's open courses, soonest due first: overdue, due this week, not yet scheduled.

    Sorting and paging happen in the database on the stored next due date, so the page costs the
    same few queries for ten patients or a hundred thousand.
    """
    clinicians = list(roles.clinicians())
    chosen = request.GET.get("clinician")
    if chosen is None and roles.role_of(request.user) == "clinician":
        chosen = str(request.user.pk)
    courses = (
        Course.objects.open()
        .select_related("patient", "clinician")
        .with_schedule()  # the page's rows only: counting ignores it
        .order_by("next_due_on", "id")
    )
    if chosen and chosen != "all":
        clinician_id = parse_id(chosen)
        if clinician_id is None:
            chosen = "all"
        else:
            courses = courses.filter(clinician_id=clinician_id)
    today = timezone.localdate()
    counts = courses.due_counts(today)
    paginator = Paginator(courses, 50)
    paginator.count = counts.pop("total")  # already counted with the buckets: spare the paginator its query
    page = paginator.get_page(request.GET.get("page"))
    page_courses = list(page.object_list)
    events.shown(request, [course.patient_id for course in page_courses], what="worklist")
    rows = []
    for course in page_courses:
        rows.append({"course": course, "status": course.due_status(today), "due": course.next_due_on, "last": course.last_session(),
                     "scheduled": course.first_booking(today), "response": course.response()})
    return render(request, "treatment/worklist.html", {
        "rows": rows, "page": page, "clinicians": clinicians, "chosen": chosen or "all", "counts": counts, "today": today,
    })


@charting_required
def course_new(request, patient_pk):
    patient = get_object_or_404(Patient, pk=patient_pk)
    initial = {"clinician": request.user.pk if roles.can_sign(request.user) else None}
    form = CourseForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            course = form.save(commit=False)
            course.patient = patient
            course.interval_days = form.cleaned_data["interval_days"]
            course.save()
            messages.success(request, _("Course planned."))
            return redirect("treatment:course", pk=course.pk)
        messages.error(request, _("Nothing was saved. Please correct the fields marked below."))
    return render(request, "treatment/course_form.html", {"form": form, "patient": patient})


@charting_required
def course_edit(request, pk):
    course = get_object_or_404(Course.objects.select_related("patient"), pk=pk)
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST":
        if form.is_valid():
            course = form.save(commit=False)
            course.interval_days = form.cleaned_data["interval_days"]
            try:
                course.save_if_current(form.cleaned_data["version"])
            except StaleVersion as stale:  # another save landed between the check and ours
                form.refuse_stale(stale)
            else:
                messages.success(request, _("Course updated."))
                return redirect("treatment:course", pk=course.pk)
        messages.error(request, _("Nothing was saved. Please correct the fields marked below."))
    return render(request, "treatment/course_form.html", {"form": form, "patient": course.patient, "course": course})


@staff_required(roles.can_read_clinical)
def course_detail(request, pk):
    course = get_object_or_404(
        Course.objects.select_related("patient", "clinician").prefetch_related(
            Prefetch("sessions", queryset=Session.objects.select_related("clinician").prefetch_related(
                Prefetch("injections", queryset=Injection.objects.select_related("trigger_point"))
            )), "appointments",
        ),
        pk=pk,
    )
    sessions = list(course.sessions.all())
    signed = course.signed_sessions()
    today = timezone.localdate()
    return render(request, "treatment/course.html", {
        "course": course, "patient": course.patient, "sessions": sessions, "booked": course.first_booking(today),
        "judgement": course.response(), "due": course.next_due_on, "due_status": course.due_status(today),
        "pain_chart": charts.pain_chart(signed),
        "payer_note": workflow.payer_schedule_note(course),
        "can_chart": roles.can_chart(request.user),
        # read here, open course or not, so the page costs the same queries whatever the course's state
        "favourites": list(InjectionSet.objects.visible_to(request.user)) if roles.can_chart(request.user) else [],
    })


@require_POST
@charting_required
def session_new(request, pk):
    course = get_object_or_404(Course, pk=pk)
    if not course.is_open:
        messages.error(request, _("This course is closed; reopen it before adding a session."))
        return redirect("treatment:course", pk=course.pk)
    favourite = None
    if "favourite" in request.POST:
        favourite = InjectionSet.objects.visible_to(request.user).filter(
            pk=parse_id(request.POST["favourite"])).first()
        if favourite is None:
            messages.error(request, _("That favourite is not yours or no longer exists; nothing was started."))
            return redirect("treatment:course", pk=course.pk)
    clinician = request.user if roles.can_sign(request.user) else course.clinician
    with transaction.atomic():
        session, skipped = workflow.start_session(course, clinician, default_session_time(),
                                                  repeat="repeat" in request.POST)
        applied = workflow.apply_favourite(session, favourite) if favourite else None
    if skipped:
        messages.info(request, _("Left out, resolved since the last session: %(sites)s.") % {
            "sites": ", ".join(str(point) for point in skipped)})
    if applied:
        _report_favourite(request, favourite, applied)
    return redirect("treatment:session", pk=session.pk)


def _report_favourite(request, favourite, applied: workflow.FavouriteRows):
    count = len(applied.rows)
    messages.success(request, ngettext("Favourite “%(name)s” applied: %(count)s injection planned.",
                                       "Favourite “%(name)s” applied: %(count)s injections planned.", count) % {
        "name": favourite.name, "count": count})
    if applied.unknown:
        messages.warning(request, _("Not planned, no open trigger point charted for this patient at: %(sites)s. "
                                    "Chart the point first, then add the injection.") % {
            "sites": ", ".join(str(item) for item in applied.unknown)})


def _row_defaults(session) -> dict:
    """New injection rows start with the session clinician's default agent and needle."""
    profile = getattr(session.clinician, "staff_profile", None)
    return profile.injection_defaults() if profile else {}


def _session_queryset():
    return Session.objects.select_related("course__patient", "clinician", "signed_by")


@staff_required(roles.can_read_clinical)
def session_edit(request, pk):
    session = get_object_or_404(_session_queryset(), pk=pk)
    patient = session.course.patient
    if session.is_signed or not roles.can_chart(request.user):
        if request.method == "POST" and not roles.can_chart(request.user):
            raise PermissionDenied
        if request.method == "POST":
            return HttpResponseNotAllowed(["GET"], _("A signed session cannot be changed."))
        # Read once for the table, the note's ultrasound stills and the co-signatures' names.
        prefetch_related_objects(
            [session],
            Prefetch("injections", queryset=Injection.objects.select_related("trigger_point").prefetch_related("mixed_agents")),
            Prefetch("cosignatures", queryset=CoSignature.objects.select_related("signed_by", "on_behalf_of")))
        return render(request, "treatment/session_signed.html", {
            "session": session, "patient": patient, "injections": session.injections.all(),
            "imaging_addons": superbill.imaging_addons(session),
        })
    form = SessionForm(request.POST or None, instance=session, initial={"version": session.version})
    formset = InjectionFormSet(request.POST or None, request.FILES or None, instance=session, patient=patient,
                               prefix="injections",
                               row_defaults=_row_defaults(session))
    naming = FavouriteNameForm(request.POST if "save_favourite" in request.POST else None)
    if request.method == "POST":
        if form.is_valid() and formset.is_valid() and (naming.is_valid() or not naming.is_bound):
            try:
                with transaction.atomic():
                    saved = form.save(commit=False)
                    saved.save_if_current(form.cleaned_data["version"],
                                          within=Session.objects.filter(status=Session.Status.DRAFT),
                                          changes=lambda current: _changes(current, form, formset))
                    formset.save()
            except StaleVersion as refused:
                return _refuse_stale(request, session, refused)
            if "consent" in request.POST:
                return _record_consent(request, saved)
            if "sign" in request.POST:
                return _sign(request, saved, form.cleaned_data.get("attestation", ""))
            if "apply_favourite" in request.POST:
                return _apply_favourite(request, saved)
            if naming.is_bound:
                return _save_favourite(request, saved, naming.cleaned_data["favourite_name"])
            messages.success(request, _("Draft saved."))
            return redirect("treatment:session", pk=session.pk)
        messages.error(request, _("Nothing was saved. Please correct the fields marked below."))
    return _session_form(request, session, form, formset, naming)


def _apply_favourite(request, session):
    """The draft as typed was just saved; the favourite's rows are added after its own."""
    favourite = InjectionSet.objects.visible_to(request.user).filter(
        pk=parse_id(request.POST["apply_favourite"])).first()
    if favourite is None:
        messages.error(request, _("Draft saved. That favourite is not yours or no longer exists."))
    else:
        _report_favourite(request, favourite, workflow.apply_favourite(session, favourite))
    return redirect("treatment:session", pk=session.pk)


def _save_favourite(request, session, name):
    if not session.injections.exists():
        messages.error(request, _("Draft saved. Add injections before saving them as a favourite."))
    else:
        workflow.save_favourite(session, request.user, name)
        messages.success(request, _("Draft saved, and its injections saved as your favourite “%(name)s”.") % {
            "name": name})
    return redirect("treatment:session", pk=session.pk)


def _session_form(request, session, form, formset, naming=None):
    return render(request, "treatment/session_form.html", {
        "session": session, "patient": session.course.patient, "form": form, "formset": formset,
        "naming": naming or FavouriteNameForm(), "favourites": InjectionSet.objects.visible_to(request.user),
        "can_sign": roles.can_sign(request.user),
        "cosigning": roles.can_sign(request.user) and request.user.pk != session.clinician_id,
    })


def _changes(current: Session, form, formset) -> list[versioning.Change]:
    """What the stored session holds where it differs from the form as sent."""
    found = versioning.changes(current, form._meta.fields, form.cleaned_data, None)
    now = sorted(str(i) for i in current.injections.select_related("trigger_point"))
    sent = sorted(str(f.instance) for f in formset.forms
                  if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("trigger_point"))
    if now != sent:
        found.append(versioning.Change("injections", _("injections"), None, "; ".join(now), "; ".join(sent)))
    return found


def _refuse_stale(request, session, refused: StaleVersion):
    """Nothing was saved. Show the page again with what they typed and the message saying what differs;
    the form now carries the current version, so saving again is a deliberate choice over the other change."""
    typed = request.POST.copy()
    typed["version"] = str(refused.sent_version or "")  # the version as understood, never a number the column cannot hold
    keep(request, session, typed)
    messages.error(request, refused.message)
    current = get_object_or_404(_session_queryset(), pk=session.pk)
    if current.is_signed:
        return redirect("treatment:session", pk=session.pk)
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = SessionForm(data, instance=current)
    formset = InjectionFormSet(data, instance=current, patient=current.course.patient, prefix="injections",
                               row_defaults=_row_defaults(current))
    return _session_form(request, current, form, formset)


def _record_consent(request, session):
    """Consent taken on the session page: the draft as typed was just saved, so the form's flags are
    those of the plan the patient read (live screen), with no earlier save needed."""
    text = consent_text.form_for(session.course.patient.preferred_language)
    workflow.record_consent(session, request.user, text, workflow.consent_flags(workflow.check(session), text))
    messages.success(request, _("Draft saved and consent recorded."))
    return redirect("treatment:session", pk=session.pk)


def _sign(request, session, attestation: str = ""):
    try:
        signing.sign(session, request.user, session.version, attestation)
    except signing.SignRefused as refused:
        if refused.kind == "signed":
            messages.info(request, refused.message)
            return redirect("treatment:course", pk=session.course_id)
        if refused.kind in {"incomplete", "blocked", "not-yet", "not-yours"}:
            messages.error(request, _("The session was saved as a draft but not signed.") + " " + refused.message)
        else:
            messages.error(request, refused.message)
        return redirect("treatment:session", pk=session.pk)
    messages.success(request, _("Session signed.") if session.clinician_id == request.user.pk
                     else _("Session co-signed for %(clinician)s.") % {
                         "clinician": session.clinician.get_full_name() or session.clinician.get_username()})
    return redirect("treatment:course", pk=session.course_id)


@require_POST
@charting_required
def session_sign(request, pk):
    """Sign without editing: the version read and, for a covering clinician, the attestation come with the POST."""
    session = get_object_or_404(_session_queryset(), pk=pk)
    try:
        signing.sign(session, request.user, versioning.parse_version(request.POST.get("version")),
                     request.POST.get("attestation", ""))
    except signing.SignRefused as refused:
        messages.error(request, refused.message)
        return redirect("treatment:session", pk=session.pk)
    messages.success(request, _("Session signed."))
    return redirect("treatment:course", pk=session.course_id)


@charting_required
def favourites(request):
    """The favourites this user can apply; they delete their own (clinic-wide ones are kept in the admin site)."""
    if request.method == "POST":
        owned = InjectionSet.objects.filter(owner=request.user, clinic_wide=False, pk=parse_id(request.POST.get("delete")))
        deleted = owned.first()
        if deleted is None:
            messages.error(request, _("Only your own favourites can be deleted here; nothing was deleted."))
        else:
            deleted.delete()
            messages.success(request, _("Favourite “%(name)s” deleted.") % {"name": deleted.name})
        return redirect("treatment:favourites")
    sets = InjectionSet.objects.visible_to(request.user).prefetch_related("items")
    return render(request, "treatment/favourites.html", {"sets": sets})


# Uses of a lot on one page of the report; the CSV always holds them all.
LOT_PAGE_SIZE = 50


@staff_required(roles.can_export)
def lot_report(request):
    """Sessions by lot, for a recall: who was given the lot, when, by whom and where. It names patients,
    so each answer is an audit event with a disclosure row per patient shown: a page names the patients
    on that page, the CSV (the whole lot) names them all."""
    form = recall.LotReportForm(request.GET or None)
    uses = page = None
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    if form.is_bound and form.is_valid():
        lot, agent = form.cleaned_data["lot"], form.cleaned_data["agent"]
        what = f"sessions by lot {lot}{f' ({agent})' if agent else ''}"
        if request.GET.get("format") == "csv":
            uses = recall.sessions_by_lot(lot, agent)
            events.record(events.Action.EXPORT, request=request, patients={use.patient_id for use in uses},
                          object_type="treatment.lot", object_id=lot, detail=f"{what} as CSV: {len(uses)} uses")
            response = HttpResponse(recall.as_csv(uses), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="sessions-by-lot.csv"'
            return response
        page = Paginator(recall.lot_uses(lot, agent), LOT_PAGE_SIZE).get_page(request.GET.get("page"))
        uses = [recall.as_use(row) for row in page.object_list]
        events.record(events.Action.LIST, request=request, patients={use.patient_id for use in uses},
                      object_type="treatment.lot", object_id=lot,
                      detail=f"{what}: page {page.number} of {page.paginator.num_pages}, "
                             f"{len(uses)} of {page.paginator.count} uses")
    return render(request, "treatment/lot_report.html", {"form": form, "uses": uses, "page": page,
                                                         "query": query.urlencode()})
