from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from treatment.models import Course, Injection, Session
from treatment.tests.helpers import session_post
from tpclinic import dates

pytestmark = pytest.mark.django_db


def test_course_takes_the_clinicians_preferred_interval(clinician_client, clinician, patient):
    clinician.staff_profile.preferred_interval_days = 21
    clinician.staff_profile.save()
    response = clinician_client.post(reverse("treatment:course_new", args=[patient.pk]), {
        "diagnosis_code": "M79.18", "clinician": clinician.pk, "interval_days": "", "planned_sessions": "3",
        "started_on": timezone.localdate().isoformat(), "goals": "", "status": "active",
    })
    assert response.status_code == 302, response.content.decode()
    assert Course.objects.get().interval_days == 21


def test_course_refuses_a_non_billable_diagnosis(clinician_client, clinician, patient):
    response = clinician_client.post(reverse("treatment:course_new", args=[patient.pk]), {
        "diagnosis_code": "M79.1", "clinician": clinician.pk, "interval_days": "14", "planned_sessions": "3",
        "started_on": timezone.localdate().isoformat(), "status": "active",
    })
    assert response.status_code == 200
    assert "M79.18" in response.content.decode()
    assert not Course.objects.exists()


def test_record_and_sign_a_session_with_two_injections(clinician_client, course, trigger_points):
    response = clinician_client.post(reverse("treatment:session_new", args=[course.pk]))
    session = Session.objects.get()
    assert response["Location"] == reverse("treatment:session", args=[session.pk])
    clinician_client.post(reverse("safety:consent", args=[session.pk]))
    response = clinician_client.post(reverse("treatment:session", args=[session.pk]),
                                     session_post(session, trigger_points, sign="1"))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.is_signed and session.immediate_relief_pct == 57
    assert Injection.objects.filter(session=session).count() == 2
    page = clinician_client.get(reverse("treatment:course", args=[course.pk])).content.decode()
    due = dates.long_date(timezone.localtime(session.performed_at).date() + timedelta(days=14))
    assert due in page and "Too early to judge" in page


def test_a_signed_session_is_read_only(clinician_client, course, trigger_points):
    session = Session.objects.create(course=course, clinician=course.clinician, pain_before=5, pain_after=2,
                                     consent_recorded=True, status=Session.Status.SIGNED)
    response = clinician_client.post(reverse("treatment:session", args=[session.pk]),
                                     session_post(session, trigger_points, pain_before="1"))
    assert response.status_code == 405
    session.refresh_from_db()
    assert session.pain_before == 5 and not session.injections.exists()


def test_signing_needs_consent_pain_scores_and_an_injection(clinician_client, course, trigger_points):
    session = Session.objects.create(course=course, clinician=course.clinician)
    response = clinician_client.post(reverse("treatment:session", args=[session.pk]),
                                     session_post(session, trigger_points, sign="1"), follow=True)
    session.refresh_from_db()
    assert not session.is_signed
    assert "Record the patient&#x27;s consent" in response.content.decode()
    assert session.injections.count() == 2  # the draft itself was kept


def test_a_stale_draft_save_is_refused_and_the_other_version_kept(clinician_client, course, trigger_points):
    session = Session.objects.create(course=course, clinician=course.clinician, notes="first")
    stale_version = session.version
    Session.objects.filter(pk=session.pk).update(version=stale_version + 1, notes="saved by a colleague")
    response = clinician_client.post(reverse("treatment:session", args=[session.pk]),
                                     session_post(session, trigger_points, version=str(stale_version), notes="mine"),
                                     follow=True)
    session.refresh_from_db()
    assert session.notes == "saved by a colleague"
    page = response.content.decode()
    assert "changed since you read it" in page and "saved by a colleague" in page  # what differs is named
    assert "\nmine</textarea>" in page  # what they typed is still on the page
    assert f'name="version" value="{session.version}"' in page  # saving again is a deliberate overwrite


def test_front_desk_sees_the_worklist_but_cannot_chart_or_record(client, front_desk, course, patient):
    client.force_login(front_desk)
    assert client.get(reverse("treatment:worklist") + "?clinician=all").status_code == 200
    assert client.get(reverse("charting:new", args=[patient.pk])).status_code == 403
    assert client.post(reverse("treatment:session_new", args=[course.pk])).status_code == 403
    assert not Session.objects.exists()


