"""The safety rules at work in the session form, signing, consent and adverse events."""
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from charting.models import TriggerPoint
from patients.models import Allergy
from safety.models import AdverseEvent, ConsentRecord
from safety import present
from treatment import workflow
from treatment.models import Injection, Session
from tpclinic import dates

pytestmark = pytest.mark.django_db


def form_data(session, rows, **extra):
    data = {"version": str(session.version), "performed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "pain_before": "7", "pain_after": "3", "notes": "", "dose_override_reason": "",
            "injections-TOTAL_FORMS": str(len(rows)), "injections-INITIAL_FORMS": "0"}
    for n, row in enumerate(rows):
        data.update({f"injections-{n}-{key}": value for key, value in {
            "needle_gauge": "25", "needle_length_mm": "38", "technique": "fanning", "guidance": "none",
            "concentration_pct": "1", "volume_ml": "2", "agent": "lidocaine", **row}.items()})
    data.update(extra)
    return data


def test_live_check_totals_the_rows_as_typed_without_saving(clinician_client, session, trapezius):
    rows = [{"trigger_point": str(trapezius.pk), "volume_ml": "10"}, {"trigger_point": str(trapezius.pk), "volume_ml": "10"}]
    response = clinician_client.post(reverse("safety:check", args=[session.pk]), form_data(session, rows))
    body = response.content.decode()
    assert response.status_code == 200
    # 68 kg, 165 cm woman: IBW 57.0 kg, limit 256 mg; 200 mg is 78%: ok, just under caution
    assert 'data-status="ok"' in body and "200 mg" in body
    assert "20552" in body and 'data-rule="pneumothorax"' in body
    assert not Injection.objects.exists()
    rows.append({"trigger_point": str(trapezius.pk), "volume_ml": "10"})
    body = clinician_client.post(reverse("safety:check", args=[session.pk]), form_data(session, rows)).content.decode()
    assert 'data-status="over"' in body and "Signing is blocked" in body


def test_allergy_blocks_signing_and_switching_class_fixes_it(clinician_client, patient, session, trapezius):
    Allergy.objects.create(patient=patient, substance="Lidocaine", anaesthetic_class="amide")
    ConsentRecord.objects.create(session=session, form_version="t", language="es", recorded_by=session.clinician)
    Session.objects.filter(pk=session.pk).update(consent_recorded=True)
    url = reverse("treatment:session", args=[session.pk])
    response = clinician_client.post(url, form_data(session, [{"trigger_point": str(trapezius.pk)}], sign="1"), follow=True)
    session.refresh_from_db()
    assert not session.is_signed
    assert "allergic to amide" in response.content.decode()
    fixed = form_data(session, [], sign="1", **{
        "injections-TOTAL_FORMS": "1", "injections-INITIAL_FORMS": "1",
        "injections-0-id": str(session.injections.get().pk), "injections-0-session": str(session.pk),
        "injections-0-trigger_point": str(trapezius.pk), "injections-0-agent": "chloroprocaine",
        "injections-0-concentration_pct": "2", "injections-0-volume_ml": "2", "injections-0-needle_gauge": "25",
        "injections-0-needle_length_mm": "38", "injections-0-technique": "fanning", "injections-0-guidance": "none",
    })
    clinician_client.post(url, fixed)
    session.refresh_from_db()
    assert session.is_signed and session.cpt_codes == "20552"
    assert any(f["rule"] == "pneumothorax" for f in session.screen_snapshot["findings"])


def test_dose_over_limit_signs_only_with_a_reason(clinician_client, session, trapezius):
    ConsentRecord.objects.create(session=session, form_version="t", language="en", recorded_by=session.clinician)
    Session.objects.filter(pk=session.pk).update(consent_recorded=True)
    url = reverse("treatment:session", args=[session.pk])
    rows = [{"trigger_point": str(trapezius.pk), "volume_ml": "30"}]
    clinician_client.post(url, form_data(session, rows, sign="1"))
    session.refresh_from_db()
    assert not session.is_signed
    clinician_client.post(url, form_data(session, [], sign="1", dose_override_reason="Weighed today: 90 kg",
                                         **{"injections-TOTAL_FORMS": "0"}))
    session.refresh_from_db()
    assert session.is_signed and session.screen_snapshot["dose_override_reason"] == "Weighed today: 90 kg"


