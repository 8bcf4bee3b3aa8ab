"""Mixtures, lots and the ultrasound still on an injection row: typed in the session form, screened,
carried by "repeat last session" and favourites, and refused with a clear message when wrong."""
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from treatment import workflow
from treatment.models import Injection, InjectionAgent, Session
from treatment.tests.helpers import session_post

PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def mix(slot=1, row=0, **values):
    return {f"injections-{row}-mix{slot}_{name}": str(value) for name, value in values.items()}


def test_a_row_saves_lidocaine_with_bupivacaine_and_a_steroid(clinician_client, course, trigger_points):
    session = Session.objects.create(course=course, clinician=course.clinician)
    data = session_post(session, trigger_points[:1], **{
        **mix(1, agent="bupivacaine", concentration_pct="0.25", volume_ml="2", lot_number="B123",
              lot_expiry=(timezone.localdate() + timedelta(days=90)).isoformat()),
        **mix(2, agent="triamcinolone", dose_mg="20", volume_ml="0.5"),
        "injections-0-lot_number": "L77"})
    response = clinician_client.post(reverse("treatment:session", args=[session.pk]), data)
    assert response.status_code == 302
    [row] = session.injections.all()
    assert row.lot_number == "L77"
    assert [(a.agent, a.concentration_pct, a.volume_ml, a.dose_mg, a.lot_number) for a in row.mixed_agents.all()] == [
        ("bupivacaine", Decimal("0.25"), Decimal("2"), None, "B123"),
        ("triamcinolone", None, Decimal("0.5"), Decimal("20"), "")]
    assert row.describe_mixture() == "Lidocaine 1%, 2.00 mL + Bupivacaine 0.25%, 2.00 mL + Triamcinolone acetonide 20 mg"
    plan = workflow.SessionPlan.of(session)
    assert sorted(p.agent for p in plan.injections) == ["bupivacaine", "lidocaine", "triamcinolone"]
    # the form shows the saved mixture again, and saving it unchanged keeps it
    page = clinician_client.get(reverse("treatment:session", args=[session.pk])).content.decode()
    assert 'value="B123"' in page
    session.refresh_from_db()
    data["version"] = str(session.version)
    data.update({"injections-INITIAL_FORMS": "1", "injections-0-id": str(row.pk)})
    clinician_client.post(reverse("treatment:session", args=[session.pk]), data)
    assert row.mixed_agents.count() == 2


@pytest.mark.parametrize("values, field, message", [
    ({"agent": "triamcinolone"}, "dose_mg", "Enter the corticosteroid dose in mg."),
    ({"agent": "bupivacaine", "volume_ml": "2"}, "concentration_pct", "Enter the concentration"),
    ({"agent": "bupivacaine", "concentration_pct": "0.5"}, "volume_ml", "Enter the volume injected"),
])
def test_an_incomplete_mixed_agent_is_refused_and_nothing_saved(clinician_client, course, trigger_points, values,
                                                                field, message):
    session = Session.objects.create(course=course, clinician=course.clinician)
    response = clinician_client.post(reverse("treatment:session", args=[session.pk]),
                                     session_post(session, trigger_points[:1], **mix(1, **values)))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not session.injections.exists() and not InjectionAgent.objects.exists()


@pytest.mark.parametrize("days, refused", [(-1, True), (0, False), (30, False)])
def test_a_lot_expired_before_the_session_day_is_refused(clinician_client, course, trigger_points, days, refused):
    """Expiring on the session's own day is still in date; the day before is not. Row and mixed agent alike."""
    session = Session.objects.create(course=course, clinician=course.clinician)
    expiry = (timezone.localdate() + timedelta(days=days)).isoformat()
    for extra in ({"injections-0-lot_expiry": expiry},
                  mix(1, agent="bupivacaine", concentration_pct="0.25", volume_ml="1", lot_expiry=expiry)):
        response = clinician_client.post(reverse("treatment:session", args=[session.pk]),
                                         session_post(session, trigger_points[:1], **extra))
        assert (response.status_code == 200) is refused
        assert ("This lot expired on" in response.content.decode()) is refused
        if refused:
            assert not session.injections.exists()
        session.injections.all().delete()
        session.refresh_from_db()


def ultrasound_post(session, trigger_points, upload, guidance="ultrasound"):
    return session_post(session, trigger_points[:1], **{"injections-0-guidance": guidance,
                                                        "injections-0-ultrasound_image": upload})


def test_an_ultrasound_still_is_stored_and_shown_to_the_clinical_team(clinician_client, client, front_desk, course,
                                                                     trigger_points):
    session = Session.objects.create(course=course, clinician=course.clinician)
    upload = SimpleUploadedFile("still.png", PNG_1PX, content_type="image/png")
    response = clinician_client.post(reverse("treatment:session", args=[session.pk]),
                                     ultrasound_post(session, trigger_points, upload))
    assert response.status_code == 302
    [row] = session.injections.all()
    still = clinician_client.get(reverse("treatment:ultrasound_still", args=[row.pk]))
    assert still.status_code == 200 and still["Content-Type"] == "image/png"
    assert b"".join(still.streaming_content) == PNG_1PX
    client.force_login(front_desk)
    assert client.get(reverse("treatment:ultrasound_still", args=[row.pk])).status_code == 403