def test_nurse_can_prepare_but_not_sign(client, nurse, course, trigger_points):
    client.force_login(nurse)
    client.post(reverse("treatment:session_new", args=[course.pk]))
    session = Session.objects.get()
    client.post(reverse("safety:consent", args=[session.pk]))
    client.post(reverse("treatment:session", args=[session.pk]), session_post(session, trigger_points, sign="1"))
    session.refresh_from_db()
    assert not session.is_signed and session.pain_before == 7


def test_worklist_buckets(clinician_client, clinician, patient, course, trigger_points):
    Session.objects.create(course=course, clinician=clinician, status=Session.Status.SIGNED, pain_before=6,
                           pain_after=2, performed_at=timezone.now() - timedelta(days=20))
    body = clinician_client.get(reverse("treatment:worklist")).content.decode()
    assert "Overdue" in body and "Lopez" in body


def test_worklist_counts_match_the_row_statuses(clinician_client, clinician, patient, trigger_points):
    """Overdue excludes courses already booked and courses whose planned sessions are all done."""
    from conftest import make_appointment
    from patients.models import Patient

    now = timezone.now()

    def course_with(sessions_ago, planned=3, booked=False):
        other = Patient.objects.create(mrn=f"TPW{Course.objects.count()}", given_name="W", family_name="Test",
                                       birth_date="1970-01-01")
        course = Course.objects.create(patient=other, clinician=clinician, interval_days=14, planned_sessions=planned)
        for days in sessions_ago:
            Session.objects.create(course=course, clinician=clinician, status=Session.Status.SIGNED, pain_before=5,
                                   performed_at=now - timedelta(days=days))
        if booked:  # an appointment booked (scheduling), not a future draft session
            make_appointment(course, days_ahead=2)
        course.refresh_schedule()
        return course

    course_with([30])                      # overdue
    course_with([30], booked=True)         # scheduled, not overdue
    course_with([60, 45, 30], planned=3)   # all planned sessions done
    course_with([10])                      # due this week
    course_with([])                        # not yet scheduled
    response = clinician_client.get(reverse("treatment:worklist"))
    assert response.context["counts"] == {"overdue": 1, "due": 1, "not_scheduled": 1}
    statuses = sorted(row["status"].value for row in response.context["rows"])
    assert statuses == sorted(["complete", "due", "overdue", "scheduled", "not-scheduled"])


def test_repeat_last_session_starts_from_its_injections_with_todays_facts_blank(clinician_client, course,
                                                                                trigger_points):
    last = Session.objects.create(course=course, clinician=course.clinician, pain_before=7, pain_after=2,
                                  consent_recorded=True, notes="Tolerated well", status=Session.Status.SIGNED,
                                  performed_at=timezone.now() - timedelta(days=14))
    Injection.objects.create(session=last, trigger_point=trigger_points[0], agent="bupivacaine",
                             concentration_pct="0.25", volume_ml="3", needle_gauge=27, guidance="ultrasound")
    Injection.objects.create(session=last, trigger_point=trigger_points[1], volume_ml="1")
    trigger_points[1].resolved_on = timezone.localdate()
    trigger_points[1].save()
    response = clinician_client.post(reverse("treatment:session_new", args=[course.pk]), {"repeat": "1"}, follow=True)
    new = Session.objects.exclude(pk=last.pk).get()
    assert (new.pain_before, new.pain_after, new.consent_recorded, new.notes, new.status) == (None, None, False, "",
                                                                                             "draft")
    [copied] = new.injections.all()
    assert (copied.trigger_point, copied.agent, copied.concentration_pct, copied.volume_ml, copied.needle_gauge,
            copied.guidance) == (trigger_points[0], "bupivacaine", Decimal("0.25"), Decimal("3"), 27, "ultrasound")
    assert "resolved since the last session" in response.content.decode()
    assert last.injections.count() == 2  # the signed session is untouched


def test_a_plain_new_session_starts_empty(clinician_client, course):
    clinician_client.post(reverse("treatment:session_new", args=[course.pk]))
    assert not Session.objects.get().injections.exists()
