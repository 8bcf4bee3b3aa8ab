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
from treatment import recall, views
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


@pytest.mark.parametrize("number, mrns", [("1", ["TP0001"]), ("2", ["TP0002"]), ("3", ["TP0001"]),
                                          ("99", ["TP0001"]), ("x", ["TP0001"])])  # past the end: the last; not a number: the first
def test_a_page_lists_its_uses_and_its_audit_event_names_only_the_patients_on_it(clinician_client, uses, monkeypatch,
                                                                                number, mrns):
    monkeypatch.setattr(views, "LOT_PAGE_SIZE", 1)
    response = clinician_client.get(URL, {"lot": "L42", "page": number})
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 uses of lot L42" in page  # the heading counts the whole lot
    assert [mrn for mrn in ("TP0001", "TP0002") if mrn in page] == mrns
    event = AuditEvent.objects.get(action=Action.LIST, object_type="treatment.lot")
    shown = {"TP0001": uses["maria"].pk, "TP0002": uses["ann"].pk}
    assert list(event.disclosures.values_list("patient_id", flat=True)) == [shown[m] for m in mrns]
    assert "of 3 uses" in event.detail and "page " in event.detail


def test_the_pages_link_to_each_other_keeping_the_search_and_the_csv_stays_whole(clinician_client, uses, monkeypatch):
    monkeypatch.setattr(views, "LOT_PAGE_SIZE", 2)
    first = clinician_client.get(URL, {"lot": "L42", "agent": ""}).content.decode()
    assert 'aria-label="Pages"' in first and "Page 1 of 2" in first
    assert 'href="?lot=L42&amp;agent=&amp;page=2" rel="next"' in first and 'rel="prev"' not in first
    assert "Uses 1–2 of 3 on this page; the CSV holds them all." in first
    second = clinician_client.get(URL, {"lot": "L42", "agent": "", "page": "2"}).content.decode()
    assert 'href="?lot=L42&amp;agent=&amp;page=1" rel="prev"' in second and 'rel="next"' not in second
    assert 'href="?lot=L42&amp;agent=&amp;format=csv"' in second  # the download is of the whole lot, not the page
    rows = list(csv.DictReader(io.StringIO(clinician_client.get(
        URL, {"lot": "L42", "agent": "", "page": "2", "format": "csv"}).content.decode())))
    assert [r["mrn"] for r in rows] == ["TP0001", "TP0002", "TP0001"]
    export = AuditEvent.objects.get(action=Action.EXPORT, object_type="treatment.lot")
    assert set(export.disclosures.values_list("patient_id", flat=True)) == {uses["maria"].pk, uses["ann"].pk}


def test_one_page_needs_no_page_links(clinician_client, uses):
    page = clinician_client.get(URL, {"lot": "L42"}).content.decode()
    assert 'aria-label="Pages"' not in page and "on this page" not in page


def test_a_page_reads_only_its_own_rows_from_the_database(uses):
    """The page is a LIMIT/OFFSET of one UNION of rows and mixed agents, in the report's order."""
    from django.core.paginator import Paginator

    pages = Paginator(recall.lot_uses("L42"), 2)
    assert pages.count == 3
    assert [recall.as_use(row).mrn for number in pages.page_range for row in pages.page(number).object_list] == [
        use.mrn for use in recall.sessions_by_lot("L42")]
    assert "LIMIT" in str(pages.page(2).object_list.query).upper()
