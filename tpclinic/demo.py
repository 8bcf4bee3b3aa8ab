"""A deterministic demo clinic: the same people, courses and scores every time for a given day.

Dates are laid out relative to `today` so the worklist always shows patients overdue, due and not
yet scheduled; everything else comes from a seeded random generator.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, StaffProfile
from charting.models import TriggerPoint
from patients.models import Allergy, Medication, Patient
from safety import present
from scheduling.models import Appointment, ClinicianSession, ClinicSettings, Room
from treatment.models import Course, Injection, Session

DEMO_PASSWORD = "tpclinic-demo"
# Patients who have a portal login in the demo: English, Spanish and Arabic speakers.
PORTAL_PATIENTS = ["TP10013", "TP10015", "TP10017"]


@dataclass(frozen=True)
class StaffSeed:
    username: str
    first: str
    last: str
    role: str
    credentials: str = ""
    interval: int = 14


STAFF = [
    StaffSeed("dr.ward", "Alice", "Ward", Role.CLINICIAN, "MD, physiatry", 14),
    StaffSeed("dr.okafor", "Chidi", "Okafor", Role.CLINICIAN, "DO, pain medicine", 10),
    StaffSeed("dr.lindqvist", "Maja", "Lindqvist", Role.CLINICIAN, "MD, orthopaedics", 21),
    StaffSeed("nurse.reyes", "Lucía", "Reyes", Role.NURSE, "RN"),
    StaffSeed("frontdesk", "Sam", "Patel", Role.FRONT_DESK),
    StaffSeed("admin", "Jordan", "Baker", Role.ADMIN),
]

GIVEN = ["Ana", "Ben", "Carmen", "David", "Elena", "Farid", "Grace", "Hugo", "Iris", "Jamal", "Keiko", "Luis",
         "Mona", "Nils", "Olga", "Pedro", "Rania", "Sofia", "Tomás", "Uma", "Victor", "Wen", "Yasmin", "Zoe"]
FAMILY = ["Alvarez", "Brennan", "Castillo", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ito", "Jensen",
          "Khalil", "López", "Moreau", "Nakamura", "Okoro", "Petrov", "Quinn", "Rossi", "Schmidt", "Torres"]

# Common trigger point sites: muscle, the region it sits in (with a side unless midline).
SITES = [
    ("upper-trapezius", "neck.angle"), ("levator-scapulae", "neck.angle"), ("infraspinatus", "scapula.body"),
    ("rhomboids", "scapula.medial-border"), ("quadratus-lumborum", "back.lumbar"), ("gluteus-medius", "buttock.upper"),
    ("piriformis", "buttock.lower"), ("splenius-capitis", "neck.back-upper"), ("masseter", "face.jaw"),
    ("gastrocnemius", "leg.calf"), ("supraspinatus", "scapula.upper"), ("iliocostalis-lumborum", "back.lumbar"),
]
DIAGNOSIS_BY_MUSCLE = {"masseter": "M79.11", "upper-trapezius": "M79.12", "levator-scapulae": "M79.12",
                       "splenius-capitis": "M79.12"}


def _stage_plan() -> list[str]:
    return (["new"] * 8 + ["mid"] * 10 + ["responding"] * 8 + ["not-responding"] * 6 + ["finished"] * 6
            + ["no-course"] * 2)


def _place_point(region: str, side: str):
    from charting.forms import centre_of

    shape = centre_of(region, side, None)
    if shape is None:
        return "back", 100.0, 100.0
    return shape.view, shape.centroid_x, shape.centroid_y


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _keep_as_signed(session, clinician) -> None:
    """What signing keeps with a real session: the consent, the screen as shown and the CPT code."""
    from safety.consent import form_for
    from safety.models import ConsentRecord
    from treatment.workflow import check

    text = form_for(session.course.patient.preferred_language)
    consent = ConsentRecord.objects.create(session=session, form_version=text.version, language=text.language,
                                           recorded_by=clinician)
    ConsentRecord.objects.filter(pk=consent.pk).update(recorded_at=session.performed_at - timedelta(minutes=10))
    result = check(session)
    Session.objects.filter(pk=session.pk).update(screen_snapshot=present.snapshot(result), cpt_codes=",".join(result.cpt.codes))


@transaction.atomic
def _clinic_hours(clinicians) -> list[Room]:
    """Weekdays 08:00-18:00; each clinician holds morning sessions (09:00-12:30) on three weekdays."""
    ClinicSettings.current()
    rooms = [Room.objects.create(name=name) for name in ("Room 1", "Room 2", "Chair A")]
    for number, clinician in enumerate(clinicians):
        for weekday in ((0, 2, 4), (1, 3, 4), (0, 1, 3))[number % 3]:
            ClinicianSession.objects.create(clinician=clinician, weekday=weekday, starts_at=time(9),
                                            ends_at=time(12, 30), slot_minutes=30, room=rooms[number % len(rooms)])
    return rooms


def build_demo_clinic(today: date | None = None, seed: int = 2024) -> dict:
    today = today or timezone.localdate()
    rng = random.Random(seed)
    User = get_user_model()
    staff = {}
    for s in STAFF:
        user = User.objects.create_user(
            s.username, password=DEMO_PASSWORD, first_name=s.first, last_name=s.last,
            email=f"{s.username}@demo.tpclinic.invalid", is_staff=s.role == Role.ADMIN,
            is_superuser=s.role == Role.ADMIN,
        )
        StaffProfile.objects.create(user=user, role=s.role, credentials=s.credentials, preferred_interval_days=s.interval)
        staff[s.username] = user
    clinicians = [staff["dr.ward"], staff["dr.okafor"], staff["dr.lindqvist"]]
    rooms = _clinic_hours(clinicians)

    for index, stage in enumerate(_stage_plan()):
        given, family = GIVEN[index % len(GIVEN)], FAMILY[(index * 7) % len(FAMILY)]
        sex = "female" if index % 2 == 0 else "male"
        height = Decimal(rng.randint(152, 172) if sex == "female" else rng.randint(165, 190))
        patient = Patient.objects.create(
            mrn=f"TP{10001 + index}", given_name=given, family_name=family,
            birth_date=date(1940 + rng.randint(0, 62), rng.randint(1, 12), rng.randint(1, 28)), sex=sex,
            height_cm=height, weight_kg=Decimal(rng.randint(50, 105)),
            preferred_language=["en", "en", "es", "en", "ar", "es"][index % 6],
            payer="medicare-uniform-tpi-2024" if index % 5 == 0 else "none",
            payer_name="Medicare" if index % 5 == 0 else ["Blue Plan", "Acme Health", "Self-pay"][index % 3],
            copd=index % 11 == 3, bleeding_disorder=index % 17 == 5, cardiac_disease=index % 13 == 7,
            pregnant=sex == "female" and index % 19 == 8,
        )
        if index % 9 == 2:
            Allergy.objects.create(patient=patient, substance="Procaine", anaesthetic_class="ester", reaction="Hives")
        if index % 12 == 6:
            Allergy.objects.create(patient=patient, substance="Penicillin", reaction="Rash")
        if index % 8 == 4:
            Medication.objects.create(patient=patient, name="Apixaban", kind="anticoagulant")
        if index % 10 == 7:
            Medication.objects.create(patient=patient, name="Aspirin 81 mg", kind="antiplatelet")

        clinician = clinicians[index % 3]
        interval = clinician.staff_profile.preferred_interval_days
        sessions_done = {"new": 0, "mid": 1 + index % 2, "responding": 3 + index % 3, "not-responding": 3,
                         "finished": 3 + index % 2, "no-course": 0}[stage]
        # Work back from a last session placed so some courses are overdue and some due soon.
        last_offset = [interval + 6, interval - 2, interval - 9, 3, interval + 1][index % 5]
        first_day = today - timedelta(days=last_offset + interval * max(sessions_done - 1, 0))
        if stage == "finished":
            first_day -= timedelta(days=60)
        chosen_sites = rng.sample(SITES, k=1 + index % 3)
        points = []
        for muscle, region in chosen_sites:
            side = rng.choice(["left", "right"])
            view, x, y = _place_point(region, side)
            points.append(TriggerPoint.objects.create(
                patient=patient, muscle=muscle, side=side, region=region, region_side=side, view=view, map_x=x,
                map_y=y, taut_band=True, palpable_nodule=rng.random() < 0.7, local_twitch_response=rng.random() < 0.5,
                jump_sign=rng.random() < 0.6, referred_pain_reproduced=rng.random() < 0.8,
                found_on=first_day - timedelta(days=7 if stage != "new" else 0),
                resolved_on=(first_day + timedelta(days=interval * sessions_done)) if stage == "finished" else None,
            ))
        if stage == "no-course":
            continue
        course = Course.objects.create(
            patient=patient, clinician=clinician, interval_days=interval, planned_sessions=4 if stage == "responding" else 3,
            diagnosis_code=DIAGNOSIS_BY_MUSCLE.get(chosen_sites[0][0], "M79.18"),
            goals="Sit at work for an hour without neck pain; sleep through the night.",
            status={"new": Course.Status.PLANNED, "finished": Course.Status.COMPLETED}.get(stage, Course.Status.ACTIVE),
            started_on=first_day if stage != "new" else today + timedelta(days=index % 4),
        )
        baseline = rng.randint(6, 9)
        for number in range(sessions_done):
            if stage in {"responding", "finished"}:
                pain = max(1, round(baseline * (1 - 0.22 * number)))
            elif stage == "not-responding":
                pain = baseline - (1 if number == 2 else 0)
            else:
                pain = baseline - number
            day = first_day + timedelta(days=interval * number)
            session = Session.objects.create(
                course=course, clinician=clinician, performed_at=_at(day, 9 + number % 6), pain_before=pain,
                pain_after=max(0, pain - rng.randint(2, 4)), consent_recorded=True,
                status=Session.Status.SIGNED, signed_at=_at(day, 15), signed_by=clinician,
                notes="Tolerated well. Home stretching reviewed.",
            )
            session.immediate_relief_pct = round((session.pain_before - session.pain_after) * 100 / session.pain_before)
            session.save(update_fields=["immediate_relief_pct"])
            for point in points:
                agent = "bupivacaine" if index % 4 == 1 else "lidocaine"
                Injection.objects.create(
                    session=session, trigger_point=point, agent=agent,
                    concentration_pct=Decimal("0.25") if agent == "bupivacaine" else Decimal("1"),
                    volume_ml=Decimal(rng.choice(["1.0", "1.5", "2.0"])), needle_gauge=25, needle_length_mm=38,
                    technique="fanning", twitch_elicited=rng.random() < 0.6,
                )
            _keep_as_signed(session, clinician)
        course.refresh_schedule()
        if stage == "mid" and index % 3 == 0:  # booked ahead; some of them today, for today's clinic
            day = today + timedelta(days=0 if index % 2 == 0 else 2 + index % 5)
            taken = Appointment.objects.filter(clinician=clinician, start__date=day).count()  # back to back, no clash
            Appointment.objects.create(
                patient=patient, course=course, clinician=clinician, room=rooms[clinicians.index(clinician)],
                start=_at(day, 9) + timedelta(minutes=30 * taken), minutes=30, booked_by=staff["frontdesk"],
            )
    for mrn in PORTAL_PATIENTS:
        patient = Patient.objects.get(mrn=mrn)
        patient.user = User.objects.create_user(
            f"patient.{patient.given_name.lower()}", password=DEMO_PASSWORD, first_name=patient.given_name,
            last_name=patient.family_name,
        )
        patient.save(update_fields=["user"])
    from directory.demo import load_demo_specialists

    load_demo_specialists()
    return {"staff": [s.username for s in STAFF], "patients": Patient.objects.count(), "password": DEMO_PASSWORD}
