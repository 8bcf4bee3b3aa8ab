"""Walk the permission matrix: every URL of the project, for every role and for anonymous users.

The URL list comes from the resolver, so a new URL that is not in audit/permissions.py fails
`test_every_url_is_in_the_matrix`. Allowed roles must get 2xx/3xx (or a validation answer to the
empty or minimal data sent); others 401/403/404 or a redirect to the login page. A patient is
also tried on another patient's records. Known violations by other apps are listed in
KNOWN_VIOLATIONS with the reason and run as xfail.
"""
from __future__ import annotations

import json
import tempfile
import warnings
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from audit.permissions import AREAS, AUTHOR, NO, OWN, OWN_SCOPED, ROLES, SUPERUSER, URLS, YES, area_for

ANONYMOUS = "anonymous"
# The smallest valid PNG (1x1 transparent), for an injection's ultrasound still.
PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
PASSWORD = "correct-horse-battery"


def walk(patterns, prefix="", namespace=None, kwargs=()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            names = tuple(getattr(entry.pattern, "converters", {}) or ()) or tuple(entry.pattern.regex.groupindex)
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner, kwargs + names)
        elif isinstance(entry, URLPattern):
            names = tuple(getattr(entry.pattern, "converters", {}) or ()) or tuple(entry.pattern.regex.groupindex)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, prefix + str(entry.pattern), kwargs + names


def routes() -> dict:
    """Named URL -> its keyword names; the admin site is tried on its index and changelists."""
    found = {}
    for name, _route, kwargs in walk(get_resolver().url_patterns):
        if not name:
            continue  # catch-all fallbacks (unknown API or FHIR paths answer 404 problems)
        if name.startswith("admin:") and not (name == "admin:index" or name.endswith("_changelist")):
            continue
        found.setdefault(name, kwargs)
    return found


ROUTES = routes()

# (url name, role) -> why it is expected to fail, reported to the lead. Empty means none found.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {}


def params():
    for name in sorted(ROUTES):
        if area_for(name) is None:
            continue
        for role in (*ROLES, ANONYMOUS):
            marks = []
            if (name, role) in KNOWN_VIOLATIONS:
                marks.append(pytest.mark.xfail(reason=KNOWN_VIOLATIONS[(name, role)], strict=False))
            yield pytest.param(name, role, id=f"{name}-{role}", marks=marks)


def test_every_url_is_in_the_matrix():
    missing = sorted(name for name in ROUTES if area_for(name) is None)
    assert not missing, (f"add these URLs to URLS in audit/permissions.py (then `tpclinic permissions_table --write`): "
                         f"{missing}")
    stale = sorted(name for name in URLS if name not in ROUTES)
    if stale:  # harmless, but worth tidying
        warnings.warn(f"these URLs in audit/permissions.py no longer exist: {stale}", stacklevel=1)


