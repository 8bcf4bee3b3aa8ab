"""The procedure note and the superbill of a signed session: plain text, PDF and CSV.

The note is read by clinical staff (the session page's readers); the superbill leaves the clinic
for billing, so it is an export (clinicians and administrators, accounts.roles.can_export) and
every download is an audit EXPORT event.
"""
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from accounts import roles
from accounts.decorators import staff_required
from audit import events
from treatment import note, superbill
from treatment.models import Injection, NoteTemplate, ProcedureNote, Session, still_kind
from treatment.note_forms import NoteTemplateForm


def _signed_session(pk) -> Session:
    session = get_object_or_404(Session.objects.select_related("course__patient", "clinician"), pk=pk)
    if not session.is_signed:
        raise Http404("A draft session has no procedure note or superbill yet.")
    return session


def _note(session: Session) -> ProcedureNote:
    """The note; a session signed before notes existed gets one written now, from the facts as signed."""
    return note.write_for(session)


def _pdf(request, template: str, context: dict, filename: str) -> HttpResponse:
    from weasyprint import HTML  # heavy (pango, fonts): loaded on the first PDF, not at start-up

    html = render_to_string(template, context, request=request)
    response = HttpResponse(HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@staff_required(roles.can_read_clinical)
def note_text(request, pk):
    """The note with its amendments as plain text, for pasting into another record."""
    session = _signed_session(pk)
    response = HttpResponse(note.with_amendments(_note(session)), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="procedure-note-{session.pk}.txt"'
    return response


@staff_required(roles.can_read_clinical)
def note_pdf(request, pk):
    session = _signed_session(pk)
    response = HttpResponse(note.stored_pdf(_note(session)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="procedure-note-{session.pk}.pdf"'
    return response


def _superbill_export(request, session, fmt: str) -> None:
    events.record(events.Action.EXPORT, obj=session, request=request,
                  detail=f"superbill {fmt} of session {session.pk}")


@staff_required(roles.can_export)
def superbill_csv(request, pk):
    session = _signed_session(pk)
    bill = superbill.for_session(session)
    _superbill_export(request, session, "CSV")
    response = HttpResponse(superbill.as_csv(bill), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="superbill-{session.pk}.csv"'
    return response


@staff_required(roles.can_export)
def superbill_pdf(request, pk):
    session = _signed_session(pk)
    bill = superbill.for_session(session)
    _superbill_export(request, session, "PDF")
    return _pdf(request, "treatment/superbill_pdf.html", {"bill": bill}, f"superbill-{session.pk}.pdf")


@staff_required(roles.can_sign)
def note_template(request):
    """The signed-in clinician's own note phrases (treatment.NoteTemplate)."""
    template = NoteTemplate.objects.filter(user=request.user).first() or NoteTemplate(user=request.user)
    form = NoteTemplateForm(request.POST or None, instance=template)
    if request.method == "POST":
        if form.is_valid():
            before = {name: getattr(NoteTemplate.objects.filter(pk=template.pk).first(), name, "")
                      for name in NoteTemplate.PHRASES} if template.pk else {}
            saved = form.save()
            events.record(events.Action.UPDATE if before else events.Action.CREATE, obj=saved, request=request,
                          before=before, after={name: getattr(saved, name) for name in NoteTemplate.PHRASES})
            messages.success(request, _("Your note wording is saved; it is used for the notes you sign from now on."))
            return redirect("treatment:note_template")
        messages.error(request, _("Nothing was saved. Please correct the fields marked below."))
    return render(request, "treatment/note_template.html", {"form": form})


@staff_required(roles.can_read_clinical)
def ultrasound_still(request, pk):
    """An injection's ultrasound still, to the clinical team only (patients and the front desk never:
    the file is read through the storage API here, never served from a public URL)."""
    injection = get_object_or_404(Injection.objects.exclude(ultrasound_image=""), pk=pk)
    still = injection.ultrasound_image.open("rb")
    kind = still_kind(still.read(8)) or "jpeg"  # the bytes, as the upload was checked: not the stored name
    still.seek(0)
    response = FileResponse(still, content_type=f"image/{kind}")
    response["Content-Disposition"] = f'inline; filename="ultrasound-{injection.pk}.{kind}"'
    response["Cache-Control"] = "private, no-store"
    return response
