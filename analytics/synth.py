"""A synthetic clinic at scale: `tpclinic synth --patients N [--seed S] [--today YYYY-MM-DD]`.

Why: outcome analytics, the worklist and the benchmarks must be tried on a clinic the size of a
real one (100,000 patients, about a million sessions), and tests need the same small clinic every
time. Everything comes from one seeded generator per patient, laid out around `today`, so a seed
and a day always give the same clinic (checked by `fingerprint()`), on SQLite and PostgreSQL.

The rates and effects are assumptions, written down in analytics/synth_rates.py.

Speed (100,000 patients in about two to three minutes on 2 cores): rows are built in memory as
plain dicts for a batch of 1,000 patients, with ids taken from a counter so children can point at
parents before anything is written; each batch is written in one transaction, table by table
(analytics/bulkwrite.py: one prepared INSERT on SQLite, COPY on PostgreSQL, bulk_create
elsewhere). On SQLite the commits do not wait for the disk while synth runs. `next_due_on` and
`sessions_done` are computed here with course_rules.next_due, as Course.refresh_schedule() would,
without a query per course. Run it on a database nobody else is writing to at the same time.
"""
from __future__ import annotations

import hashlib
import random
import time as clock
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal
from itertools import accumulate

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Role, StaffProfile
from analytics import bulkwrite
from analytics import synth_rates as R
from anatomy import bodymap, vocabulary
from charting.models import TriggerPoint
from patients.models import Allergy, Medication, Patient
from referral.models import PainDrawing
from safety.models import AdverseEvent, ConsentRecord
from scheduling.models import Appointment
from treatment import course_rules
from treatment.models import Course, Injection, Session

GIVEN = ["Ana", "Ben", "Carmen", "David", "Elena", "Farid", "Grace", "Hugo", "Iris", "Jamal", "Keiko", "Luis",
         "Mona", "Nils", "Olga", "Pedro", "Rania", "Sofia", "Tomás", "Uma", "Victor", "Wen", "Yasmin", "Zoe",
         "Amir", "Beatriz", "Chen", "Dana", "Emeka", "Fatima", "Gustavo", "Hana", "Ivan", "Julia", "Kofi", "Lena"]
FAMILY = ["Alvarez", "Brennan", "Castillo", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ito", "Jensen",
          "Khalil", "López", "Moreau", "Nakamura", "Okoro", "Petrov", "Quinn", "Rossi", "Schmidt", "Torres",
          "Usman", "Varga", "Walsh", "Xu", "Yilmaz", "Zhang", "Abebe", "Novak", "Silva", "Kowalski"]
LANGUAGES = ["en"] * 14 + ["es"] * 4 + ["ar"]
GOALS = ["Sit at work for an hour without neck pain.", "Sleep through the night.", "Walk the dog for 30 minutes.",
         "Lift my grandchild without pain.", "Drive for an hour without stopping.", "Return to weekly tennis."]
CONSENT_FORM = "tpi-consent-synthetic"
BASELINE_PAIN = {4: 5, 5: 10, 6: 18, 7: 25, 8: 24, 9: 12, 10: 6}


class SynthError(Exception):
    """The database cannot take this synthetic clinic (e.g. the seed was already loaded)."""


@dataclass(frozen=True)
class Clinician:
    user: object
    interval: int
    effect: float


def _weighted(table):
    """(values, cumulative weights) for rng.choices: built once, reused for every draw."""
    values = list(table.keys()) if isinstance(table, dict) else [row[0] for row in table]
    weights = list(table.values()) if isinstance(table, dict) else [row[1] for row in table]
    return values, list(accumulate(weights))


def diary_model():
    """portal.DiaryEntry when the portal app and its table exist; synth skips diaries otherwise."""
    if not apps.is_installed("portal"):
        return None
    try:
        from portal.models import DiaryEntry
    except ImportError:
        return None
    if DiaryEntry._meta.db_table not in connection.introspection.table_names():
        return None
    return DiaryEntry


