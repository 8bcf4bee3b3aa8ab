"""The audit trail: reads and changes of patient data are recorded, and nothing can rewrite them."""
import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from audit import db as audit_db
from audit import record
from audit.models import Action, AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


def events(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("id"))


def test_reading_a_chart_writes_a_read_event(clinician_client, clinician, patient):
    AuditEvent.objects.all()  # (login events exist already)
    before = AuditEvent.objects.count()
    response = clinician_client.get(reverse("patients:chart", args=[patient.pk]), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    [event] = AuditEvent.objects.order_by("id")[before:]
    assert event.action == Action.READ
    assert (event.patient_id, event.object_type, event.object_id) == (patient.pk, "patients.patient", str(patient.pk))
    assert (event.user_id, event.username, event.role) == (clinician.pk, "clinician", "clinician")
    assert (event.method, event.status, event.path, event.remote_addr) == ("GET", 200, f"/patients/{patient.pk}/", "10.1.2.3")
    assert timezone.now() - event.at < timedelta(seconds=30)


def test_reading_a_session_and_a_course_names_the_patient(clinician_client, small_clinic):
    patient = small_clinic["patient"]
    clinician_client.get(reverse("treatment:session", args=[small_clinic["signed"].pk]))
    clinician_client.get(reverse("treatment:course", args=[small_clinic["course"].pk]))
    reads = events(action=Action.READ, patient_id=patient.pk)
    assert [(e.object_type, e.object_id) for e in reads] == [
        ("treatment.session", str(small_clinic["signed"].pk)), ("treatment.course", str(small_clinic["course"].pk)),
    ]


def test_a_change_writes_an_update_event_with_the_object(clinician_client, patient):
    data = {
        "mrn": patient.mrn, "given_name": "Maria", "family_name": "López-Ruiz", "birth_date": "1980-05-17",
        "sex": "female", "height_cm": "165", "weight_kg": "68", "preferred_language": "es", "payer": "none",
        "payer_name": "", "allergies-TOTAL_FORMS": "0", "allergies-INITIAL_FORMS": "0",
        "medications-TOTAL_FORMS": "0", "medications-INITIAL_FORMS": "0", "version": str(patient.version),
    }
    response = clinician_client.post(reverse("patients:edit", args=[patient.pk]), data)
    assert response.status_code == 302, response.content[:2000]
    [update] = events(action=Action.UPDATE, object_type="patients.patient")
    assert (update.patient_id, update.object_id, update.username, update.method) == (patient.pk, str(patient.pk), "clinician", "POST")
    assert update.path == f"/patients/{patient.pk}/edit/"
    # before and after hold the changed fields only, with their old and new values
    assert update.before["family_name"] == "Lopez" and update.after["family_name"] == "López-Ruiz"
    assert "mrn" not in update.before and "mrn" not in update.after
    # the change is recorded, so the request itself adds no second event
    assert not events(action=Action.READ, path=f"/patients/{patient.pk}/edit/", method="POST")


def test_charting_a_trigger_point_writes_a_create_event(clinician_client, patient):
    response = clinician_client.post(reverse("charting:new", args=[patient.pk]), {
        "muscle": "upper-trapezius", "side": "left", "region": "neck.angle", "region_side": "left", "view": "back",
        "map_x": "100", "map_y": "100", "activity": "active", "found_on": timezone.localdate().isoformat(),
    })
    assert response.status_code == 302
    [created] = events(action=Action.CREATE, object_type="charting.triggerpoint")
    assert created.patient_id == patient.pk and created.username == "clinician"


def test_signing_records_a_sign_event_with_before_and_after(clinician_client, clinician, small_clinic):
    from treatment import signing

    draft = small_clinic["draft"]
    clinician_client.post(reverse("treatment:session_sign", args=[draft.pk]),
                          {"version": draft.version})  # the version read, but incomplete: refused
    [refusal] = events(action=Action.REFUSED, object_id=str(draft.pk))
    assert refusal.patient_id == small_clinic["patient"].pk and "incomplete" in refusal.detail
    assert not events(action=Action.UPDATE, path=f"/courses/sessions/{draft.pk}/sign/"), "no guessed 'update'"
    draft.pain_after, draft.consent_recorded, draft.performed_at = 2, True, timezone.now() - timedelta(hours=1)
    draft.save()
    from treatment.models import Injection

    Injection.objects.create(session=draft, trigger_point=small_clinic["point"], volume_ml="1.0")
    signing.sign(draft, clinician, draft.version)
    [event] = events(action=Action.SIGN)
    assert (event.patient_id, event.object_type, event.object_id, event.username) == (
        small_clinic["patient"].pk, "treatment.session", str(draft.pk), "clinician")
    assert event.before["status"] == "draft" and event.after["status"] == "signed"
    assert event.before["signed_by_id"] is None and event.after["signed_by_id"] == clinician.pk


def test_a_refused_change_is_recorded_with_its_status(client, front_desk, small_clinic):
    client.force_login(front_desk)
    response = client.post(reverse("charting:new", args=[small_clinic["patient"].pk]), {})
    assert response.status_code == 403
    [event] = events(path=f"/chart/{small_clinic['patient'].pk}/trigger-points/new/")
    assert (event.action, event.status, event.role, event.detail) == (Action.REFUSED, 403, "front_desk",
                                                                      "POST refused")


def test_searching_patients_records_every_patient_shown(clinician_client, patient):
    from audit.models import AuditDisclosure
    from patients.models import Patient

    other = Patient.objects.create(mrn="TP77", given_name="Ana", family_name="Lopera", birth_date="1970-01-01")
    hidden = Patient.objects.create(mrn="TP78", given_name="Bo", family_name="Smith", birth_date="1970-01-01")
    clinician_client.get(reverse("patients:list"), {"q": "Lop"})
    [event] = events(path="/patients/?q=Lop")
    assert event.action == Action.LIST and event.patient_id is None and event.object_type == "patients.patient"
    assert set(event.disclosures.values_list("patient_id", flat=True)) == {patient.pk, other.pk}
    # "who saw patient X" is one query
    assert AuditDisclosure.objects.filter(patient_id=other.pk, event__username="clinician").exists()
    assert not AuditDisclosure.objects.filter(patient_id=hidden.pk).exists()


def test_pages_without_patient_data_are_not_audited(clinician_client):
    before = AuditEvent.objects.count()
    clinician_client.get(reverse("library:index"))
    clinician_client.get(reverse("healthz"))
    assert AuditEvent.objects.count() == before


def test_changes_outside_a_request_are_audited_without_a_user(patient):
    patient.weight_kg = 70
    patient.save()
    [event] = events(action=Action.UPDATE, object_type="patients.patient")
    assert event.user_id is None and event.username == "" and event.path == "" and event.patient_id == patient.pk


def test_login_failed_login_and_logout_are_audited(client, clinician):
    client.post(reverse("login"), {"username": "clinician", "password": "wrong"}, REMOTE_ADDR="10.9.9.9")
    client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    client.post(reverse("login"), {"username": "clinician", "password": "correct-horse-battery"})
    client.post(reverse("logout"))
    kinds = [(e.action, e.username) for e in events(action__in=[Action.LOGIN, Action.LOGIN_FAILED, Action.LOGOUT])]
    assert kinds == [(Action.LOGIN_FAILED, "clinician"), (Action.LOGIN_FAILED, "nobody"),
                     (Action.LOGIN, "clinician"), (Action.LOGOUT, "clinician")]
    assert events(action=Action.LOGIN_FAILED)[0].remote_addr == "10.9.9.9"


# --- append-only ------------------------------------------------------------------------------

def test_the_application_cannot_edit_or_delete_an_event(patient):
    event = record.write(Action.READ, object_type="patients.patient", object_id=patient.pk, patient_id=patient.pk)
    event.detail = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["detail"])
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


