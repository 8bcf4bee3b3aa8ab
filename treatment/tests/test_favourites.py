"""Favourites: named injection sets saved from a draft, matched to a patient's charted points when
applied; clinic-wide sets for everyone, personal ones for their owner; and the clinician's defaults."""
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from charting.models import TriggerPoint
from conftest import make_staff
from treatment import workflow
from treatment.models import Injection, InjectionSet, InjectionSetItem, Session
from treatment.tests.helpers import session_post

pytestmark = pytest.mark.django_db


def neck_set(owner=None, clinic_wide=False, name="Neck, left"):
    favourite = InjectionSet.objects.create(name=name, owner=owner, clinic_wide=clinic_wide)
    common = {"agent": "bupivacaine", "concentration_pct": Decimal("0.25"), "needle_gauge": 27,
              "needle_length_mm": 32, "technique": "single", "guidance": "ultrasound"}
    favourite.items.create(muscle="upper-trapezius", side="left", volume_ml=Decimal("2"), **common)
    favourite.items.create(muscle="levator-scapulae", side="left", volume_ml=Decimal("1.5"), **common)
    favourite.items.create(muscle="infraspinatus", side="right", volume_ml=Decimal("3"), **common)
    return favourite


def point(patient, muscle, side, resolved=False):
    return TriggerPoint.objects.create(patient=patient, muscle=muscle, side=side, region="neck.angle",
                                       region_side=side, view="back", map_x=100, map_y=100,
                                       found_on=timezone.localdate(),
                                       resolved_on=timezone.localdate() if resolved else None)


def site(muscle, side):
    """An unsaved item: favourite_rows reads items, saved or not."""
    return InjectionSetItem(muscle=muscle, side=side, agent="lidocaine", concentration_pct=Decimal("1"),
                            volume_ml=Decimal("1"), needle_gauge=25, needle_length_mm=38, technique="fanning",
                            guidance="none")


@pytest.mark.parametrize("sites, points, planned, unknown", [
    ([("upper-trapezius", "left")], [("upper-trapezius", "left", False)], ["upper-trapezius:left"], []),
    # the side matters: a right point does not take a left site
    ([("upper-trapezius", "left")], [("upper-trapezius", "right", False)], [], ["upper-trapezius:left"]),
    # a resolved point is not injected, so its site is reported
    ([("upper-trapezius", "left")], [("upper-trapezius", "left", True)], [], ["upper-trapezius:left"]),
    # two open points in one muscle and side: both get the site's row
    ([("upper-trapezius", "left")], [("upper-trapezius", "left", False)] * 2,
     ["upper-trapezius:left", "upper-trapezius:left"], []),
    # the set's order is kept; a point is planned once even when two items name its site
    ([("levator-scapulae", "left"), ("upper-trapezius", "left"), ("upper-trapezius", "left")],
     [("upper-trapezius", "left", False), ("levator-scapulae", "left", False)],
     ["levator-scapulae:left", "upper-trapezius:left"], []),
    ([], [("upper-trapezius", "left", False)], [], []),
])
def test_favourite_rows_match_sites_to_open_points(patient, sites, points, planned, unknown):
    charted = [point(patient, muscle, side, resolved) for muscle, side, resolved in points]
    result = workflow.favourite_rows([site(*where) for where in sites], charted)
    assert [f"{r['trigger_point'].muscle}:{r['trigger_point'].side}" for r in result.rows] == planned
    assert [f"{i.muscle}:{i.side}" for i in result.unknown] == unknown


def test_applying_a_favourite_from_the_course_page_fills_the_rows_and_reports_unknown_sites(
        clinician_client, clinician, course, trigger_points):
    point(course.patient, "levator-scapulae", "left")
    favourite = neck_set(owner=clinician)
    response = clinician_client.post(reverse("treatment:session_new", args=[course.pk]),
                                     {"favourite": str(favourite.pk)}, follow=True)
    session = Session.objects.get(course=course)
    rows = {(i.trigger_point.muscle, i.volume_ml, i.agent, i.concentration_pct, i.needle_gauge, i.needle_length_mm,
             i.technique, i.guidance) for i in session.injections.select_related("trigger_point")}
    assert rows == {("upper-trapezius", Decimal("2"), "bupivacaine", Decimal("0.25"), 27, 32, "single", "ultrasound"),
                    ("levator-scapulae", Decimal("1.5"), "bupivacaine", Decimal("0.25"), 27, 32, "single",
                     "ultrasound")}
    page = response.content.decode()
    assert "2 injections planned" in page
    assert "Not planned, no open trigger point charted for this patient at: Infraspinatus, right" in page
    assert not TriggerPoint.objects.filter(muscle="infraspinatus").exists()  # reported, never invented


def test_applying_on_a_draft_keeps_what_was_typed_and_adds_rows_after_it(clinician_client, clinician, course,
                                                                         trigger_points):
    point(course.patient, "levator-scapulae", "left")
    session = Session.objects.create(course=course, clinician=clinician)
    favourite = neck_set(owner=clinician)
    data = session_post(session, trigger_points[:1], pain_before="6", apply_favourite=str(favourite.pk))
    clinician_client.post(reverse("treatment:session", args=[session.pk]), data)
    session.refresh_from_db()
    assert session.pain_before == 6
    by_muscle = {i.trigger_point.muscle: i for i in session.injections.select_related("trigger_point")}
    assert by_muscle["upper-trapezius"].agent == "lidocaine"  # the typed row stays as typed
    assert by_muscle["levator-scapulae"].agent == "bupivacaine"
    assert len(by_muscle) == 2


