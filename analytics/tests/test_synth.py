"""The synthetic clinic: deterministic, stored exactly as generated, and clinically plausible."""
from datetime import date
from io import StringIO
from statistics import mean

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from analytics import synth
from safety.models import AdverseEvent
from treatment import course_rules
from treatment.models import Course, Injection, Session

TODAY = date(2026, 3, 2)
# The fingerprint of seed 5 with 50 patients around TODAY. It must be the same on SQLite and
# PostgreSQL and from run to run; change it only when the generator is meant to change.
GOLDEN_SEED_5 = "92b07d989ed44039"


def fingerprint_of(seed: int, patients: int = 50) -> str:
    """Build a clinic, fingerprint it, and roll it back so the next build starts from the same state."""
    with transaction.atomic():
        synth.synthesize(patients, seed=seed, today=TODAY)
        found = synth.fingerprint(seed)
        transaction.set_rollback(True)
    return found


@pytest.mark.django_db
def test_same_seed_same_clinic_other_seed_other_clinic():
    first = fingerprint_of(5)
    assert fingerprint_of(5) == first
    assert fingerprint_of(6) != first


@pytest.mark.django_db
def test_fingerprint_is_the_same_on_every_database():
    assert fingerprint_of(5) == GOLDEN_SEED_5


@pytest.mark.django_db
def test_loading_the_same_seed_twice_is_refused():
    synth.synthesize(3, seed=9, today=TODAY)
    with pytest.raises(synth.SynthError):
        synth.synthesize(3, seed=9, today=TODAY)


@pytest.fixture
def clinic(db):
    result = synth.synthesize(80, seed=11, today=TODAY)
    return result


def test_stored_schedule_is_what_refresh_schedule_computes(clinic):
    """next_due_on (and sessions_done) written in bulk equal Course.refresh_schedule() for every course."""
    for course in Course.objects.all():
        stored = (course.next_due_on, getattr(course, "sessions_done", None))
        course.refresh_schedule(save=False)
        assert (course.next_due_on, getattr(course, "sessions_done", None)) == stored, course.pk


def test_about_ten_sessions_per_patient_and_one_to_three_injections(clinic):
    signed = Session.objects.filter(status=Session.Status.SIGNED)
    assert 6 <= signed.count() / 80 <= 14
    per_session = list(signed.annotate(n=Count("injections")).values_list("n", flat=True))
    assert min(per_session) >= 1 and max(per_session) <= 3
    assert 1.2 <= mean(per_session) <= 2.4
    assert not Session.objects.filter(status=Session.Status.DRAFT, pain_before__isnull=False).exists()


def test_some_respond_by_the_third_session_and_some_do_not(clinic):
    verdicts = [c.response().response for c in Course.objects.prefetch_related("sessions")]
    judged = [v for v in verdicts if v not in {course_rules.Response.NO_DATA, course_rules.Response.TOO_EARLY}]
    responding = [v for v in judged if v in {course_rules.Response.RESPONDING, course_rules.Response.SUBSTANTIAL}]
    assert 0.4 <= len(responding) / len(judged) <= 0.85
    assert course_rules.Response.NOT_RESPONDING in judged


def test_open_courses_include_overdue_and_upcoming(clinic):
    open_courses = Course.objects.filter(status__in=[Course.Status.ACTIVE, Course.Status.PLANNED])
    assert open_courses.filter(next_due_on__lt=TODAY).exists()
    assert open_courses.filter(next_due_on__gte=TODAY).exists()


@pytest.mark.django_db
def test_adverse_event_rates_are_plausible():
    """Generated (not stored) for 3,000 patients: enough injections to see the assumed rates."""
    generator = synth.Generator(3, TODAY, synth.ensure_clinicians(), diary=None)
    rows = generator.batch(0, 3000)
    injections = len(rows[Injection])
    kinds = {}
    for event in rows[AdverseEvent]:
        kinds[event["kind"]] = kinds.get(event["kind"], 0) + 1
    per_1000 = {kind: 1000 * n / injections for kind, n in kinds.items()}
    assert 15 <= per_1000["flare"] <= 40
    assert 2 <= per_1000.get("vasovagal", 0) + per_1000.get("bleeding", 0) <= 15
    assert per_1000.get("pneumothorax", 0) <= 1.5 and per_1000.get("infection", 0) <= 1.5
    assert all(event["injection_id"] is not None for event in rows[AdverseEvent])


def test_diary_entries_when_the_portal_has_them(clinic):
    DiaryEntry = synth.diary_model()
    if DiaryEntry is None:
        pytest.skip("portal.DiaryEntry is not installed")
    entries = DiaryEntry.objects.all()
    assert entries.exists()
    assert not entries.filter(day__gt=TODAY).exists()
    assert set(entries.values_list("pain", flat=True)) <= set(range(11))


@pytest.mark.django_db
def test_command_prints_counts_and_fingerprint():
    out, err = StringIO(), StringIO()
    call_command("synth", patients=5, seed=21, today=TODAY, fingerprint=True, stdout=out, stderr=err)
    assert "Patient 5" in out.getvalue()
    assert "Fingerprint: " + synth.fingerprint(21) in out.getvalue()
    assert "Analytics summary recomputed" in out.getvalue()


@pytest.mark.django_db
def test_new_records_get_fresh_ids_after_synth(patient):
    """synth chose ids itself; the database's own id counters (PostgreSQL sequences) moved past them."""
    synth.synthesize(3, seed=12, today=TODAY)
    course = Course.objects.create(patient=patient, clinician=Course.objects.first().clinician, interval_days=14)
    session = Session.objects.create(course=course, clinician=course.clinician)
    assert session.pk > Session.objects.exclude(pk=session.pk).order_by("-pk").first().pk


@pytest.mark.django_db
def test_booked_next_sessions_are_appointments_not_draft_sessions():
    """The synthetic clinic books the way the front desk does (issue 14): no future draft sessions."""
    from django.utils import timezone

    from scheduling.models import Appointment

    synth.synthesize(60, seed=12, today=TODAY)
    booked = Appointment.objects.filter(patient__mrn__startswith=synth.mrn_prefix(12))
    assert booked.exists() and all(a.status == Appointment.Status.BOOKED and a.course.is_open for a in booked)
    assert not Session.objects.filter(course__patient__mrn__startswith=synth.mrn_prefix(12),
                                      status=Session.Status.DRAFT).exists()
    assert all(timezone.localdate(a.start) >= TODAY for a in booked)