@pytest.mark.parametrize("name", ["still.jpg", "still", "STILL.PNG"])
def test_a_still_is_served_as_what_its_bytes_are_whatever_its_name(clinician_client, course, trigger_points, name):
    """The upload was accepted for its bytes, so the still is served by them too (a PNG named .jpg is a PNG)."""
    session = Session.objects.create(course=course, clinician=course.clinician)
    upload = SimpleUploadedFile(name, PNG_1PX, content_type="application/octet-stream")
    clinician_client.post(reverse("treatment:session", args=[session.pk]), ultrasound_post(session, trigger_points, upload))
    [row] = session.injections.all()
    still = clinician_client.get(reverse("treatment:ultrasound_still", args=[row.pk]))
    assert still["Content-Type"] == "image/png" and b"".join(still.streaming_content) == PNG_1PX


@pytest.mark.parametrize("name, content, guidance, message", [
    ("still.png", b"%PDF-1.4 not an image", "ultrasound", "must be a PNG or JPEG image"),
    ("still.png", b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024), "ultrasound", "larger than 5 MB"),
    ("still.png", PNG_1PX, "none", "only when the guidance is ultrasound"),
])
def test_a_bad_ultrasound_upload_is_refused_and_nothing_saved(clinician_client, course, trigger_points, name, content,
                                                             guidance, message):
    session = Session.objects.create(course=course, clinician=course.clinician)
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = clinician_client.post(reverse("treatment:session", args=[session.pk]),
                                     ultrasound_post(session, trigger_points, upload, guidance))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not session.injections.exists()


def signed_with_mixture(course, point):
    last = Session.objects.create(course=course, clinician=course.clinician, pain_before=7, pain_after=2,
                                  consent_recorded=True, status=Session.Status.SIGNED,
                                  performed_at=timezone.now() - timedelta(days=14))
    row = Injection.objects.create(session=last, trigger_point=point, volume_ml="2", lot_number="L1")
    row.mixed_agents.create(agent="bupivacaine", concentration_pct="0.25", volume_ml="2", lot_number="B9")
    row.mixed_agents.create(agent="dexamethasone", dose_mg="4")
    return last


def mixture_of(injection):
    return [(a.agent, a.concentration_pct, a.volume_ml, a.dose_mg) for a in injection.mixed_agents.all()]


def test_repeat_last_session_carries_the_mixture_but_not_the_lots(course, trigger_points):
    last = signed_with_mixture(course, trigger_points[0])
    new, _ = workflow.start_session(course, course.clinician, timezone.now(), repeat=True)
    [copied], [original] = new.injections.all(), last.injections.all()
    assert mixture_of(copied) == mixture_of(original)
    assert copied.lot_number == "" and {a.lot_number for a in copied.mixed_agents.all()} == {""}


def test_a_favourite_saves_and_applies_the_mixture(clinician, course, trigger_points):
    last = signed_with_mixture(course, trigger_points[0])
    favourite = workflow.save_favourite(last, clinician, "Lido-bupi-dex")
    assert favourite.items.get().mixture == [
        {"agent": "bupivacaine", "concentration_pct": "0.25", "with_epinephrine": False, "volume_ml": "2.00",
         "dose_mg": None},
        {"agent": "dexamethasone", "concentration_pct": None, "with_epinephrine": False, "volume_ml": None,
         "dose_mg": "4.00"}]
    draft = Session.objects.create(course=course, clinician=clinician)
    workflow.apply_favourite(draft, favourite)
    assert mixture_of(draft.injections.get()) == mixture_of(last.injections.get())


def test_the_favourites_page_lists_each_items_whole_mixture(clinician_client, clinician, course, trigger_points):
    favourite = workflow.save_favourite(signed_with_mixture(course, trigger_points[0]), clinician, "Lido-bupi-dex")
    page = clinician_client.get(reverse("treatment:favourites")).content.decode()
    assert "Lidocaine 1%, 2.00 mL + Bupivacaine 0.25%, 2.00 mL + Dexamethasone sodium phosphate 4 mg · 25 G" in page
    item = favourite.items.get()
    item.mixture = []
    item.save()
    page = clinician_client.get(reverse("treatment:favourites")).content.decode()
    assert "Lidocaine 1%, 2.00 mL ·" in page and "Dexamethasone" not in page