def ensure_clinicians() -> list[Clinician]:
    """The synthetic clinicians (created once, reused by later runs), each with their own interval."""
    User = get_user_model()
    found = []
    for username, first, last, credentials, interval, effect in R.CLINICIANS:
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        StaffProfile.objects.get_or_create(user=user, defaults={
            "role": Role.CLINICIAN, "credentials": credentials, "preferred_interval_days": interval,
        })
        found.append(Clinician(user, interval, effect))
    return found


def mrn_prefix(seed: int) -> str:
    return f"S{seed}-"


@contextmanager
def _fast_sqlite():
    """On SQLite, do not wait for the disk on commit while synth runs (only outside a transaction:
    SQLite refuses to change these inside one, e.g. in tests)."""
    fast = connection.vendor == "sqlite" and not connection.in_atomic_block
    if fast:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")
            cursor.execute("PRAGMA temp_store=MEMORY")
    try:
        yield
    finally:
        if fast:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=NORMAL")


class _Ids:
    """Next free id per table, so rows can point at each other before they are written."""

    def __init__(self, models):
        self.next = {model: (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1 for model in models}

    def take(self, model) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


class _Site:
    """A trigger point site with its body map position worked out once."""

    def __init__(self, muscle, region, effect):
        self.muscle, self.region, self.effect = muscle, region, effect
        self.paired = vocabulary.regions()[region].paired
        self.thoracic = muscle in R.THORACIC
        self.place = {}
        for side in ("left", "right"):
            place = vocabulary.Place(region, side if self.paired else None)
            shapes = bodymap.shapes_for(place)
            shape = next((s for s in shapes if s.view == "back"), shapes[0] if shapes else None)
            self.place[side] = (str(place), shape.view if shape else "back",
                                shape.centroid_x if shape else 120.0, shape.centroid_y if shape else 200.0)


class Generator:
    """Builds the rows of one batch of patients; `write()` stores them."""

    def __init__(self, seed: int, today: date, clinicians: list[Clinician], diary):
        self.seed, self.today, self.clinicians, self.diary = seed, today, clinicians, diary
        self.tz = timezone.get_current_timezone()
        self.sites = [_Site(m, r, e) for m, r, _, e in R.SITES]
        self.site_weights = list(accumulate(w for _, _, w, _ in R.SITES))
        self.agents = R.AGENTS
        self.agent_weights = list(accumulate(w for _, _, w, _ in R.AGENTS))
        self.courses_per_patient = _weighted(R.COURSES_PER_PATIENT)
        self.onsets = _weighted(R.RESPONSE_ONSET)
        self.baselines = _weighted(BASELINE_PAIN)
        self.events = list(R.PER_INJECTION.items())
        models = [Patient, Allergy, Medication, TriggerPoint, Course, PainDrawing, Session, Injection,
                  ConsentRecord, AdverseEvent, Appointment] + ([diary] if diary else [])
        self.models = models
        self.ids = _Ids(models)

    @staticmethod
    def _pick(rng, weighted):
        values, cumulative = weighted
        return rng.choices(values, cum_weights=cumulative)[0]

    def _at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz)

    def batch(self, first_index: int, count: int) -> dict:
        rows = {model: [] for model in self.models}
        for index in range(first_index, first_index + count):
            self._patient(index, rows)
        return rows

    # -- one patient -----------------------------------------------------------------------------

    def _patient(self, index: int, rows: dict) -> None:
        rng = random.Random(self.seed * 1_000_003 + index)
        sex = "female" if rng.random() < 0.58 else "male"
        age = int(rng.triangular(20, 88, 52))
        birth = date(self.today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        patient = dict(
            id=self.ids.take(Patient), mrn=f"{mrn_prefix(self.seed)}{index + 1:07d}",
            given_name=rng.choice(GIVEN), family_name=rng.choice(FAMILY), birth_date=birth, sex=sex,
            height_cm=Decimal(rng.randint(150, 175) if sex == "female" else rng.randint(162, 195)),
            weight_kg=Decimal(rng.randint(48, 110)), preferred_language=rng.choice(LANGUAGES),
            payer="medicare-uniform-tpi-2024" if age >= 65 else "none",
            payer_name="Medicare" if age >= 65 else rng.choice(["Blue Plan", "Acme Health", "Self-pay"]),
            copd=rng.random() < 0.07, bleeding_disorder=rng.random() < 0.01, cardiac_disease=rng.random() < 0.09,
            renal_disease=rng.random() < 0.05, hepatic_disease=rng.random() < 0.03,
            pregnant=sex == "female" and age < 42 and rng.random() < 0.03,
        )
        rows[Patient].append(patient)
        anticoagulated = rng.random() < 0.06
        if anticoagulated:
            rows[Medication].append(dict(id=self.ids.take(Medication), patient_id=patient["id"],
                                         name=rng.choice(["Apixaban", "Rivaroxaban", "Warfarin"]), kind="anticoagulant"))
        if rng.random() < 0.12:
            rows[Medication].append(dict(id=self.ids.take(Medication), patient_id=patient["id"],
                                         name="Aspirin 81 mg", kind="antiplatelet"))
        if rng.random() < 0.08:
            rows[Allergy].append(dict(id=self.ids.take(Allergy), patient_id=patient["id"], substance="Penicillin",
                                      reaction="Rash", anaesthetic_class=""))
        if rng.random() < 0.01:
            rows[Allergy].append(dict(id=self.ids.take(Allergy), patient_id=patient["id"], substance="Procaine",
                                      anaesthetic_class="ester", reaction="Hives"))

        clinician = rng.choice(self.clinicians)
        n_courses = self._pick(rng, self.courses_per_patient)
        start = self.today - timedelta(days=rng.randint(14, 1400))
        keeps_diary = self.diary is not None and rng.random() < R.PORTAL_DIARY_SHARE
        last_course = None
        for number in range(n_courses):
            if start > self.today + timedelta(days=21):
                break
            if number and rng.random() < 0.15:
                clinician = rng.choice(self.clinicians)
            course, end = self._course(rng, patient, clinician, start, anticoagulated, rows)
            last_course = course if course["_pain"] else last_course
            if course["status"] in {Course.Status.ACTIVE, Course.Status.PLANNED}:
                break
            start = end + timedelta(days=rng.randint(30, 240))
        if n_courses == 0:
            self._trigger_points(rng, patient, start, None, rows)
        if keeps_diary and last_course is not None:
            self._diary(rng, patient, last_course, rows)

    def _trigger_points(self, rng, patient, found_on, resolved_on, rows) -> list:
        count = rng.choices((1, 2, 3), cum_weights=(45, 80, 100))[0]
        chosen = []
        while len(chosen) < count:
            site = rng.choices(self.sites, cum_weights=self.site_weights)[0]
            if site not in chosen:
                chosen.append(site)
        points = []
        for site in chosen:
            side = rng.choice(("left", "right"))
            _, view, x, y = site.place[side]
            point = dict(
                id=self.ids.take(TriggerPoint), patient_id=patient["id"], muscle=site.muscle, side=side,
                region=site.region, region_side=side if site.paired else "", view=view, map_x=x, map_y=y,
                taut_band=True, palpable_nodule=rng.random() < 0.7, local_twitch_response=rng.random() < 0.5,
                jump_sign=rng.random() < 0.6, referred_pain_reproduced=rng.random() < 0.8,
                activity="active" if rng.random() < 0.9 else "latent",
                found_on=found_on - timedelta(days=rng.randint(0, 14)), resolved_on=resolved_on, _site=site,
            )
            rows[TriggerPoint].append(point)
            points.append(point)
        return points

    def _course(self, rng, patient, clinician, start, anticoagulated, rows):
        points = self._trigger_points(rng, patient, start, None, rows)
        agent, concentration, _, agent_effect = rng.choices(self.agents, cum_weights=self.agent_weights)[0]
        chance = R.BASE_RESPONSE_CHANCE + clinician.effect + points[0]["_site"].effect + agent_effect
        responder = rng.random() < chance
        planned = rng.choice(R.PLANNED_SESSIONS)
        stop_after = planned if responder else course_rules.JUDGE_FROM_SESSION + rng.choice((0, 0, 1, 2))
        baseline = self._pick(rng, self.baselines)
        onset = self._pick(rng, self.onsets)
        target = rng.uniform(R.TARGET_REDUCTION[0], R.TARGET_REDUCTION[1])
        interval = clinician.interval

        days, day = [], start + timedelta(days=rng.randint(0, 3))
        while len(days) < stop_after and day <= self.today:
            days.append(day)
            day += timedelta(days=interval + rng.choice((-1, 0, 0, 0, 1, 2, 3)))
        finished = len(days) == stop_after
        if not finished and days and rng.random() < R.LAPSED_SHARE:
            days = days[:max(1, len(days) - rng.randint(1, 2))]
        if not days:
            status = Course.Status.PLANNED if start >= self.today - timedelta(days=14) else Course.Status.ACTIVE
        elif finished:
            status = Course.Status.COMPLETED if responder else Course.Status.STOPPED
        else:
            status = Course.Status.ACTIVE
        next_due = course_rules.next_due(days[-1] if days else None, interval, start)
        course = dict(
            id=self.ids.take(Course), patient_id=patient["id"], clinician_id=clinician.user.pk,
            diagnosis_code=R.DIAGNOSIS_BY_MUSCLE.get(points[0]["muscle"], "M79.18"), interval_days=interval,
            planned_sessions=planned, goals=rng.choice(GOALS), status=status, started_on=start, next_due_on=next_due,
            sessions_done=len(days), _pain=[],
        )
        rows[Course].append(course)
        if finished and responder:
            for point in points:
                point["resolved_on"] = days[-1] + timedelta(days=14)
        marks = list({p["_site"].place[p["side"]][0]: {"place": p["_site"].place[p["side"]][0], "intensity": baseline}
                      for p in points}.values())
        rows[PainDrawing].append(dict(id=self.ids.take(PainDrawing), patient_id=patient["id"], drawn_on=start,
                                      marks=marks, source="clinician", recorded_by_id=clinician.user.pk))
        for k, day in enumerate(days, start=1):
            pain = self._pain(rng, k, baseline, responder, onset, target)
            course["_pain"].append((day, pain))
            self._session(rng, patient, course, clinician, points, (agent, concentration), day, pain, anticoagulated, rows)
        if status == Course.Status.ACTIVE and next_due and next_due >= self.today and rng.random() < R.BOOKED_SHARE:
            # the next session booked, as the front desk does: an appointment, not a draft session
            rows[Appointment].append(dict(
                id=self.ids.take(Appointment), patient_id=patient["id"], course_id=course["id"],
                clinician_id=clinician.user.pk, start=self._at(next_due, rng.randint(8, 16)),
                status=Appointment.Status.BOOKED, booked_by_id=clinician.user.pk,
            ))
        return course, (days[-1] if days else start)

    @staticmethod
    def _pain(rng, k, baseline, responder, onset, target) -> int:
        """Pre-injection pain at signed session k: responders fall below 70% of baseline at `onset`."""
        if k == 1:
            return baseline
        if not responder:
            return max(0, min(10, round(baseline * (1 - rng.uniform(-0.1, 0.2)))))
        if k < onset:
            return max(1, round(baseline * (1 - 0.25 * (k - 1) / onset)))
        reduction = 0.30 + (target - 0.30) * (1 - 0.6 ** (k - onset))
        # Rounded down at onset so the 30% fall really happens there; to the nearest point after.
        pain = int(baseline * (1 - reduction)) if k == onset else round(baseline * (1 - reduction))
        if k > onset and rng.random() < 0.08:
            pain += 1  # a bad week: the odd session above the trend
        return max(0, min(10, pain))

    def _session(self, rng, patient, course, clinician, points, injectate, day, pain, anticoagulated, rows) -> None:
        agent, concentration = injectate
        relief = {"dry-needling": (0, 2), "saline": (1, 3)}.get(agent, (2, 5))
        after = max(0, pain - rng.randint(*relief))
        performed = self._at(day, rng.randint(8, 16), rng.choice((0, 15, 30, 45)))
        muscles = {p["muscle"] for p in points}
        if agent == "dry-needling":
            cpt = "20560" if len(muscles) <= 2 else "20561"
        else:
            cpt = "20552" if len(muscles) <= 2 else "20553"
        session = dict(
            id=self.ids.take(Session), course_id=course["id"], clinician_id=clinician.user.pk, performed_at=performed,
            pain_before=pain, pain_after=after,
            immediate_relief_pct=round((pain - after) * 100 / pain) if pain else None,
            consent_recorded=True, notes="Tolerated well. Home stretching reviewed.", cpt_codes=cpt,
            status=Session.Status.SIGNED, signed_at=performed + timedelta(minutes=rng.randint(20, 90)),
            signed_by_id=clinician.user.pk,
        )
        rows[Session].append(session)
        rows[ConsentRecord].append(dict(
            id=self.ids.take(ConsentRecord), session_id=session["id"], form_version=CONSENT_FORM,
            language=patient["preferred_language"], flags=[], recorded_by_id=clinician.user.pk, method="in-clinic",
        ))
        given = points if len(points) == 1 or rng.random() > 0.15 else points[:-1]
        needling = agent == "dry-needling"
        for n, point in enumerate(given):
            ultrasound = rng.random() < (0.2 if point["_site"].thoracic else 0.03)
            injection = dict(
                id=self.ids.take(Injection), session_id=session["id"], trigger_point_id=point["id"], agent=agent,
                concentration_pct=Decimal(concentration), with_epinephrine=False,
                volume_ml=Decimal("0") if needling else Decimal(rng.choice(("0.5", "1.0", "1.0", "1.5", "2.0"))),
                needle_gauge=30 if needling else rng.choice((25, 25, 27)),
                needle_length_mm=40 if needling else rng.choice((25, 38, 38, 50)),
                technique="fanning" if rng.random() < 0.7 else "single", twitch_elicited=rng.random() < 0.55,
                guidance="ultrasound" if ultrasound else "none",
            )
            rows[Injection].append(injection)
            kind = self._event(rng, point, needling, ultrasound, anticoagulated, first=n == 0)
            if kind:
                minutes, severity, action, outcome = R.EVENT_SHAPE[kind]
                rows[AdverseEvent].append(dict(
                    id=self.ids.take(AdverseEvent), session_id=session["id"], injection_id=injection["id"], kind=kind,
                    onset_at=performed + timedelta(minutes=minutes), severity=severity, action=action, outcome=outcome,
                    follow_up="", recorded_by_id=clinician.user.pk,
                ))

    def _event(self, rng, point, needling, ultrasound, anticoagulated, first) -> str | None:
        """At most one adverse event per injection, drawn against the assumed rates."""
        draw = rng.random()
        if first:
            if draw < R.PER_SESSION["vasovagal"]:
                return "vasovagal"
            draw -= R.PER_SESSION["vasovagal"]
        for kind, rate in self.events:
            if kind == "flare" and needling:
                rate = R.DRY_NEEDLING_FLARE
            elif kind == "bleeding" and anticoagulated:
                rate *= R.ANTICOAGULANT_BLEEDING_FACTOR
            if draw < rate:
                return kind
            draw -= rate
        if point["_site"].thoracic:
            rate = R.PNEUMOTHORAX_AT_THORACIC_SITE / (5 if ultrasound else 1)
            if draw < rate:
                return "pneumothorax"
        return None

    def _diary(self, rng, patient, course, rows) -> None:
        """A weekly pain diary through the patient's latest course, as portal users keep it."""
        pains = course["_pain"]
        first_day = pains[0][0]
        last_day = min(self.today, pains[-1][0] + timedelta(days=28))
        day, k = first_day + timedelta(days=3), 0
        while day <= last_day and k < 26:
            while k + 1 < len(pains) and pains[k + 1][0] <= day:
                k += 1
            pain = max(0, min(10, pains[k][1] + rng.choice((-1, 0, 0, 1))))
            drawing_id = None
            if rng.random() < 0.1:
                drawing_id = self.ids.take(PainDrawing)
                latest = rows[PainDrawing][-1]
                marks = [{"place": mark["place"], "intensity": pain} for mark in latest["marks"]] \
                    if latest["patient_id"] == patient["id"] else []
                rows[PainDrawing].append(dict(id=drawing_id, patient_id=patient["id"], drawn_on=day, marks=marks,
                                              source="patient", recorded_by_id=None))
            rows[self.diary].append(dict(id=self.ids.take(self.diary), patient_id=patient["id"], day=day, pain=pain,
                                         note="", drawing_id=drawing_id))
            day += timedelta(days=7)


def write(rows: dict) -> None:
    """One batch, in one transaction, parents before children."""
    with transaction.atomic():
        for model, objects in rows.items():
            bulkwrite.write_rows(model, objects)


def _reset_sequences(models) -> None:
    """PostgreSQL hands out ids from sequences; move them past the ids synth chose."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


@dataclass
class SynthResult:
    counts: dict
    seconds: float
    seed: int
    today: date


def synthesize(patients: int, seed: int = 1, today: date | None = None, batch_patients: int = 1000,
               progress: Callable[[int, int], None] | None = None) -> SynthResult:
    """Add `patients` synthetic patients with their whole history; returns row counts per model."""
    started = clock.perf_counter()
    today = today or timezone.localdate()
    if Patient.objects.filter(mrn__startswith=mrn_prefix(seed)).exists():
        raise SynthError(f"Synthetic patients with seed {seed} are already loaded; use another --seed.")
    with _fast_sqlite():
        clinicians = ensure_clinicians()
        generator = Generator(seed, today, clinicians, diary_model())
        counts = {model._meta.label: 0 for model in generator.models}
        done = 0
        while done < patients:
            count = min(batch_patients, patients - done)
            rows = generator.batch(done, count)
            write(rows)
            for model, objects in rows.items():
                counts[model._meta.label] += len(objects)
            done += count
            if progress:
                progress(done, patients)
        _reset_sequences(generator.models)
    return SynthResult(counts, clock.perf_counter() - started, seed, today)


def fingerprint(seed: int) -> str:
    """A digest of the stored clinic for `seed`, independent of ids, timestamps and database."""
    prefix = mrn_prefix(seed)
    digest = hashlib.sha256()

    def feed(rows):
        for row in rows:
            digest.update(repr(tuple(_plain(value) for value in row)).encode())

    feed(Patient.objects.filter(mrn__startswith=prefix).order_by("mrn").values_list(
        "mrn", "given_name", "family_name", "birth_date", "sex", "height_cm", "copd", "payer"))
    feed(Course.objects.filter(patient__mrn__startswith=prefix).order_by("patient__mrn", "started_on", "id").values_list(
        "patient__mrn", "clinician__username", "diagnosis_code", "interval_days", "planned_sessions", "status",
        "started_on", "next_due_on"))
    feed(Session.objects.filter(course__patient__mrn__startswith=prefix).order_by(
        "course__patient__mrn", "performed_at", "id").values_list(
        "course__patient__mrn", "performed_at", "pain_before", "pain_after", "status", "cpt_codes"))
    feed(Injection.objects.filter(session__course__patient__mrn__startswith=prefix).order_by(
        "session__course__patient__mrn", "session__performed_at", "id").values_list(
        "trigger_point__muscle", "trigger_point__side", "agent", "concentration_pct", "volume_ml", "guidance"))
    feed(AdverseEvent.objects.filter(session__course__patient__mrn__startswith=prefix).order_by(
        "session__course__patient__mrn", "onset_at", "kind").values_list("kind", "severity", "onset_at"))
    feed(Appointment.objects.filter(patient__mrn__startswith=prefix).order_by("patient__mrn", "start", "id").values_list(
        "patient__mrn", "course__started_on", "clinician__username", "start", "minutes", "status"))
    DiaryEntry = diary_model()
    if DiaryEntry is not None:
        feed(DiaryEntry.objects.filter(patient__mrn__startswith=prefix).order_by("patient__mrn", "day").values_list(
            "patient__mrn", "day", "pain"))
    return digest.hexdigest()[:16]


def _plain(value):
    """Values that print the same from SQLite and PostgreSQL (Decimal scale, aware datetimes)."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.astimezone(dt_timezone.utc).isoformat()
    return value
