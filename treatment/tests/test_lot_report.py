"""Sessions by lot (a recall): every session that used a lot, on its own row or mixed, with a CSV and
an audit event naming the patients shown."""
import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from charting.models import TriggerPoint
from patients.models import Patient
from treatment import recall
from treatment.models import Course, Session

URL = reverse("treatment:lot_report")


@pytest.fixture
def uses(course, trigger_points, django_user_model):
    """Lot L42 given to Maria on her own row (signed, 10 days ago) and mixed in as bupivacaine (a draft
    today); another patient got lot L42 of triamcinolone; a third patient got only lot L43."""
    signed = Session.objects.create(course=course, clinician=course.clinician, status=Session.Status.SIGNED,
                                    performed_at=timezone.now() - timedelta(days=10))
    signed.injections.create(trigger_point=trigger_points[0], lot_number="L42", lot_expiry=date(2030, 1, 31))
    draft = Session.objects.create(course=course, clinician=course.clinician)
    row = draft.injections.create(trigger_point=trigger_points[1], lot_number="OTHER")
    row.mixed_agents.create(agent="bupivacaine", concentration_pct="0.25", volume_ml="2", lot_number="l42")
    other = Patient.objects.create(mrn="TP0002", given_name="Ann", family_name="Berg", birth_date=date(1970, 1, 1),
                                   sex="female")
    point = TriggerPoint.objects.create(patient=other, muscle="upper-trapezius", side="right", region="neck.angle",
                                        region_side="right", view="back", map_x=10, map_y=10,
                                        found_on=timezone.localdate())
    other_session = Session.objects.create(
        course=Course.objects.create(patient=other, clinician=course.clinician, interval_days=14),
        clinician=course.clinician, performed_at=timezone.now() - timedelta(days=3))
    other_row = other_session.injections.create(trigger_point=point)
    other_row.mixed_agents.create(agent="triamcinolone", dose_mg="20", lot_number="L42")
    third = Patient.objects.create(mrn="TP0003", given_name="Bo", family_name="Chen", birth_date=date(1960, 1, 1),
                                   sex="male")
    Course.objects.create(patient=third, clinician=course.clinician, interval_days=14)
    return {"maria": course.patient, "ann": other, "third": third}


@pytest.mark.parametrize("lot, agent, expected", [
    ("L42", "", [("TP0001", "Lidocaine"), ("TP0002", "Triamcinolone acetonide"), ("TP0001", "Bupivacaine")]),
    (" l42 ", "", [("TP0001", "Lidocaine"), ("TP0002", "Triamcinolone acetonide"), ("TP0001", "Bupivacaine")]),
    ("L42", "triamcinolone", [("TP0002", "Triamcinolone acetonide")]),
    ("L42", "lidocaine", [("TP0001", "Lidocaine")]),
    ("L4", "", []),  # a lot is matched whole, never by prefix
    ("L43", "", []),
])
def test_the_report_finds_every_use_of_a_lot_own_or_mixed(uses, lot, agent, expected):
    found = recall.sessions_by_lot(lot.strip(), agent)
    assert [(u.mrn, u.agent) for u in found] == expected


def test_the_page_lists_patient_date_clinician_agent_site_and_expiry_and_audits_the_patients(
        clinician_client, uses):
    response = clinician_client.get(URL, {"lot": "L42"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 uses of lot L42" in page
    for text in ("Maria Lopez", "Ann Berg", "Alice Ward", "Bupivacaine", "Triamcinolone acetonide",
                 "Trapezius (upper fibres), left", "Jan. 31, 2030", "Draft", "Signed"):
        assert text in page, text
    assert "Bo Chen" not in page
    event = AuditEvent.objects.filter(action=Action.LIST, object_type="treatment.lot").get()
    assert event.object_id == "L42" and "sessions by lot L42" in event.detail
    assert set(event.disclosures.values_list("patient_id", flat=True)) == {uses["maria"].pk, uses["ann"].pk}


def test_the_csv_has_a_row_per_use_and_is_an_audited_export(clinician_client, uses):
    response = clinician_client.get(URL, {"lot": "L42", "agent": "triamcinolone", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["patient"], r["mrn"], r["agent"], r["lot"], r["status"]) for r in rows] == [
        ("Ann Berg", "TP0002", "Triamcinolone acetonide", "L42", "draft")]
    assert rows[0]["date"] == timezone.localdate(timezone.now() - timedelta(days=3)).isoformat()
    event = AuditEvent.objects.get(action=Action.EXPORT, object_type="treatment.lot")
    assert list(event.disclosures.values_list("patient_id", flat=True)) == [uses["ann"].pk]
    assert "as CSV" in event.detail


@pytest.mark.parametrize("query, message", [
    ({"lot": ""}, "Enter the lot number printed on the vial."),
    ({"lot": "   "}, "Enter the lot number printed on the vial."),
    ({"lot": "X" * 41}, "Ensure this value has at most 40 characters"),
    ({"lot": "L42", "agent": "aspirin"}, "Select a valid choice"),
])
def test_bad_input_gets_a_clear_message_and_shows_no_patient(clinician_client, uses, query, message):
    response = clinician_client.get(URL, {**query, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert message in page and "Maria Lopez" not in page
    assert not AuditEvent.objects.filter(object_type="treatment.lot").exists()


def test_an_unknown_lot_says_so_and_discloses_nobody(clinician_client, uses):
    page = clinician_client.get(URL, {"lot": "NOPE"}).content.decode()
    assert "No session recorded lot NOPE" in page
    event = AuditEvent.objects.get(object_type="treatment.lot")
    assert not event.disclosures.exists()


def test_the_empty_page_asks_for_a_lot_without_an_error(clinician_client):
    page = clinician_client.get(URL).content.decode()
    assert 'name="lot"' in page and "Enter the lot number" not in page


@pytest.mark.parametrize("who, status", [("nurse", 403), ("front_desk", 403), ("administrator", 200)])
def test_only_clinicians_and_administrators_see_it(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL, {"lot": "L42"}).status_code == status


@pytest.mark.parametrize("who, linked", [("clinician", True), ("nurse", False)])
def test_the_adverse_events_page_links_to_it_for_those_who_may_use_it(client, request, who, linked):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("safety:adverse_event_report")).content.decode()
    assert (URL in page) is linked