def test_the_docs_show_the_same_matrix():
    from pathlib import Path

    from audit.permissions import markdown_table

    docs = (Path(__file__).resolve().parents[2] / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert markdown_table() in docs, "run `tpclinic permissions_table --write` to update docs/permissions.md"


# --- the clinic the matrix is walked in ----------------------------------------------------------

def _records(patient, clinician, tag):
    from audit.tests.builders import course_with_sessions
    from referral.models import PainDrawing
    from safety.models import AdverseEvent, ConsentRecord
    from scheduling.models import Appointment

    records = course_with_sessions(patient, clinician, performed_at=timezone.now() + timedelta(days=3))
    signed, injection = records["signed"], records.pop("injection")
    injection.guidance = "ultrasound"  # an ultrasound still: clinical readers only, never another patient
    injection.ultrasound_image.save(f"matrix-{tag}.png", ContentFile(PNG_1PX), save=True)
    records["ultrasound"] = injection
    consent = ConsentRecord.objects.create(session=signed, form_version="test-1", language="en", recorded_by=clinician)
    event = AdverseEvent.objects.create(session=signed, injection=injection, kind="flare", onset_at=timezone.now(),
                                        severity="mild", action="Ice", recorded_by=clinician)
    PainDrawing.objects.create(patient=patient, marks=[{"place": "neck.angle:left", "intensity": 6}],
                               recorded_by=clinician)
    appointment = Appointment.objects.create(patient=patient, course=records["course"], clinician=clinician,
                                             start=timezone.now() + timedelta(days=3), booked_by=clinician)
    return {**records, "consent": consent, "event": event, "tag": tag, "appointment": appointment}


@pytest.fixture(scope="module")
def clinic(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at the end; each test
    runs in its own savepoint on top (the `db` fixture), so what one test changes, the next does
    not see."""
    from django.db import transaction

    with django_db_blocker.unblock(), tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)


@pytest.fixture
def world(db, clinic):
    return clinic


def build_world():
    from django.contrib.auth import get_user_model

    from accounts.models import Role, StaffProfile
    from audit.models import RejectedEdit
    from interop.models import ApiToken
    from patients.models import Patient

    django_user_model = get_user_model()
    users = {}
    for role in ("clinician", "nurse", "front_desk", "admin"):
        user = django_user_model.objects.create_user(f"m-{role}", password=PASSWORD,
                                                     is_staff=role == "admin", is_superuser=role == "admin")
        StaffProfile.objects.create(user=user, role={"clinician": Role.CLINICIAN, "nurse": Role.NURSE,
                                                     "front_desk": Role.FRONT_DESK, "admin": Role.ADMIN}[role])
        users[role] = user
    from library.review import reviewers_group
    users["clinician"].groups.add(reviewers_group())  # the matrix's clinician may review patient texts
    own = Patient.objects.create(mrn="MX001", given_name="Own", family_name="Patient", birth_date=date(1980, 1, 1),
                                 preferred_language="en", weight_kg=70, height_cm=170)
    other = Patient.objects.create(mrn="MX002", given_name="Other", family_name="Patient", birth_date=date(1970, 1, 1),
                                   preferred_language="en", weight_kg=70, height_cm=170)
    users["patient"] = django_user_model.objects.create_user("m-patient", password=PASSWORD)
    own.user = users["patient"]
    own.save()
    objects = {"own": _records(own, users["clinician"], "own"), "other": _records(other, users["clinician"], "other")}
    from django.contrib.contenttypes.models import ContentType

    from treatment.models import Session

    rejected = RejectedEdit.objects.create(
        content_type=ContentType.objects.get_for_model(Session), object_id=objects["own"]["draft"].pk,
        patient=own, user=users["clinician"], data={"notes": "mine"}, base_version=1, current_version=2,
    )
    tokens = {role: ApiToken.issue(user, "matrix")[1] for role, user in users.items()}
    return {"users": users, "objects": objects, "tokens": tokens, "rejected": rejected}


def _library_slug() -> str:
    try:
        from library.articles import get_library

        library = get_library()
        for attribute in ("articles", "by_slug", "slugs"):
            found = getattr(library, attribute, None)
            if found:
                return next(iter(found)) if not isinstance(found, (list, tuple)) else getattr(found[0], "slug", found[0])
    except Exception:
        pass
    return "myofascial-pain-syndrome"


def _specialist_slug() -> str:
    from directory.models import Specialist

    found = Specialist.objects.values_list("slug", flat=True).first()
    if found:
        return found
    return Specialist.objects.create(slug="dr-matrix", name="Dr Matrix").slug


REVIEW_TEXT = {("library:review_text", "kind"): "consent", ("library:review_text", "key"): "form",
               ("library:review_text", "language"): "en"}


def url_kwargs(name, keywords, world, scope):
    objects = world["objects"][scope]
    values = {}
    for keyword in keywords:
        if keyword in {"patient_pk", "patient_id"}:
            values[keyword] = objects["patient"].pk
        elif keyword in {"course_pk", "course_id"}:
            values[keyword] = objects["course"].pk
        elif keyword == "point_id":
            values[keyword] = objects["point"].pk
        elif keyword in {"session_pk", "session_id"}:
            values[keyword] = objects["draft"].pk
        elif keyword == "appointment_pk":
            values[keyword] = objects["appointment"].pk
        elif keyword == "event_id":
            values[keyword] = objects["event"].pk
        elif keyword == "user_pk":
            values[keyword] = world["users"]["clinician"].pk
        elif keyword == "slug":
            values[keyword] = _library_slug() if name.startswith("library:") else _specialist_slug()
        elif keyword == "pk":
            values[keyword] = _pk_for(name, world, objects)
        elif keyword in {"uidb64", "token"}:  # a password reset link that does not work
            values[keyword] = "x"
        elif (name, keyword) in REVIEW_TEXT:
            values[keyword] = REVIEW_TEXT[(name, keyword)]
        elif keyword == "resource_type":  # the FHIR server: Patient/{id}, its first version
            values[keyword] = "Patient"
        elif keyword == "ident":
            values[keyword] = str(objects["patient"].pk)
        elif keyword == "vid":
            values[keyword] = "1"
        elif keyword == "group":  # a FHIR Group is a clinician's panel
            values[keyword] = str(world["users"]["clinician"].pk)
        else:
            raise AssertionError(f"{name}: no fixture value for the URL keyword {keyword!r}; add one to url_kwargs()")
    return values


def _pk_for(name, world, objects):
    if name.startswith("patients:") or name == "interop:fhir-everything":
        return objects["patient"].pk
    if name == "charting:resolve":
        return objects["point"].pk
    if name in {"treatment:course", "treatment:course_edit", "treatment:session_new"}:
        return objects["course"].pk
    if name == "safety:consent_pdf":
        return objects["consent"].pk
    if name == "safety:adverse_event_edit":
        return objects["event"].pk
    if name in {"audit:amend_session", "treatment:note_text", "treatment:note_pdf", "treatment:superbill_csv",
                "treatment:superbill_pdf"}:
        return objects["signed"].pk
    if name == "treatment:ultrasound_still":
        return objects["ultrasound"].pk
    if name == "audit:rejected":
        return world["rejected"].pk
    return objects["draft"].pk  # sessions: treatment, safety, portal


def api_body(name, world):
    own = world["objects"]["own"]
    bodies = {
        "interop:api:create_patient": {"mrn": "MXNEW", "given_name": "New", "family_name": "Person",
                                       "birth_date": "1990-01-01"},
        "interop:api:update_patient": {"version": own["patient"].version, "payer_name": "Plan B"},
        "interop:api:update_course": {"version": own["course"].version, "goals": "Walk"},
        "interop:api:resolve_trigger_point": {"version": own["point"].version},
        "interop:api:create_trigger_point": {"muscle": "infraspinatus", "side": "left", "region": "scapula.body",
                                             "region_side": "left"},
        "interop:api:create_course": {"patient": own["patient"].pk, "diagnosis_code": "M79.12",
                                      "clinician": world["users"]["clinician"].pk},
        "interop:api:create_session": {"course": own["course"].pk},
        "interop:api:update_session": {"version": own["draft"].version, "notes": "Edited"},
        "interop:api:sign_session": {},
        "interop:api:rank": {"drawing": ["head.temple:left", "neck.side:left"]},
        "interop:api:create_pain_drawing": {"regions": ["neck.angle:left@6"]},
        "interop:api:save_diary_entry": {"pain": 4, "note": "Better today"},
        "interop:api:planned_screen": {"patient": own["patient"].pk, "injections": []},
        "interop:api:create_adverse_event": {"session": own["signed"].pk, "kind": "flare", "severity": "mild",
                                             "onset_at": timezone.now().isoformat(timespec="minutes"),
                                             "action": "Ice"},
        "interop:api:update_adverse_event": {"version": own["event"].version, "outcome": "resolved"},
        "interop:fhir-import": {"resourceType": "Bundle", "type": "transaction", "entry": []},
    }
    return bodies.get(name, {})


_CLIENT = []


def _fresh_client() -> Client:
    """One client (and so one loaded middleware chain) for the module, its cookies cleared per call."""
    if not _CLIENT:
        _CLIENT.append(Client())
    client = _CLIENT[0]
    client.cookies.clear()
    return client


def call(name, method, url, role, world):
    client = _fresh_client()
    headers = {}
    # web pages under interop (the user signs in): the SMART authorisation page and the chart's "Launch app"
    api = name.startswith("interop:") and name not in {"interop:smart-authorize", "interop:smart-launch-open"}
    if role != ANONYMOUS:
        if api:
            headers["Authorization"] = f"Bearer {world['tokens'][role]}"
        else:
            client.force_login(world["users"][role])
    if method == "GET":
        return client.get(url, headers=headers)
    if api:
        content_type = {"interop:fhir-import": "application/fhir+json",
                        "interop:fhir-search-post": "application/x-www-form-urlencoded"}.get(name, "application/json")
        return client.generic(method, url, json.dumps(api_body(name, world)), content_type=content_type,
                              headers=headers)
    return client.generic(method, url, "", content_type="application/x-www-form-urlencoded", headers=headers)


# A refusal some views give as a redirect with an error message instead of 403.
SOFT_REFUSALS = {"treatment:session_sign": "Only a clinician can sign"}

ALLOWED = {200, 201, 204, 301, 302, 303, 400, 409, 422}
REFUSED = {401, 403, 404}


def _to_login(response) -> bool:
    return response.status_code in {301, 302, 303} and (
        "/login/" in response.get("Location", "") or "/admin/login/" in response.get("Location", ""))


def _soft_refused(name, response) -> bool:
    wanted = SOFT_REFUSALS.get(name)
    if not wanted or response.status_code not in {302, 303}:
        return False
    stored = getattr(response.wsgi_request, "_messages", None)
    return bool(stored) and any(wanted in str(m) for m in stored)


def expected(area_key, role, scope, name) -> str:
    area = AREAS[area_key]
    if role == ANONYMOUS:
        return "allowed" if area.anonymous else "refused"
    access = area.access[role]
    if access == YES or access == SUPERUSER:
        return "allowed"
    if access == OWN:
        return "allowed" if scope == "own" and (area_key == "portal" or name in OWN_SCOPED) else "refused"
    if access == AUTHOR:
        return "allowed" if role == "clinician" else "refused"  # the fixture's refused edit is the clinician's
    assert access == NO
    return "refused"


@pytest.mark.parametrize("name,role", list(params()))
def test_permission_matrix(name, role, world):
    keywords = ROUTES[name]
    problems = []
    for method, area_key in area_for(name).items():
        names_a_record = set(keywords) - {"resource_type"}  # a FHIR type search names no patient in its URL
        scopes = ["own", "other"] if role == "patient" and (name in OWN_SCOPED or name.startswith("portal:")) \
            and names_a_record else ["own"]
        for scope in scopes:
            url = reverse(name, kwargs=url_kwargs(name, keywords, world, scope))
            response = call(name, method, url, role, world)
            status = response.status_code
            where = f"{method} {url} as {role} ({scope} records, area {area_key})"
            assert status < 500, f"{where}: server error {status}"
            if area_key == "account":
                continue
            want = expected(area_key, role, scope, name)
            if want == "allowed":
                if area_key in {"public", "api-public"}:
                    ok = status not in {401, 403} and not _to_login(response)
                else:
                    ok = status in ALLOWED and not _to_login(response) and not _soft_refused(name, response)
            else:
                ok = status in REFUSED or _to_login(response) or _soft_refused(name, response)
            if not ok:
                problems.append(f"{where}: got {status} {response.get('Location', '')}, expected {want}")
    assert not problems, "\n".join(problems)


# --- every read of one patient's data is in the audit trail -------------------------------------

PATIENT_AREAS = {"record-read", "record-write", "clinical-read", "charting", "sign", "amend", "consent",
                 "adverse-events", "rejected-edit", "api-read", "api-clinical-read", "api-register", "api-write",
                 "api-sign", "api-diary-read", "api-diary-write", "fhir-export", "portal", "staff-handout", "scheduling"}


def audited_params():
    for name in sorted(ROUTES):
        methods = area_for(name) or {}
        for method, area_key in methods.items():
            if area_key not in PATIENT_AREAS:
                continue
            if not ROUTES[name] and area_key != "portal":
                continue  # lists and creation forms name no single patient
            if any(keyword in {"slug", "user_pk"} for keyword in ROUTES[name]):
                continue
            yield pytest.param(name, method, area_key, id=f"{method} {name}")


def _actor(area_key) -> str:
    area = AREAS[area_key]
    for role in ("admin", "clinician", "patient"):
        if area.access[role] in {YES, OWN, AUTHOR, SUPERUSER}:
            return role
    raise AssertionError(area_key)


@pytest.mark.parametrize("name,method,area_key", list(audited_params()))
def test_every_request_about_a_patient_is_audited_with_that_patient(name, method, area_key, world):
    from audit.models import Action, AuditEvent

    role = _actor(area_key)
    url = reverse(name, kwargs=url_kwargs(name, ROUTES[name], world, "own"))
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = call(name, method, url, role, world)
    assert response.status_code < 500
    patient_id = world["objects"]["own"]["patient"].pk
    written = AuditEvent.objects.filter(id__gt=before, patient_id=patient_id)
    if method != "GET" and 300 <= response.status_code < 400 and not written.exists():
        # a redirect after a POST with nothing recorded: nothing changed (changes record themselves)
        assert not AuditEvent.objects.filter(id__gt=before).exclude(action=Action.LOGIN).exists()
        return
    assert written.exists(), (f"{method} {url} as {role} ({response.status_code}) wrote no audit event for patient "
                              f"{patient_id}: add the URL to URL_OBJECTS in audit/resolve.py")
