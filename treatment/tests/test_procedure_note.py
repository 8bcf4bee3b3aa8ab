"""The procedure note written at signing (issue 12): its content, its language, its wording, and that it never changes."""
import csv
import hashlib
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from audit.models import Action, Amendment, AppendOnlyError, AuditEvent
from safety import consent as consent_text
from safety import present
from safety.models import AdverseEvent
from treatment import note, signing, superbill, workflow
from treatment.forms import SessionForm
from treatment.models import NotePdf, NoteTemplate, ProcedureNote, Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(course, trigger_points, clinician):
    """Two sites (upper trapezius with lidocaine under ultrasound, levator scapulae with bupivacaine),
    consent on the Spanish form, and a vasovagal reaction: complete, performed an hour ago."""
    session = Session.objects.create(course=course, clinician=clinician, pain_before=7, pain_after=2,
                                     immediate_relief_pct=70, performed_at=timezone.now() - timedelta(hours=1))
    trapezius, levator = trigger_points
    session.injections.create(trigger_point=trapezius, agent="lidocaine", concentration_pct=Decimal("1"),
                              volume_ml=Decimal("2"), needle_gauge=27, needle_length_mm=25, technique="fanning",
                              twitch_elicited=True, guidance="ultrasound")
    session.injections.create(trigger_point=levator, agent="bupivacaine", concentration_pct=Decimal("0.25"),
                              volume_ml=Decimal("2"), technique="single")
    workflow.record_consent(session, clinician, consent_text.form_for("es"), [])
    AdverseEvent.objects.create(session=session, kind="vasovagal", onset_at=timezone.now() - timedelta(minutes=50),
                                severity="mild", action="Supine, legs raised", outcome="resolved",
                                recorded_by=clinician)
    return session


def sign(session, user, language="en"):
    with translation.override(language):
        return signing.sign(session, user, session.version)


@pytest.mark.parametrize("expected", [
    "PROCEDURE NOTE: TRIGGER POINT INJECTION",
    "Patient: Maria Lopez, MRN TP0001",
    "Myofascial trigger points, ICD-10-CM M79.12",
    "Informed consent given by the patient, in clinic, witnessed by staff, on form",
    "in Spanish; recorded by Alice Ward",
    "TIME-OUT\nTime-out performed before the first injection",
    "Skin prepared with chlorhexidine in alcohol",
    ": fanning approach, ultrasound-guided, 27 G 25 mm needle; Lidocaine 1%, 2.00 mL; local twitch response elicited.",
    ": single pass approach, landmark-guided, 25 G 38 mm needle; Bupivacaine 0.25%, 2.00 mL; no local twitch response.",
    "Lidocaine: 20 mg of",
    "Bupivacaine: 5 mg of",
    "Total local anaesthetic: ",
    "Vasovagal reaction (mild): Supine, legs raised. Outcome: resolved.",
    "Estimated blood loss: Minimal.",
    "Pain 7/10 before and 2/10 after the injections. Immediate relief 70%.",
    "See complications above.",
    "Aftercare explained",
    "Home stretching of the treated muscles explained",
    "CPT: 20552 × 1 unit (2 muscles)",
    "ICD-10-CM: M79.12",
    "Electronically signed by Alice Ward",
])
def test_the_note_of_a_signed_session_says(draft, clinician, expected):
    sign(draft, clinician)
    assert expected in draft.procedure_note.text


def test_each_site_is_named_in_order_and_the_next_session_is_due(draft, clinician, trigger_points):
    sign(draft, clinician)
    text = draft.procedure_note.text
    first, second = (present.site(tp.muscle, tp.side) for tp in trigger_points)
    assert text.index(f"1. {first}:") < text.index(f"2. {second}:")
    due = draft.course.next_due_on
    assert due == timezone.localdate(draft.performed_at) + timedelta(days=14)
    assert f"NEXT SESSION DUE\n{due:%Y-%m-%d}\n" in text
    assert "tolerated the procedure well" not in text  # not with a complication on record


def test_without_complications_the_template_says_none_and_well_tolerated(draft, clinician):
    draft.adverse_events.all().delete()
    sign(draft, clinician)
    text = draft.procedure_note.text
    assert "COMPLICATIONS\nNone.\nEstimated blood loss: Minimal." in text
    assert "The patient tolerated the procedure well." in text