def test_saving_a_favourite_keeps_sites_as_muscle_and_side(clinician_client, clinician, course, trigger_points):
    session = Session.objects.create(course=course, clinician=clinician)
    data = session_post(session, trigger_points, save_favourite="", favourite_name="  Shoulder pair ")
    clinician_client.post(reverse("treatment:session", args=[session.pk]), data)
    favourite = InjectionSet.objects.get()
    assert (favourite.name, favourite.owner, favourite.clinic_wide) == ("Shoulder pair", clinician, False)
    assert sorted((i.muscle, i.side, i.volume_ml) for i in favourite.items.all()) == [
        ("gluteus-medius", "right", Decimal("2")), ("upper-trapezius", "left", Decimal("2"))]


def test_a_favourite_needs_a_name_and_nothing_is_saved_without_one(clinician_client, clinician, course,
                                                                   trigger_points):
    session = Session.objects.create(course=course, clinician=clinician)
    data = session_post(session, trigger_points, save_favourite="", favourite_name=" ")
    response = clinician_client.post(reverse("treatment:session", args=[session.pk]), data)
    assert response.status_code == 200 and "Name the favourite" in response.content.decode()
    assert not InjectionSet.objects.exists() and not session.injections.exists()


def test_a_clinic_wide_set_is_visible_to_every_clinician_a_personal_one_only_to_its_owner(
        client, django_user_model, clinician, course, trigger_points):
    other = make_staff(django_user_model, "other", Role.CLINICIAN)
    clinic = neck_set(clinic_wide=True, name="Clinic neck")
    mine = neck_set(owner=clinician, name="Alice's neck")
    assert set(InjectionSet.objects.visible_to(clinician)) == {clinic, mine}
    assert set(InjectionSet.objects.visible_to(other)) == {clinic}

    client.force_login(other)
    page = client.get(reverse("treatment:course", args=[course.pk])).content.decode()
    assert "Apply favourite: Clinic neck" in page and "neck" not in page.replace("Clinic neck", "")
    # Another clinician's personal set cannot be applied by posting its id, nor deleted.
    response = client.post(reverse("treatment:session_new", args=[course.pk]), {"favourite": str(mine.pk)},
                           follow=True)
    assert "not yours" in response.content.decode() and not Session.objects.exists()
    client.post(reverse("treatment:favourites"), {"delete": str(mine.pk)})
    client.post(reverse("treatment:favourites"), {"delete": str(clinic.pk)})
    assert InjectionSet.objects.count() == 2


def test_the_owner_deletes_a_personal_favourite(clinician_client, clinician):
    mine = neck_set(owner=clinician)
    assert "Neck, left" in clinician_client.get(reverse("treatment:favourites")).content.decode()
    clinician_client.post(reverse("treatment:favourites"), {"delete": str(mine.pk)})
    assert not InjectionSet.objects.exists()


@pytest.mark.parametrize("agent, needle, expected", [
    ("", "", {"agent": "lidocaine", "needle_gauge": 25, "needle_length_mm": 38}),  # the model's defaults
    ("bupivacaine", "27-32", {"agent": "bupivacaine", "needle_gauge": 27, "needle_length_mm": 32}),
    ("saline", "", {"agent": "saline", "needle_gauge": 25, "needle_length_mm": 38}),
])
def test_the_clinicians_defaults_prefill_new_rows(clinician_client, clinician, course, agent, needle, expected):
    profile = clinician.staff_profile
    profile.default_agent, profile.default_needle = agent, needle
    profile.save()
    session = Session.objects.create(course=course, clinician=clinician)
    form = clinician_client.get(reverse("treatment:session", args=[session.pk])).context["formset"].empty_form
    assert {name: form[name].value() for name in expected} == expected


def test_a_repeat_keeps_the_last_sessions_values_over_the_defaults(clinician, course, trigger_points):
    profile = clinician.staff_profile
    profile.default_agent, profile.default_needle = "bupivacaine", "22-64"
    profile.save()
    last = Session.objects.create(course=course, clinician=clinician, status=Session.Status.SIGNED,
                                  performed_at=timezone.now() - timezone.timedelta(days=14))
    Injection.objects.create(session=last, trigger_point=trigger_points[0], agent="lidocaine", needle_gauge=25)
    draft, _ = workflow.start_session(course, clinician, timezone.now(), repeat=True)
    assert [(i.agent, i.needle_gauge) for i in draft.injections.all()] == [("lidocaine", 25)]


def test_an_administrator_adds_a_clinic_wide_set_in_the_admin_site(client, django_user_model, clinician):
    root = django_user_model.objects.create_superuser("root", password="x" * 12)
    client.force_login(root)
    data = {"name": "Clinic low back", "clinic_wide": "on", "owner": "",
            "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0",
            "items-0-muscle": "quadratus-lumborum", "items-0-side": "right", "items-0-agent": "lidocaine",
            "items-0-concentration_pct": "1", "items-0-volume_ml": "3", "items-0-needle_gauge": "22",
            "items-0-needle_length_mm": "64", "items-0-technique": "fanning", "items-0-guidance": "none"}
    response = client.post(reverse("admin:treatment_injectionset_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    added = InjectionSet.objects.get()
    assert list(InjectionSet.objects.visible_to(clinician)) == [added]
    assert [(i.muscle, i.side) for i in added.items.all()] == [("quadratus-lumborum", "right")]