def test_the_database_refuses_raw_update_and_delete(patient):
    event = record.write(Action.READ, object_type="patients.patient", object_id=patient.pk, patient_id=patient.pk)
    for statement in ("UPDATE audit_auditevent SET detail = 'tampered' WHERE id = %s",
                      "DELETE FROM audit_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, detail="").exists()


@pytest.mark.parametrize("table", audit_db.APPEND_ONLY_TABLES)
def test_every_append_only_table_has_its_triggers(table):
    assert audit_db.installed(connection, table)


def test_flush_refuses_while_the_audit_trail_has_rows(patient):
    record.write(Action.READ, object_type="patients.patient", object_id=patient.pk, patient_id=patient.pk)
    with override_settings(AUDIT_ALLOW_FLUSH=False), pytest.raises(CommandError, match="append-only"):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.exists()


# --- reports ----------------------------------------------------------------------------------

REPORT_URLS = ["audit:report", "audit:export"]


@pytest.mark.parametrize("role_fixture", ["clinician", "nurse", "front_desk"])
def test_non_admins_get_403_on_reports(client, request, role_fixture, patient):
    client.force_login(request.getfixturevalue(role_fixture))
    for url in [reverse("audit:report"), reverse("audit:export"), reverse("audit:patient", args=[patient.pk]),
                reverse("audit:user", args=[request.getfixturevalue(role_fixture).pk])]:
        assert client.get(url).status_code == 403, url


def test_patients_get_403_and_anonymous_users_log_in(client, django_user_model, patient):
    assert client.get(reverse("audit:report")).status_code == 302
    user = django_user_model.objects.create_user("maria", password="correct-horse-battery")
    patient.user = user
    patient.save()
    client.force_login(user)
    assert client.get(reverse("audit:report")).status_code == 403
    assert client.get(reverse("audit:patient", args=[patient.pk])).status_code == 403


def test_admin_reports_per_patient_and_per_user_with_dates(admin_client, clinician_client, clinician, small_clinic):
    patient = small_clinic["patient"]
    clinician_client.get(reverse("patients:chart", args=[patient.pk]))
    page = admin_client.get(reverse("audit:patient", args=[patient.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert f"/patients/{patient.pk}/" in text and "clinician" in text
    by_user = admin_client.get(reverse("audit:user", args=[clinician.pk]))
    assert f"/patients/{patient.pk}/" in by_user.content.decode()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    later = admin_client.get(reverse("audit:patient", args=[patient.pk]), {"date_from": tomorrow})
    assert "No events match." in later.content.decode()
    by_mrn = admin_client.get(reverse("audit:report"), {"patient": patient.mrn, "action": "read"})
    assert f"/patients/{patient.pk}/" in by_mrn.content.decode()


def test_csv_export_content(admin_client, clinician_client, administrator, small_clinic):
    patient = small_clinic["patient"]
    clinician_client.get(reverse("patients:chart", args=[patient.pk]), REMOTE_ADDR="10.0.0.7")
    record.write(Action.READ, object_type="patients.patient", object_id=patient.pk, patient_id=patient.pk,
                 detail="=HYPERLINK(\"http://evil\")")
    response = admin_client.get(reverse("audit:export"), {"patient": patient.mrn})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == ["at", "username", "role", "remote_addr", "action", "object_type", "object_id",
                             "patient_id", "patient_mrn", "path", "method", "status", "detail"]
    assert {row["patient_id"] for row in rows} == {str(patient.pk)}
    assert {row["patient_mrn"] for row in rows} == {patient.mrn}
    chart_reads = [r for r in rows if r["path"] == f"/patients/{patient.pk}/" and r["action"] == "read"]
    assert chart_reads and chart_reads[0]["username"] == "clinician" and chart_reads[0]["remote_addr"] == "10.0.0.7"
    assert chart_reads[0]["status"] == "200" and chart_reads[0]["role"] == "clinician"
    assert any(r["detail"].startswith("'=HYPERLINK") for r in rows), "formulas are defused"
    # newest first, and the export itself is in the trail
    assert [r["at"] for r in rows] == sorted((r["at"] for r in rows), reverse=True)
    [export] = events(action=Action.EXPORT, username=administrator.username)
    assert export.patient_id == patient.pk and "CSV" in export.detail


def test_csv_export_by_user_and_date(admin_client, clinician, clinician_client, nurse, client, small_clinic):
    clinician_client.get(reverse("patients:chart", args=[small_clinic["patient"].pk]))
    response = admin_client.get(reverse("audit:export"), {"user_id": clinician.pk,
                                                          "date_to": timezone.localdate().isoformat()})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows and {r["username"] for r in rows} == {"clinician"}
    bad = admin_client.get(reverse("audit:export"), {"date_from": "2026-02-02", "date_to": "2026-01-01"})
    assert bad.status_code == 400


# --- the API, FHIR and the portal --------------------------------------------------------------

def test_api_reads_and_changes_are_audited_with_the_tokens_user(client, clinician, small_clinic):
    from interop.models import ApiToken

    token = ApiToken.issue(clinician, "tests")[1]
    auth = {"Authorization": f"Bearer {token}"}
    patient = small_clinic["patient"]
    assert client.get(f"/api/v1/patients/{patient.pk}", headers=auth).status_code == 200
    assert client.get("/api/v1/sessions", {"patient": patient.pk}, headers=auth).status_code == 200
    reads = events(action=Action.READ, username="clinician")
    assert [(e.path, e.patient_id, e.object_type) for e in reads] == [
        (f"/api/v1/patients/{patient.pk}", patient.pk, "patients.patient"),
        (f"/api/v1/sessions?patient={patient.pk}", patient.pk, "patients.patient"),
    ]
    response = client.patch(f"/api/v1/patients/{patient.pk}", {"payer_name": "Plan B", "version": patient.version},
                            content_type="application/json",
                            headers=auth)
    assert response.status_code == 200
    assert events(action=Action.UPDATE, object_type="patients.patient", username="clinician", patient_id=patient.pk)


def test_fhir_export_is_audited_as_an_export(client, clinician, small_clinic):
    from interop.models import ApiToken

    token = ApiToken.issue(clinician, "tests")[1]
    patient = small_clinic["patient"]
    response = client.get(f"/fhir/Patient/{patient.pk}/$everything", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    [export] = events(action=Action.EXPORT)
    assert (export.username, export.patient_id, export.status) == ("clinician", patient.pk, 200)


def test_a_patient_probing_another_patients_session_is_recorded(client, django_user_model, small_clinic):
    from patients.models import Patient

    other = Patient.objects.create(mrn="TP9", given_name="O", family_name="Ther", birth_date="1970-01-01")
    user = django_user_model.objects.create_user("other", password="x" * 12)
    other.user = user
    other.save()
    client.force_login(user)
    session = small_clinic["draft"]
    assert client.get(reverse("portal:consent", args=[session.pk])).status_code == 404
    [event] = events(path=f"/portal/sessions/{session.pk}/consent/")
    assert (event.username, event.role, event.patient_id, event.status) == ("other", "patient", small_clinic["patient"].pk, 404)
    client.get(reverse("portal:home"))
    assert events(path="/portal/", patient_id=other.pk)