def test_the_note_is_in_the_language_the_clinician_signs_in(draft, clinician):
    sign(draft, clinician, "es")
    written = draft.procedure_note
    assert written.language == "es"
    for expected in ["NOTA DEL PROCEDIMIENTO: INYECCIÓN EN PUNTOS GATILLO", "Puntos gatillo miofasciales, CIE-10-MC M79.12",
                     "en español", "abordaje en abanico", "guiada por ecografía", "se obtuvo respuesta de espasmo local",
                     "Anestésico local total:", "Pérdida de sangre estimada: Mínima.",
                     "20552 × 1 unidad (2 músculos)", "Firmado electrónicamente por Alice Ward"]:
        assert expected in written.text, expected
    assert "Time-out" not in written.text and "Lidocaine 1%" not in written.text


def test_the_clinicians_own_phrases_replace_the_defaults_and_the_version_is_kept(draft, clinician):
    template = NoteTemplate.objects.create(user=clinician, position="Prone on the couch, arms by the sides.")
    template.exercise = "Chin tucks ten times an hour."
    template.save()
    sign(draft, clinician)
    written = draft.procedure_note
    assert "Prone on the couch, arms by the sides." in written.text
    assert "Chin tucks ten times an hour." in written.text
    assert "Positioned for comfortable access" not in written.text
    assert "Skin prepared with chlorhexidine in alcohol" in written.text  # left blank: the default
    assert written.template_version == template.version == 2


def test_a_signed_note_never_changes_and_amendments_append(draft, clinician, nurse):
    sign(draft, clinician)
    first = ProcedureNote.objects.get(session=draft)
    NoteTemplate.objects.create(user=clinician, position="Changed later")
    again = note.write_for(draft)
    assert again.pk == first.pk and again.text == first.text and ProcedureNote.objects.count() == 1
    first.text = "rewritten"
    with pytest.raises(AppendOnlyError):
        first.save()
    with pytest.raises(AppendOnlyError):
        ProcedureNote.objects.filter(pk=first.pk).update(text="rewritten")
    Amendment.objects.create(record=draft, patient=draft.course.patient, reason="Wrong side typed",
                             text="The levator scapulae was the right one.", author=nurse)
    stored = ProcedureNote.objects.get(pk=first.pk)
    assert stored.text == again.text
    full = note.with_amendments(stored)
    assert full.startswith(stored.text.rstrip("\n"))
    assert "AMENDMENT by Test Nurse at" in full and "Reason: Wrong side typed" in full
    assert full.rstrip().endswith("The levator scapulae was the right one.")


def test_a_draft_has_no_note(draft):
    with pytest.raises(ValueError):
        note.write_for(draft)
    assert not ProcedureNote.objects.exists()


def test_a_refused_signature_writes_no_note(draft, clinician):
    draft.pain_after = None
    draft.save()
    with pytest.raises(signing.SignRefused):
        sign(draft, clinician)
    assert not ProcedureNote.objects.exists()


# ------------------------------------------------------------------ the pages


def test_the_plain_text_and_the_pdf_carry_the_note_and_its_amendments(draft, clinician, clinician_client):
    sign(draft, clinician)
    Amendment.objects.create(record=draft, patient=draft.course.patient, reason="Dose clarified",
                             text="Bupivacaine 0.25% confirmed.", author=clinician)
    text = clinician_client.get(reverse("treatment:note_text", args=[draft.pk]))
    assert text["Content-Type"].startswith("text/plain")
    body = text.content.decode()
    assert body.startswith("PROCEDURE NOTE") and "Reason: Dose clarified" in body
    response = clinician_client.get(reverse("treatment:note_pdf", args=[draft.pk]))
    assert response["Content-Type"] == "application/pdf"
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in ["PROCEDURE NOTE", "ICD-10-CM M79.12", "CPT: 20552", "Vasovagal reaction", "Dose clarified"]:
        assert expected in pdf_text, expected


def test_the_signed_session_page_shows_the_note(draft, clinician, clinician_client):
    sign(draft, clinician)
    page = clinician_client.get(reverse("treatment:session", args=[draft.pk])).content.decode()
    assert 'id="procedure-note-text"' in page and "Copy note" in page
    assert reverse("treatment:note_text", args=[draft.pk]) in page
    assert reverse("treatment:superbill_csv", args=[draft.pk]) in page


def test_a_draft_has_no_note_page(draft, clinician_client):
    assert clinician_client.get(reverse("treatment:note_text", args=[draft.pk])).status_code == 404


# ------------------------------------------------------------------ the superbill