def test_the_screen_adds_up_steroid_over_signed_sessions_and_warns_a_diabetic_patient(course, trigger_points):
    """Dexamethasone 4 mg given 14 days ago (signed) and 4 mg planned today: 8 mg over the past 365 days."""
    signed_with_mixture(course, trigger_points[0])
    draft = Session.objects.create(course=course, clinician=course.clinician, performed_at=timezone.now())
    row = draft.injections.create(trigger_point=trigger_points[0], volume_ml="2")
    row.mixed_agents.create(agent="dexamethasone", dose_mg="4")
    findings = {f.rule: f for f in workflow.check(draft).screen.findings}
    assert findings["steroid-window-total"].params["dexamethasone_mg"] == "8"
    assert findings["steroid-window-total"].params["sessions"] == 1
    assert "steroid-diabetes" not in findings
    patient = course.patient
    patient.diabetes = True
    patient.save()
    draft.refresh_from_db()
    assert "steroid-diabetes" in {f.rule for f in workflow.check(draft).screen.findings}
    Session.objects.exclude(pk=draft.pk).update(status=Session.Status.DRAFT)  # a draft's steroid is not counted
    assert "steroid-window-total" not in {f.rule for f in workflow.check(draft).screen.findings}


def test_the_screen_warns_about_steroid_again_at_the_trigger_point_of_a_signed_session(course, trigger_points):
    """Dexamethasone at this trigger point 14 days ago (signed): steroid there again warns, naming the site and
    day; the same steroid at another trigger point, or anaesthetic alone at this one, does not."""
    signed_with_mixture(course, trigger_points[0])
    draft = Session.objects.create(course=course, clinician=course.clinician, performed_at=timezone.now())
    row = draft.injections.create(trigger_point=trigger_points[0], volume_ml="2")
    row.mixed_agents.create(agent="dexamethasone", dose_mg="4")
    repeat = [f for f in workflow.check(draft).screen.findings if f.rule == "steroid-repeat-site"]
    assert [(f.params["muscle"], f.params["side"]) for f in repeat] == [
        (trigger_points[0].muscle, trigger_points[0].side)]
    row.trigger_point = trigger_points[1]
    row.save()
    assert "steroid-repeat-site" not in {f.rule for f in workflow.check(draft).screen.findings}
    row.trigger_point = trigger_points[0]
    row.save()
    row.mixed_agents.all().delete()
    assert "steroid-repeat-site" not in {f.rule for f in workflow.check(draft).screen.findings}


@pytest.mark.parametrize("days_before, hour, counted", [
    (0, 8, True),        # earlier the same day
    (1, 23, True),
    (364, 0, True),      # the first day of the 365-day window, at midnight
    (365, 23, False),    # the day before it, just before midnight
    (366, 12, False),
    (-1, 9, False),      # a later day is never "past"
])
def test_steroid_history_reads_only_the_window_from_the_database(course, trigger_points, days_before, hour, counted,
                                                                django_assert_max_num_queries):
    today = date(2026, 11, 20)
    then = timezone.make_aware(datetime.combine(today - timedelta(days=days_before), time(hour)))
    signed = Session.objects.create(course=course, clinician=course.clinician, status=Session.Status.SIGNED,
                                    performed_at=then)
    signed.injections.create(trigger_point=trigger_points[0]).mixed_agents.create(agent="triamcinolone", dose_mg="40")
    with django_assert_max_num_queries(2):
        history = workflow.steroid_history(course.patient, today)
    assert [(d.day, d.agent, d.mg) for d in history] == (
        [(today - timedelta(days=days_before), "triamcinolone", Decimal("40"))] if counted else [])


def test_a_row_takes_up_to_four_mixed_agents_and_refuses_a_fifth_keeping_what_was_typed(clinician_client, course,
                                                                                         trigger_points):
    session = Session.objects.create(course=course, clinician=course.clinician)
    four = {k: v for slot in range(1, 5) for k, v in mix(slot, agent="saline", volume_ml=str(slot)).items()}
    data = session_post(session, trigger_points[:1], **four)
    assert clinician_client.post(reverse("treatment:session", args=[session.pk]), data).status_code == 302
    row = session.injections.get()
    assert [a.volume_ml for a in row.mixed_agents.all()] == [Decimal(1), Decimal(2), Decimal(3), Decimal(4)]

    session.refresh_from_db()
    data = session_post(session, trigger_points[:1], **{**four, **mix(5, agent="saline", volume_ml="5"),
                                                         "injections-0-id": str(row.pk), "injections-0-session": str(session.pk),
                                                         "injections-INITIAL_FORMS": "1"})
    response = clinician_client.post(reverse("treatment:session", args=[session.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200 and "One syringe holds at most 5 agents" in page
    assert 'name="injections-0-mix5_volume_ml"' in page and 'value="5"' in page  # the fifth, as typed, is still there
    assert row.mixed_agents.count() == 4


def test_a_posted_row_with_absurdly_many_slots_is_refused_without_building_them(clinician_client, course,
                                                                               trigger_points):
    session = Session.objects.create(course=course, clinician=course.clinician)
    data = session_post(session, trigger_points[:1], **mix(9999, agent="saline", volume_ml="1"))
    response = clinician_client.post(reverse("treatment:session", args=[session.pk]), data)
    assert response.status_code == 200 and "One syringe holds at most 5 agents" in response.content.decode()
    assert not session.injections.exists()
