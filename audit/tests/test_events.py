"""Explicit audit events: admin changes, consent, exports, imports and lists say what they did,
with before and after values, and which patients' records were shown or left."""
import io
import json

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from audit import events
from audit.admin_events import AuditedAdmin
from audit.events import Action
from audit.models import AuditDisclosure, AuditEvent

pytestmark = pytest.mark.django_db


def new_events(before_id=0, **filters):
    return list(AuditEvent.objects.filter(id__gt=before_id, **filters).order_by("id"))


def last_id():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.fixture
def superuser_client(django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x" * 12)
    client = Client()
    client.force_login(root)
    return client


# --- the API -------------------------------------------------------------------------------------

@pytest.mark.parametrize("before,after,expected", [
    ({"a": 1, "b": 2}, {"a": 1, "b": 3}, ({"b": 2}, {"b": 3})),
    ({"a": 1}, {"a": 1}, ({}, {})),
    ({"a": 1}, {"a": 1, "c": "new"}, ({}, {"c": "new"})),
    (None, {"a": 1}, (None, {"a": 1})),
    ({"a": 1}, None, ({"a": 1}, None)),
])
def test_diff_keeps_the_changed_fields_only(before, after, expected):
    assert events.diff(before, after) == expected


def test_snapshot_reads_what_is_stored_and_leaves_secrets_out(patient, django_user_model):
    patient.weight_kg = 99  # not saved
    assert events.snapshot(patient)["weight_kg"] == "68.0" or float(events.snapshot(patient)["weight_kg"]) == 68
    assert float(events.snapshot(patient, stored=False)["weight_kg"]) == 99
    user = django_user_model.objects.create_user("maria", password="x" * 12)
    assert "password" not in events.snapshot(user) and events.snapshot(user)["username"] == "maria"


def test_record_finds_the_patient_and_keeps_only_changes(small_clinic):
    draft = small_clinic["draft"]
    event = events.record(Action.UPDATE, obj=draft, before={"notes": "", "pain_before": 6},
                          after={"notes": "Tight band", "pain_before": 6})
    assert (event.object_type, event.object_id, event.patient_id) == (
        "treatment.session", str(draft.pk), small_clinic["patient"].pk)
    assert (event.before, event.after) == ({"notes": ""}, {"notes": "Tight band"})


# --- the admin site ----------------------------------------------------------------------------

def test_every_admin_of_the_project_records_its_changes():
    plain = [model._meta.label for model, model_admin in admin.site._registry.items()
             if not isinstance(model_admin, AuditedAdmin)]
    assert not plain, f"these ModelAdmins do not inherit audit.admin_events.AuditedAdmin: {plain}"


def test_deleting_a_patients_portal_login_in_the_admin_records_what_was_cleared(
        superuser_client, django_user_model, patient):
    from referral.models import PainDrawing

    login = django_user_model.objects.create_user("maria", password="x" * 12)
    patient.user = login
    patient.save()
    drawing = PainDrawing.objects.create(patient=patient, marks=[], source="patient", recorded_by=login)
    since = last_id()
    response = superuser_client.post(reverse("admin:auth_user_delete", args=[login.pk]), {"post": "yes"})
    assert response.status_code == 302, response.content[:500]
    patient.refresh_from_db()
    assert patient.user_id is None
    [deleted] = new_events(since, action=Action.ADMIN_DELETE, object_type="auth.user")
    assert deleted.username == "root" and deleted.before["username"] == "maria" and deleted.after is None
    assert "password" not in deleted.before
    cleared = {e.object_type: e for e in new_events(since, action=Action.UPDATE)}
    assert cleared["patients.patient"].patient_id == patient.pk
    assert (cleared["patients.patient"].before, cleared["patients.patient"].after) == (
        {"user_id": login.pk}, {"user_id": None})
    assert cleared["referral.paindrawing"].object_id == str(drawing.pk)
    assert cleared["referral.paindrawing"].patient_id == patient.pk
    assert (cleared["referral.paindrawing"].before, cleared["referral.paindrawing"].after) == (
        {"recorded_by_id": login.pk}, {"recorded_by_id": None})


def test_an_admin_change_records_before_and_after(superuser_client, clinician):
    from directory.models import Specialist

    specialist = Specialist.objects.create(name="Dr A", slug="dr-a", taxonomy_code="208100000X")
    since = last_id()
    url = reverse("admin:directory_specialist_change", args=[specialist.pk])
    form = superuser_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(name="Dr B", languages=form.initial.get("languages") or "en")
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    [change] = new_events(since, action=Action.ADMIN_CHANGE, object_type="directory.specialist")
    assert change.before["name"] == "Dr A" and change.after["name"] == "Dr B"


# --- consent, exports, imports, lists ------------------------------------------------------------

def test_consent_in_clinic_is_a_consent_event(clinician_client, small_clinic):
    draft = small_clinic["draft"]
    since = last_id()
    assert clinician_client.post(reverse("safety:consent", args=[draft.pk])).status_code == 302
    [consent] = new_events(since, action=Action.CONSENT)
    assert consent.patient_id == small_clinic["patient"].pk and consent.object_type == "safety.consentrecord"
    assert consent.before == {"consent_recorded": False} and consent.after["consent_recorded"] is True
    assert not new_events(since, action=Action.CREATE), "the consent event says it all"


def test_fhir_export_discloses_the_patient(client, clinician, small_clinic):
    from interop.models import ApiToken

    token = ApiToken.issue(clinician, "tests")[1]
    patient = small_clinic["patient"]
    client.get(f"/fhir/Patient/{patient.pk}/$everything", headers={"Authorization": f"Bearer {token}"})
    [export] = AuditEvent.objects.filter(action=Action.EXPORT)
    assert list(export.disclosures.values_list("patient_id", flat=True)) == [patient.pk]


def test_bulk_export_and_import_commands_are_recorded(tmp_path, small_clinic):
    from patients.models import Patient

    other = Patient.objects.create(mrn="TP2", given_name="B", family_name="C", birth_date="1970-01-01")
    call_command("fhir_export", "--out", str(tmp_path / "out"), stdout=io.StringIO(), stderr=io.StringIO())
    [export] = AuditEvent.objects.filter(action=Action.EXPORT)
    assert export.username.startswith("os:") and "fhir_export" in export.detail
    assert set(export.disclosures.values_list("patient_id", flat=True)) == {small_clinic["patient"].pk, other.pk}
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": []}))
    call_command("fhir_import", str(bundle), stdout=io.StringIO(), stderr=io.StringIO())
    [imported] = AuditEvent.objects.filter(action=Action.IMPORT)
    assert "bundle.json" in imported.detail and imported.username.startswith("os:")


def test_the_worklist_records_the_patients_it_shows(clinician_client, small_clinic):
    since = last_id()
    clinician_client.get(reverse("treatment:worklist"), {"clinician": "all"})
    [listed] = new_events(since, action=Action.LIST)
    assert list(listed.disclosures.values_list("patient_id", flat=True)) == [small_clinic["patient"].pk]


def test_the_audit_report_records_the_patients_it_names(admin_client, clinician_client, small_clinic):
    patient = small_clinic["patient"]
    clinician_client.get(reverse("patients:chart", args=[patient.pk]))
    since = last_id()
    admin_client.get(reverse("audit:report"))
    [listed] = new_events(since, action=Action.LIST)
    assert patient.pk in set(listed.disclosures.values_list("patient_id", flat=True))


def test_api_patient_search_records_the_patients_it_returns(client, clinician, patient):
    from interop.models import ApiToken

    token = ApiToken.issue(clinician, "tests")[1]
    since = last_id()
    assert client.get("/api/v1/patients", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    [listed] = new_events(since, action=Action.LIST)
    assert list(listed.disclosures.values_list("patient_id", flat=True)) == [patient.pk]


def test_accounting_of_disclosures_lists_who_saw_and_what_left(admin_client, clinician_client, client, clinician,
                                                             small_clinic):
    from interop.models import ApiToken

    patient = small_clinic["patient"]
    clinician_client.get(reverse("patients:list"))
    clinician_client.get(reverse("patients:chart", args=[patient.pk]))
    token = ApiToken.issue(clinician, "tests")[1]
    client.get(f"/fhir/Patient/{patient.pk}/$everything", headers={"Authorization": f"Bearer {token}"})
    page = admin_client.get(reverse("audit:disclosures", args=[patient.pk]))
    assert page.status_code == 200
    rows = page.context["page"].object_list
    assert {e.action for e in rows} >= {Action.LIST, Action.READ, Action.EXPORT}
    assert all(AuditDisclosure.objects.filter(event=e, patient_id=patient.pk).exists() for e in rows)
    exports = admin_client.get(reverse("audit:disclosures", args=[patient.pk]), {"exports": "1"})
    assert {e.action for e in exports.context["page"].object_list} == {Action.EXPORT}


@pytest.mark.parametrize("role_fixture", ["clinician", "nurse", "front_desk"])
def test_only_administrators_see_the_accounting_of_disclosures(client, request, role_fixture, patient):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(reverse("audit:disclosures", args=[patient.pk])).status_code == 403


def test_api_lists_record_every_patient_on_the_page(client, clinician, small_clinic):
    from patients.models import Patient
    from treatment.models import Course

    other = Patient.objects.create(mrn="TP3", given_name="D", family_name="E", birth_date="1970-01-01")
    Course.objects.create(patient=other, clinician=clinician, interval_days=14, diagnosis_code="M79.12")
    from interop.models import ApiToken

    auth = {"Authorization": f"Bearer {ApiToken.issue(clinician, 't')[1]}"}
    since = last_id()
    assert client.get("/api/v1/courses", headers=auth).status_code == 200
    [listed] = new_events(since, action=Action.LIST)
    assert set(listed.disclosures.values_list("patient_id", flat=True)) == {small_clinic["patient"].pk, other.pk}
    since = last_id()
    assert client.get("/api/v1/courses", {"patient": other.pk}, headers=auth).status_code == 200
    [read] = new_events(since)
    assert (read.action, read.patient_id) == (Action.READ, other.pk)
    assert list(read.disclosures.values_list("patient_id", flat=True)) == [other.pk]


def test_a_changed_adverse_event_keeps_its_old_text_in_the_trail(small_clinic, clinician):
    """The attack: a re-import changed an adverse event's action text and the old text was gone."""
    from django.utils import timezone

    from safety.models import AdverseEvent

    adverse = AdverseEvent.objects.create(session=small_clinic["signed"], kind="flare", onset_at=timezone.now(),
                                          severity="mild", action="Ice and rest", recorded_by=clinician)
    since = last_id()
    adverse.action = "Nothing done"
    adverse.save()
    [change] = new_events(since, action=Action.UPDATE, object_type="safety.adverseevent")
    assert (change.before, change.after) == ({"action": "Ice and rest"}, {"action": "Nothing done"})
    assert change.patient_id == small_clinic["patient"].pk
    adverse.save()  # saved unchanged: nothing to record
    assert len(new_events(since, object_type="safety.adverseevent")) == 1