def _rows(client, session):
    response = client.get(reverse("treatment:superbill_csv", args=[session.pk]))
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_superbill_lists_the_procedure_the_diagnosis_and_the_drugs(draft, clinician, clinician_client):
    draft.course.patient.payer_name = "Acme Health PPO"
    draft.course.patient.save()
    sign(draft, clinician)
    rows = _rows(clinician_client, draft)
    assert {(r["patient"], r["payer"], r["icd10cm"], r["date_of_service"]) for r in rows} == {
        ("Maria Lopez", "Acme Health PPO", "M79.12", timezone.localdate(draft.performed_at).isoformat())}
    lines = [(r["line"], r["code"], r["units"], r["quantity"], r["separately_billable"]) for r in rows]
    assert lines == [
        ("procedure", "20552", "1", "", "yes"),
        ("drug", "", "", "20 mg", "no"),  # lidocaine: J2001 is for IV infusion only
        ("drug", "J0665", "10", "5 mg", "no"),  # bupivacaine per 0.5 mg
    ]
    assert all(r["source"] for r in rows if r["line"] == "drug")


def test_drug_units_follow_the_data_file(monkeypatch):
    codes = superbill.drug_codes()
    changed = {**codes, "agents": {**codes["agents"], "bupivacaine": {**codes["agents"]["bupivacaine"],
                                                                      "unit_mg": Decimal("2")}}}
    assert superbill.drug_line("bupivacaine", mg=Decimal("5")).units == 10
    monkeypatch.setattr(superbill, "drug_codes", lambda: changed)
    assert superbill.drug_line("bupivacaine", mg=Decimal("5")).units == 3  # 2.5 units, rounded up