def test_consent_in_the_patients_language_with_pdf(clinician_client, session, trapezius):
    Injection.objects.create(session=session, trigger_point=trapezius, volume_ml=1)
    page = clinician_client.get(reverse("safety:consent", args=[session.pk])).content.decode()
    assert "Consentimiento para la inyección" in page and "neumotórax" in page
    assert "Consent to trigger point injection" not in page
    clinician_client.post(reverse("safety:consent", args=[session.pk]))
    record = ConsentRecord.objects.get()
    assert record.language == "es" and record.flags == ["pneumothorax"]
    session.refresh_from_db()
    assert session.consent_recorded
    event = AuditEvent.objects.get(action="consent")  # one event, on the consent record, for the session
    assert (event.object_type, event.object_id, event.patient_id) == (
        "safety.consentrecord", str(record.pk), session.course.patient_id)
    assert event.before == {"consent_recorded": False}
    assert event.after["consent_recorded"] is True and event.after["session_id"] == session.pk
    assert event.after["language"] == "es"
    pdf = clinician_client.get(reverse("safety:consent_pdf", args=[record.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_front_desk_cannot_record_consent(client, front_desk, session):
    client.force_login(front_desk)
    assert client.post(reverse("safety:consent", args=[session.pk])).status_code == 403
    assert not ConsentRecord.objects.exists()


def test_adverse_event_and_rates_per_thousand(clinician_client, session, trapezius):
    injection = Injection.objects.create(session=session, trigger_point=trapezius, volume_ml=1)
    Session.objects.filter(pk=session.pk).update(status=Session.Status.SIGNED)
    form = clinician_client.get(reverse("safety:adverse_event_new", args=[session.pk])).content.decode()
    assert "lipid emulsion" in form
    response = clinician_client.post(reverse("safety:adverse_event_new", args=[session.pk]), {
        "kind": "vasovagal", "injection": str(injection.pk),
        "onset_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "severity": "mild",
        "action": "Lay flat, legs raised", "outcome": "resolved", "follow_up": "",
    })
    assert response.status_code == 302 and AdverseEvent.objects.count() == 1
    report = clinician_client.get(reverse("safety:adverse_event_report")).content.decode()
    assert "1000.0" in report and "Vasovagal reaction" in report


def test_course_page_offers_the_earliest_date_the_payer_allows(clinician_client, patient, session, trapezius):
    patient.payer = "medicare-uniform-tpi-2024"
    patient.save()
    Injection.objects.create(session=session, trigger_point=trapezius, volume_ml=1)
    day = timezone.localtime(session.performed_at).date()
    Session.objects.filter(pk=session.pk).update(status=Session.Status.SIGNED)
    body = clinician_client.get(reverse("treatment:course", args=[session.course_id])).content.decode()
    wanted = dates.long_date(day + timezone.timedelta(days=14))
    allowed = dates.long_date(day + timezone.timedelta(days=42))
    assert 'id="payer-note"' in body and wanted in body and allowed in body
    patient.payer = "none"
    patient.save()
    assert 'id="payer-note"' not in clinician_client.get(reverse("treatment:course", args=[session.course_id])).content.decode()


def _live_check(client, session, rows, lang=None):
    headers = {"HTTP_ACCEPT_LANGUAGE": lang} if lang else {}
    response = client.post(reverse("safety:check", args=[session.pk]), form_data(session, rows), **headers)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_live_check_in_spanish(clinician_client, patient, session, trapezius):
    Allergy.objects.create(patient=patient, substance="Lidocaine", anaesthetic_class="amide")
    rows = [{"trigger_point": str(trapezius.pk), "volume_ml": "10"}] * 2
    body = _live_check(clinician_client, session, rows, "es")
    assert "Lidocaína: es una amida, y el paciente es alérgico a los anestésicos de tipo amida." in body
    assert "Utilice en su lugar cloroprocaína (un éster), suero fisiológico o punción seca." in body
    assert ("Trapecio (fibras superiores): riesgo alto de neumotórax (sobre la pared torácica o el vértice "
            "pulmonar).") in body
    # 68 kg, 165 cm woman: IBW 57.0 kg, limit 256.3 mg; 200 mg is about 78%
    assert ("Anestésico local: aprox. 78 % del máximo para este paciente (Lidocaína: 200 mg de un límite de "
            "256,3 mg") in body
    assert "<li>Lidocaína: 200 mg de un límite de 256,3 mg (aprox. 78 %)</li>" in body
    assert "peso ideal 57 kg (Devine), inferior al peso real de 68 kg" in body
    assert "Trapecio (fibras superiores): cuidado con el nervio espinal accesorio." in body
    assert "20552: infiltración de puntos gatillo, 1 o 2 músculos. 1 músculo contado" in body
    assert "Fuente" in body and "Amide/ester substitution" in body  # sources stay as written
    assert "is an amide" not in body and "pneumothorax risk" not in body and "of the maximum" not in body


@pytest.mark.django_db
def test_live_check_in_arabic(clinician_client, patient, session, trapezius):
    Allergy.objects.create(patient=patient, substance="Lidocaine", anaesthetic_class="amide")
    body = _live_check(clinician_client, session, [{"trigger_point": str(trapezius.pk)}], "ar")
    assert "ليدوكائين من فئة الأميد" in body
    assert "العضلة شبه المنحرفة (الألياف العلوية): خطر مرتفع لاسترواح الصدر" in body
    assert "is an amide" not in body and "pneumothorax risk" not in body


@pytest.mark.django_db
def test_live_check_in_english_is_unchanged(clinician_client, patient, session, trapezius):
    Allergy.objects.create(patient=patient, substance="Lidocaine", anaesthetic_class="amide")
    rows = [{"trigger_point": str(trapezius.pk), "volume_ml": "10"}] * 2
    body = _live_check(clinician_client, session, rows)
    assert "Lidocaine is an amide, and the patient is allergic to amide anaesthetics." in body
    assert "Trapezius (upper fibres): high pneumothorax risk (over the chest wall or lung apex)." in body
    assert ("Local anaesthetic is about 78% of the maximum for this patient (Lidocaine: 200 mg of 256.3 mg limit "
            "(about 78%)).") in body
    assert "<li>Lidocaine: 200 mg of 256.3 mg limit (about 78%)</li>" in body
    assert "ideal body weight 57 kg (Devine), lower than actual weight 68 kg" in body
    assert "20552: trigger point injection(s), 1 or 2 muscles. 1 muscle counted" in body


@pytest.mark.django_db
def test_signed_session_page_words_the_snapshot_in_the_readers_language(clinician_client, session, trapezius):
    Injection.objects.create(session=session, trigger_point=trapezius, volume_ml=2, concentration_pct=1)
    snapshot = present.snapshot(workflow.check(session))
    assert all("params" in f for f in snapshot["findings"])
    old = {"findings": [{"rule": "pneumothorax", "level": "warn", "message": "Kept before params: English."}]}
    Session.objects.filter(pk=session.pk).update(status=Session.Status.SIGNED, screen_snapshot=snapshot)
    url = reverse("treatment:session", args=[session.pk])
    spanish = clinician_client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Trapecio (fibras superiores): riesgo alto de neumotórax" in spanish
    assert "pneumothorax risk" not in spanish
    english = clinician_client.get(url).content.decode()
    assert "Trapezius (upper fibres): high pneumothorax risk" in english
    Session.objects.filter(pk=session.pk).update(screen_snapshot=old)
    assert "Kept before params: English." in clinician_client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()


def test_the_live_screen_gives_one_line_per_finding_each_suggestion_once(clinician_client, patient, session, trapezius):
    levator = TriggerPoint.objects.create(patient=patient, muscle="levator-scapulae", side="right", region="neck.angle",
                                          region_side="right", view="back", map_x=300, map_y=100,
                                          found_on=timezone.localdate())
    rows = [{"trigger_point": str(trapezius.pk)}, {"trigger_point": str(levator.pk)}]
    body = clinician_client.post(reverse("safety:check", args=[session.pk]),
                                 form_data(session, rows, site_infection="on")).content.decode()
    findings = re.findall(r'<li class="finding [^"]*" data-rule="([^"]+)"', body)
    assert findings.count("infection-site") == 2  # one line per site ...
    suggestions = [html.unescape(s).strip() for s in re.findall(r"<strong>Suggestion:</strong> ([^<]+)", body)]
    assert suggestions.count("Leave this site out of today's plan.") == 1  # ... their shared advice once
    assert len(suggestions) == len(set(suggestions))
    assert body.count('<details class="why small">') == body.count("Source:")  # sources behind "Why"
    [cpt] = re.findall(r'<p class="small" id="cpt-line">(.*?)</p>', body, re.S)
    assert "20552" in cpt and cpt.count("20552") == 1


def test_most_severe_findings_come_first(clinician_client, patient, session, trapezius):
    Allergy.objects.create(patient=patient, substance="Lidocaine", anaesthetic_class="amide")
    body = clinician_client.post(reverse("safety:check", args=[session.pk]),
                                 form_data(session, [{"trigger_point": str(trapezius.pk)}])).content.decode()
    levels = re.findall(r'<li class="finding (block|warn|info)', body)
    order = {"block": 0, "warn": 1, "info": 2}
    assert levels[0] == "block" and [order[x] for x in levels] == sorted(order[x] for x in levels)


def test_consent_is_taken_on_the_session_page_without_a_prior_save(clinician_client, session, trapezius):
    """Issue 12: following "Record consent" before "Save draft" lost the rows and omitted the
    pneumothorax warning for the planned site. Now one POST saves what was typed and records consent."""
    rows = [{"trigger_point": str(trapezius.pk), "volume_ml": "1.5"}]
    preview = clinician_client.post(reverse("safety:check", args=[session.pk]), form_data(session, rows)).content.decode()
    assert 'class="consent-preview"' in preview and "neumotórax" in preview  # the patient's form, with this plan's flag
    response = clinician_client.post(reverse("treatment:session", args=[session.pk]),
                                     form_data(session, rows, pain_before="6", consent="1"), follow=True)
    assert "Draft saved and consent recorded." in response.content.decode()
    session.refresh_from_db()
    assert session.consent_recorded and session.pain_before == 6 and session.version == 2
    [injection] = session.injections.all()
    assert injection.volume_ml == Decimal("1.5")
    record = ConsentRecord.objects.get(session=session)
    assert record.flags == ["pneumothorax"] and record.language == "es"


def test_the_rules_know_exactly_the_guidance_values_an_injection_row_has():
    from safety.facts import GUIDANCE
    from treatment.models import Injection

    assert set(GUIDANCE) == set(Injection.Guidance.values)


@pytest.mark.parametrize("payer, guidance, shown", [
    ("medicare-uniform-tpi-2024", "ultrasound", "does not cover imaging guidance"),
    ("none", "ultrasound", "Check that the patient&#x27;s payer covers imaging guidance"),
    ("medicare-uniform-tpi-2024", "none", None),
])
def test_the_live_check_offers_the_guidance_add_on_with_the_payers_note(clinician_client, patient, session, trapezius,
                                                                       payer, guidance, shown):
    patient.payer = payer
    patient.save()
    body = _live_check(clinician_client, session, [{"trigger_point": str(trapezius.pk), "guidance": guidance}])
    assert "20552" in body
    if shown is None:
        assert 'data-rule="cpt-imaging-addon"' not in body
    else:
        assert 'data-rule="cpt-imaging-addon"' in body and "76942" in body and shown in body


@pytest.mark.django_db
def test_the_consent_preview_in_the_live_check_keeps_the_pages_one_h1(clinician_client, session, trapezius):
    """The session page has its own h1; the consent form previewed inside its live check starts at h3,
    while the consent form's own page still starts at h1."""
    body = _live_check(clinician_client, session, [{"trigger_point": str(trapezius.pk)}])
    assert "consent-preview" in body
    assert "<h1" not in body and "<h3>" in body
    page = clinician_client.get(reverse("safety:consent", args=[session.pk])).content.decode()
    assert page.count("<h1") >= 1