def test_each_superbill_download_is_an_audited_export(draft, clinician, clinician_client):
    sign(draft, clinician)
    before = AuditEvent.objects.filter(action=Action.EXPORT).count()
    _rows(clinician_client, draft)
    pdf = clinician_client.get(reverse("treatment:superbill_pdf", args=[draft.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "20552" in pdf_text and "J0665" in pdf_text and "M79.12" in pdf_text
    exports = AuditEvent.objects.filter(action=Action.EXPORT).order_by("pk")[before:]
    assert [e.detail for e in exports] == [f"superbill CSV of session {draft.pk}", f"superbill PDF of session {draft.pk}"]
    assert {e.patient_id for e in exports} == {draft.course.patient_id}


@pytest.mark.parametrize("role, status", [("nurse", 403), ("front_desk", 403), ("administrator", 200)])
def test_who_may_download_the_superbill(client, draft, clinician, request, role, status):
    sign(draft, clinician)
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("treatment:superbill_csv", args=[draft.pk])).status_code == status


# ------------------------------------------------------------------ the clinician's wording


def test_a_clinician_saves_their_wording_and_their_next_note_uses_it(draft, clinician, clinician_client):
    url = reverse("treatment:note_template")
    page = clinician_client.get(url).content.decode()
    assert "Skin prepared with chlorhexidine in alcohol" in page  # the default it replaces, shown beside the box
    clinician_client.post(url, {"position": "Seated, leaning on a pillow.", "blood_loss": "Nil."})
    clinician_client.post(url, {"position": "Seated, leaning on a pillow.", "blood_loss": "None visible."})
    template = NoteTemplate.objects.get(user=clinician)
    assert template.version == 2
    assert AuditEvent.objects.filter(object_type="treatment.notetemplate", action=Action.UPDATE).exists()
    sign(draft, clinician)
    assert "Seated, leaning on a pillow." in draft.procedure_note.text
    assert "Estimated blood loss: None visible." in draft.procedure_note.text
    assert draft.procedure_note.template_version == 2


@pytest.mark.parametrize("role, status", [("nurse", 403), ("administrator", 403), ("front_desk", 403)])
def test_only_clinicians_have_note_wording(client, request, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("treatment:note_template")).status_code == status


def test_the_database_refuses_to_change_a_signed_note(draft, clinician):
    sign(draft, clinician)
    written = draft.procedure_note
    for statement in ("UPDATE treatment_procedurenote SET text = 'tampered' WHERE id = %s",
                      "DELETE FROM treatment_procedurenote WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement, [written.pk])
    assert ProcedureNote.objects.get(pk=written.pk).text == written.text


def pdf_images(content: bytes) -> int:
    """How many distinct images the PDF's pages draw (pages may share one resource dictionary)."""
    images = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        objects = page["/Resources"].get("/XObject") or {}
        images |= {ref.idnum for ref in objects.values() if ref.get_object()["/Subtype"] == "/Image"}
    return len(images)


def test_the_ultrasound_still_is_shown_beside_the_note_and_in_its_pdf(draft, clinician, clinician_client, settings,
                                                                     tmp_path):
    from django.core.files.base import ContentFile

    from treatment.tests.test_mixtures import PNG_1PX
    settings.MEDIA_ROOT = tmp_path
    sign(draft, clinician)
    plain_pdf = clinician_client.get(reverse("treatment:note_pdf", args=[draft.pk])).content
    assert pdf_images(plain_pdf) == 0
    row = draft.injections.get(guidance="ultrasound")
    row.ultrasound_image.save("still.png", ContentFile(PNG_1PX))
    text_before = ProcedureNote.objects.get(session=draft).text
    page = clinician_client.get(reverse("treatment:session", args=[draft.pk])).content.decode()
    still_url = reverse("treatment:ultrasound_still", args=[row.pk])
    assert f'<img src="{still_url}" alt="Ultrasound still, {row.trigger_point}">' in page
    response = clinician_client.get(reverse("treatment:note_pdf", args=[draft.pk]))
    assert pdf_images(response.content) == 1
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Ultrasound still, " in pdf_text and "PROCEDURE NOTE" in pdf_text
    assert ProcedureNote.objects.get(session=draft).text == text_before  # the still sits beside the signed text


# ------------------------------------------------------------------ the PDF, rendered once and kept


@pytest.fixture
def renders(monkeypatch):
    """Counts the renderings of a note's PDF (WeasyPrint), letting each one happen."""
    calls = []
    real = note.pdf

    def counted(*args, **kwargs):
        calls.append(args[0].session_id)
        return real(*args, **kwargs)

    monkeypatch.setattr(note, "pdf", counted)
    return calls


def test_signing_renders_no_pdf_and_the_first_download_keeps_the_one_every_later_one_gets(draft, clinician,
                                                                                           clinician_client, renders):
    sign(draft, clinician)
    assert renders == [] and not NotePdf.objects.exists()  # signing stays fast: no PDF yet
    url = reverse("treatment:note_pdf", args=[draft.pk])
    first = clinician_client.get(url).content
    second = clinician_client.get(url).content
    assert renders == [draft.pk]  # rendered on the first download only
    assert first == second and first.startswith(b"%PDF")
    [kept] = NotePdf.objects.all()
    assert kept.sha256 == hashlib.sha256(first).hexdigest() and kept.size == len(first)
    assert kept.file.read() == first


def test_an_amendment_brings_a_new_pdf_on_first_use_and_the_old_one_stays(draft, clinician, clinician_client, renders):
    sign(draft, clinician)
    url = reverse("treatment:note_pdf", args=[draft.pk])
    before = clinician_client.get(url).content
    Amendment.objects.create(record=draft, patient=draft.course.patient, reason="Side clarified",
                             text="The levator scapulae was the left.", author=clinician)
    after = clinician_client.get(url).content
    assert clinician_client.get(url).content == after
    assert len(renders) == 2 and NotePdf.objects.count() == 2
    assert "Side clarified" in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(after)).pages)
    assert "Side clarified" not in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(before)).pages)


def test_a_stored_pdf_that_fails_its_hash_is_logged_and_rendered_again(draft, clinician, clinician_client, renders,
                                                                       caplog):
    sign(draft, clinician)
    url = reverse("treatment:note_pdf", args=[draft.pk])
    clinician_client.get(url)
    kept = NotePdf.objects.get()
    with kept.file.storage.open(kept.file.name, "wb") as handle:
        handle.write(b"%PDF-1.7 not what was stored")
    response = clinician_client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response.content != b"%PDF-1.7 not what was stored" and len(renders) == 2
    assert "fails its hash" in caplog.text and NotePdf.objects.count() == 1  # the kept row is never changed


def test_two_servers_keeping_the_same_pdf_keep_one_and_remove_the_others_file(draft, clinician, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sign(draft, clinician)
    written = ProcedureNote.objects.get(session=draft)
    first = NotePdf.keep(written, "a" * 64, b"%PDF first")
    second = NotePdf.keep(written, "a" * 64, b"%PDF second")
    assert second.pk == first.pk and second.read() == b"%PDF first"
    assert [path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*.pdf")] == [first.file.name]


# ------------------------------------------------------------------ the imaging-guidance add-on on the bill

MEDICARE = "medicare-uniform-tpi-2024"


@pytest.fixture
def medicare_covers_imaging(tmp_path, monkeypatch):
    """A copy of payer_policies.toml in which the Medicare policy covers imaging guidance: no payer on file
    does, so a test flips the data file to see a covering payer's bill."""
    from safety import data_files

    text = (data_files.DATA_DIR / "payer_policies.toml").read_text(encoding="utf-8")
    assert "imaging_guidance_covered = false" in text
    (tmp_path / "payer_policies.toml").write_text(
        text.replace("imaging_guidance_covered = false", "imaging_guidance_covered = true"), "utf-8")
    monkeypatch.setattr(data_files, "DATA_DIR", tmp_path)
    data_files.payer_policies.cache_clear(), data_files.imaging_guidance.cache_clear()
    yield
    monkeypatch.undo()
    data_files.payer_policies.cache_clear(), data_files.imaging_guidance.cache_clear()


@pytest.mark.parametrize("payer, covers, ticked, guided, billed_note", [
    ("none", False, True, True, "Check that the patient's payer covers imaging guidance"),  # payer's word unknown
    (MEDICARE, True, True, True, "Medicare uniform TPI LCD (2024) covers it."),  # the file says it covers it
    (MEDICARE, False, False, True, None),  # not ticked: never on the bill, whatever the guidance
    ("none", False, False, True, None),
    ("none", False, False, False, None),
])
def test_the_add_on_is_billed_only_when_the_clinician_ticks_it_with_the_payers_note(
        draft, clinician, clinician_client, request, payer, covers, ticked, guided, billed_note):
    if covers:
        request.getfixturevalue("medicare_covers_imaging")
    draft.course.patient.payer = payer
    draft.course.patient.save()
    if not guided:
        draft.injections.update(guidance="none")
    Session.objects.filter(pk=draft.pk).update(bill_imaging_guidance=ticked)
    draft.refresh_from_db()
    sign(draft, clinician)
    rows = _rows(clinician_client, draft)
    addon = [r for r in rows if r["code"] == "76942"]
    written = ProcedureNote.objects.get(session=draft).text
    page = clinician_client.get(reverse("treatment:session", args=[draft.pk])).content.decode()
    if billed_note is None:
        assert addon == [] and "76942" not in written and "imaging guidance add-on: billed" not in page
        return
    [line] = addon
    assert [r["code"] for r in rows if r["line"] == "procedure"] == ["20552", "76942"]  # after the injection code
    assert (line["units"], line["separately_billable"]) == ("1", "yes")
    assert billed_note in line["note"] and "Trapezius (upper fibres), left" in line["note"]
    assert "Ultrasound guidance for needle placement" in line["description"] and "https://" in line["source"]
    assert "CPT: 20552 × 1 unit (2 muscles), 76942 × 1 unit (imaging guidance add-on)" in written
    assert "76942, imaging guidance add-on: billed" in page
    assert Session.objects.get(pk=draft.pk).cpt_codes == "20552"  # the procedure's own code is unchanged (FHIR)


@pytest.mark.parametrize("payer, guided, refusal", [
    (MEDICARE, True, "Medicare uniform TPI LCD (2024) does not cover imaging guidance"),
    ("none", False, "no injected site was ultrasound-guided"),
])
def test_signing_refuses_the_add_on_for_a_payer_that_does_not_cover_it_or_with_no_guided_site(
        draft, clinician, payer, guided, refusal):
    draft.course.patient.payer = payer
    draft.course.patient.save()
    if not guided:
        draft.injections.update(guidance="none")
    Session.objects.filter(pk=draft.pk).update(bill_imaging_guidance=True)
    draft.refresh_from_db()
    with pytest.raises(signing.SignRefused) as refused:
        sign(draft, clinician)
    assert refusal in refused.value.message and "Untick “Bill the imaging-guidance add-on”" in refused.value.message
    assert Session.objects.get(pk=draft.pk).status == Session.Status.DRAFT and not ProcedureNote.objects.exists()
    assert AuditEvent.objects.filter(action=Action.REFUSED, detail="signing refused: incomplete").exists()


def test_the_session_form_saves_the_clinicians_choice_to_bill_the_add_on(draft, clinician_client):
    page = clinician_client.get(reverse("treatment:session", args=[draft.pk])).content.decode()
    assert 'name="bill_imaging_guidance"' in page and "Bill the imaging-guidance add-on" in page
    form = SessionForm({"performed_at": timezone.localtime(draft.performed_at).strftime("%Y-%m-%dT%H:%M"),
                        "pain_before": 7, "pain_after": 2, "bill_imaging_guidance": "on",
                        "version": draft.version}, instance=draft)
    assert form.is_valid(), form.errors
    assert form.save().bill_imaging_guidance is True
