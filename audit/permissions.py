"""The permission matrix: who may do what, per area of the clinic, and which URL belongs to which area.

docs/permissions.md shows the same table (a test keeps the two equal), and
audit/tests/test_permission_matrix.py walks every URL of the project against it for every role.
When you add a URL, add it to URLS below with the area each HTTP method belongs to.
"""
from __future__ import annotations

from dataclasses import dataclass

ROLES = ("clinician", "nurse", "front_desk", "admin", "patient")
ROLE_TITLES = {
    "clinician": "Clinician", "nurse": "Nurse or MA", "front_desk": "Front desk", "admin": "Administrator",
    "patient": "Patient",
}

YES, NO, OWN, AUTHOR, SUPERUSER = "yes", "no", "own", "author", "superuser"


@dataclass(frozen=True)
class Area:
    title: str
    access: dict  # role -> YES / NO / OWN (a patient's own records only) / AUTHOR (their own only)
    anonymous: bool = False
    note: str = ""


def _staff(clinician=YES, nurse=YES, front_desk=YES, admin=YES, patient=NO) -> dict:
    return {"clinician": clinician, "nurse": nurse, "front_desk": front_desk, "admin": admin, "patient": patient}


CLINICAL = _staff(front_desk=NO)

AREAS = {
    "public": Area("Public pages: health library, specialists, login, language", _staff(patient=YES), anonymous=True),
    "record-read": Area("Patient record: find, read demographics, scheduling and payer (staff screens)", _staff(),
                        note="The front desk's chart page shows these only (minimum necessary); patients read "
                             "their own record in the portal (row portal) and the API."),
    "record-write": Area("Patient record: register, edit identity, allergies, medicines", _staff(),
                         note="The front desk registers patients."),
    "clinical-read": Area("Clinical record: read courses, sessions, consent forms, ranking, handouts", CLINICAL,
                          note="Minimum necessary: not the front desk."),
    "charting": Area("Charting: trigger points, pain drawings, courses, draft sessions", CLINICAL),
    "sign": Area("Sessions: sign (the procedure note)", _staff(nurse=NO, front_desk=NO, admin=NO)),
    "superbill": Area("Signed sessions: superbill for billing (CSV, PDF)", _staff(nurse=NO, front_desk=NO),
                      note="An export: clinicians and administrators; every download is audited."),
    "lot-report": Area("Recall: sessions by lot (names patients; CSV)", _staff(nurse=NO, front_desk=NO),
                       note="An export: clinicians and administrators; every answer is audited with the patients shown."),
    "note-wording": Area("Procedure note: a clinician's own wording", _staff(nurse=NO, front_desk=NO, admin=NO),
                         note="Each clinician edits their own phrases only."),
    "amend": Area("Signed sessions: add an amendment", CLINICAL,
                  note="A signed session never changes; amendments are added beneath it."),
    "consent": Area("Consent: record in clinic", CLINICAL,
                    note="Patients give e-consent for their own sessions in the portal."),
    "adverse-events": Area("Adverse events: record", CLINICAL),
    "safety-report": Area("Adverse event rates (no patient identifiers)", _staff()),
    "analytics": Area("Analytics: outcome figures and CSV (no patient identifiers)", _staff()),
    "analytics-refresh": Area("Analytics: recompute", CLINICAL),
    "audit": Area("Audit reports and CSV export", _staff(clinician=NO, nurse=NO, front_desk=NO)),
    "rejected-edit": Area("A refused (stale) edit: read it back", _staff(clinician=AUTHOR, nurse=AUTHOR,
                                                                       front_desk=AUTHOR),
                          note="Its author, and administrators."),
    "api-read": Area("JSON API: read patients (demographics, payer)", _staff(patient=OWN),
                     note="A patient's token reads their own patient record only."),
    "api-clinical-read": Area("JSON API: read clinical records (trigger points, courses, sessions, drawings, "
                              "screens, adverse events, ranking)", CLINICAL, note="Minimum necessary: not the front desk."),
    "api-register": Area("JSON API: register and edit patients", _staff()),
    "api-write": Area("JSON API: chart, plan courses, record sessions", CLINICAL),
    "api-sign": Area("JSON API: sign a session", _staff(nurse=NO, front_desk=NO, admin=NO)),
    "api-diary-read": Area("JSON API: read a pain diary", _staff(front_desk=NO, patient=OWN)),
    "api-diary-write": Area("JSON API: write a pain diary", _staff(
        clinician=NO, nurse=NO, front_desk=NO, admin=NO, patient=OWN), note="Only the patient writes their diary."),
    "api-public": Area("JSON API: its OpenAPI document, the specialists directory", _staff(patient=YES),
                       anonymous=True),
    "fhir-everything": Area("FHIR Patient/$everything (a patient's whole record)",
                            _staff(nurse=NO, front_desk=NO, patient=OWN),
                            note="An export: clinicians and administrators, or a patient for their own record."),
    "fhir-export": Area("FHIR server: read, search, history", _staff(front_desk=NO, patient=OWN),
                        note="Clinical readers (minimum necessary: not the front desk); a patient's login or token "
                             "reads their own signed record only; each read is audited with the patients shown."),
    "fhir-import": Area("FHIR import (POST a Bundle)", _staff(clinician=NO, nurse=NO, front_desk=NO),
                        note="An import writes signed notes in other clinicians' names."),
    "fhir-bulk": Area("FHIR bulk export (the clinic, all patients, a clinician's panel)",
                      _staff(nurse=NO, front_desk=NO)),
    "smart-launch": Area("SMART on FHIR: launch an app with a patient (EHR launch)", _staff()),
    "smart-authorize": Area("SMART on FHIR: allow an app (the authorisation page)", _staff(patient=YES),
                            note="Staff after their second factor; a patient for their own record."),
    "oauth-client": Area("SMART on FHIR: token, introspection, revocation", _staff(patient=YES), anonymous=True,
                         note="The app authenticates itself (client id, secret or PKCE); tested in interop."),
    "portal": Area("Patient portal: own sessions, e-consent, diary, handout", _staff(
        clinician=NO, nurse=NO, front_desk=NO, admin=NO, patient=OWN)),
    "staff-handout": Area("Print a patient's handout", CLINICAL),
    "content-review": Area("Review and approve patient texts (articles, consent form, handout)", _staff(
        nurse=NO, front_desk=NO, admin=NO), note="Clinicians in the Content reviewers group."),
    "admin-site": Area("Django admin site", _staff(clinician=NO, nurse=NO, front_desk=NO, admin=SUPERUSER),
                       note="Superusers only; clinical records are not registered there."),
    "account": Area("Second login step, idle log-off (any logged-in user)", _staff(patient=YES), anonymous=True),
    "scheduling": Area("Scheduling: book, day list, check in, no-show, cancel, patients' requests", _staff(),
                       note="Patients cancel or ask to change their own appointments in the portal."),
    "scheduling-admin": Area("Clinic hours and clinicians' sessions", _staff(clinician=NO, nurse=NO, front_desk=NO)),
    "own-shortcuts": Area("Own documentation shortcuts: favourites, default injectate and needle", CLINICAL,
                          note="Each user's own; clinic-wide favourites are kept in the admin site."),
}

# URL name -> {HTTP method: area}. Methods not listed are not tested (they answer 405).
URLS = {
    "home": {"GET": "account"},
    "healthz": {"GET": "public"},
    "login": {"GET": "public"},
    "logout": {"POST": "account"},
    "set_language": {"POST": "public"},
    "dismiss_language": {"POST": "public"},
    "accounts:mfa_verify": {"GET": "account"},
    "accounts:mfa_enrol": {"GET": "account"},
    "accounts:idle_logout": {"POST": "account"},
    "accounts:keepalive": {"POST": "account"},
    "accounts:password_change": {"GET": "account", "POST": "account"},
    "accounts:password_change_done": {"GET": "account"},
    "accounts:password_reset": {"GET": "public"},
    "accounts:password_reset_done": {"GET": "public"},
    "accounts:password_reset_confirm": {"GET": "public"},
    "accounts:password_reset_complete": {"GET": "public"},
    "library:index": {"GET": "public"},
    "library:article": {"GET": "public"},
    "library:review_list": {"GET": "content-review"},
    "library:review_text": {"GET": "content-review", "POST": "content-review"},
    "directory:list": {"GET": "public"},
    "directory:profile": {"GET": "public"},

    "patients:list": {"GET": "record-read"},
    "patients:new": {"GET": "record-write", "POST": "record-write"},
    "patients:chart": {"GET": "record-read"},
    "patients:edit": {"GET": "record-write", "POST": "record-write"},
    "treatment:worklist": {"GET": "record-read"},

    "charting:new": {"GET": "charting", "POST": "charting"},
    "charting:resolve": {"POST": "charting"},
    "referral:rank": {"POST": "clinical-read"},
    "referral:save_drawing": {"POST": "charting"},
    "referral:examine": {"POST": "charting"},
    "referral:chart_examined": {"POST": "charting"},
    "treatment:course_new": {"GET": "charting", "POST": "charting"},
    "treatment:course": {"GET": "clinical-read"},
    "treatment:course_edit": {"GET": "charting", "POST": "charting"},
    "treatment:session_new": {"POST": "charting"},
    "treatment:session": {"GET": "clinical-read", "POST": "charting"},
    "treatment:session_sign": {"POST": "sign"},
    "treatment:note_text": {"GET": "clinical-read"},
    "treatment:note_pdf": {"GET": "clinical-read"},
    "treatment:ultrasound_still": {"GET": "clinical-read"},
    "treatment:superbill_csv": {"GET": "superbill"},
    "treatment:superbill_pdf": {"GET": "superbill"},
    "treatment:lot_report": {"GET": "lot-report"},
    "treatment:note_template": {"GET": "note-wording", "POST": "note-wording"},
    "safety:check": {"POST": "charting"},
    "safety:consent": {"GET": "clinical-read", "POST": "consent"},
    "safety:consent_pdf": {"GET": "clinical-read"},
    "safety:adverse_event_new": {"GET": "adverse-events", "POST": "adverse-events"},
    "safety:adverse_event_report": {"GET": "safety-report"},
    "safety:adverse_event_edit": {"GET": "adverse-events", "POST": "adverse-events"},

    "analytics:index": {"GET": "analytics"},
    "analytics:outcomes_csv": {"GET": "analytics"},
    "analytics:refresh": {"POST": "analytics-refresh"},

    "audit:report": {"GET": "audit"},
    "audit:patient": {"GET": "audit"},
    "audit:disclosures": {"GET": "audit"},
    "audit:user": {"GET": "audit"},
    "audit:export": {"GET": "audit"},
    "audit:amend_session": {"GET": "amend", "POST": "amend"},
    "audit:rejected": {"GET": "rejected-edit"},

    "portal:home": {"GET": "portal"},
    "portal:visits": {"GET": "portal"},
    "portal:appointment_ics": {"GET": "portal"},
    "portal:appointment_cancel": {"POST": "portal"},
    "portal:appointment_change": {"GET": "portal", "POST": "portal"},
    "portal:appointment_request": {"GET": "portal", "POST": "portal"},
    "portal:reminders": {"GET": "portal", "POST": "portal"},
    "portal:consent": {"GET": "portal"},
    "portal:diary": {"GET": "portal"},
    "portal:handout": {"GET": "portal"},
    "portal:staff_handout": {"GET": "staff-handout"},

    "interop:api:openapi-json": {"GET": "api-public"},
    "interop:api:api-root": {"GET": "api-public"},
    "interop:api:list_patients": {"GET": "api-read"},
    "interop:api:create_patient": {"POST": "api-register"},
    "interop:api:get_patient": {"GET": "api-read"},
    "interop:api:update_patient": {"PATCH": "api-register"},
    "interop:api:list_trigger_points": {"GET": "api-clinical-read"},
    "interop:api:create_trigger_point": {"POST": "api-write"},
    "interop:api:resolve_trigger_point": {"POST": "api-write"},
    "interop:api:list_courses": {"GET": "api-clinical-read"},
    "interop:api:create_course": {"POST": "api-write"},
    "interop:api:get_course": {"GET": "api-clinical-read"},
    "interop:api:update_course": {"PATCH": "api-write"},
    "interop:api:list_sessions": {"GET": "api-clinical-read"},
    "interop:api:create_session": {"POST": "api-write"},
    "interop:api:get_session": {"GET": "api-clinical-read"},
    "interop:api:update_session": {"PATCH": "api-write"},
    "interop:api:sign_session": {"POST": "api-sign"},
    "interop:api:rank": {"POST": "api-clinical-read"},
    "interop:api:list_pain_drawings": {"GET": "api-clinical-read"},
    "interop:api:create_pain_drawing": {"POST": "api-write"},
    "interop:api:list_diary_entries": {"GET": "api-diary-read"},
    "interop:api:save_diary_entry": {"POST": "api-diary-write"},
    "interop:api:session_screen": {"GET": "api-clinical-read"},
    "interop:api:planned_screen": {"POST": "api-write"},
    "interop:api:list_adverse_events": {"GET": "api-clinical-read"},
    "interop:api:create_adverse_event": {"POST": "api-write"},
    "interop:api:update_adverse_event": {"PATCH": "api-write"},
    "interop:api:list_specialists": {"GET": "api-public"},
    "interop:api:get_specialist": {"GET": "api-public"},
    "interop:fhir-everything": {"GET": "fhir-everything"},
    "interop:fhir-metadata": {"GET": "api-public"},
    "interop:fhir-search": {"GET": "fhir-export"},
    "interop:fhir-search-post": {"POST": "fhir-export"},
    "interop:fhir-read": {"GET": "fhir-export"},
    "interop:fhir-vread": {"GET": "fhir-export"},
    "interop:fhir-history": {"GET": "fhir-export"},
    "interop:smart-configuration": {"GET": "api-public"},
    "interop:smart-jwks": {"GET": "api-public"},  # the public key that checks id_tokens
    "interop:fhir-export-system": {"GET": "fhir-bulk"},
    "interop:fhir-export-patients": {"GET": "fhir-bulk"},
    "interop:fhir-export-group": {"GET": "fhir-bulk"},
    # Bound to the token that started the export (another token gets 404): interop/tests/test_bulk_data.py.
    "interop:fhir-export-status": {},
    "interop:fhir-export-file": {},
    "interop:smart-authorize": {"GET": "smart-authorize"},
    "interop:smart-launch": {"POST": "smart-launch"},
    "interop:smart-launch-open": {"POST": "smart-launch"},  # the chart's "Launch app" button
    # Client-authenticated OAuth endpoints: no user session or role is involved (interop/tests/test_smart.py).
    "interop:smart-token": {},
    "interop:smart-introspect": {},
    "interop:smart-revoke": {},
    "interop:fhir-import": {"POST": "fhir-import"},

    "scheduling:day": {"GET": "scheduling"},
    "scheduling:book": {"GET": "scheduling", "POST": "scheduling"},
    "scheduling:check_in": {"POST": "scheduling"},
    "scheduling:no_show": {"POST": "scheduling"},
    "scheduling:cancel": {"POST": "scheduling"},
    "scheduling:ics": {"GET": "scheduling"},
    "scheduling:requests": {"GET": "scheduling", "POST": "scheduling"},
    "scheduling:hours": {"GET": "scheduling-admin", "POST": "scheduling-admin"},
    "treatment:favourites": {"GET": "own-shortcuts", "POST": "own-shortcuts"},
    "accounts:my_defaults": {"GET": "own-shortcuts", "POST": "own-shortcuts"},
}

# Whole namespaces whose URLs share one area (the admin site has a URL per registered model).
NAMESPACES = {"admin": {"GET": "admin-site"}}

# Which patient-role URLs read one patient's records (tested with her own and another's).
OWN_SCOPED = {"interop:api:get_patient", "interop:api:list_diary_entries", "interop:api:save_diary_entry",
              "portal:appointment_ics", "portal:appointment_cancel", "portal:appointment_change", "portal:consent",
              "portal:session_ics", "interop:fhir-everything", "interop:fhir-search",
              "interop:fhir-search-post", "interop:fhir-read", "interop:fhir-vread", "interop:fhir-history"}


def area_for(url_name: str) -> dict | None:
    if url_name in URLS:
        return URLS[url_name]
    namespace = url_name.split(":", 1)[0] if ":" in url_name else ""
    return NAMESPACES.get(namespace)


def markdown_table() -> str:
    """The matrix as the Markdown table in docs/permissions.md."""
    words = {YES: "yes", NO: "—", OWN: "own only", AUTHOR: "own only", SUPERUSER: "superusers"}
    head = "| area | " + " | ".join(ROLE_TITLES[r] for r in ROLES) + " | not logged in |"
    rule = "|" + "---|" * (len(ROLES) + 2)
    rows = [head, rule]
    for key, area in AREAS.items():
        cells = [words[area.access[r]] for r in ROLES] + ["yes" if area.anonymous else "—"]
        rows.append(f"| {area.title} (`{key}`) | " + " | ".join(cells) + " |")
    return "\n".join(rows)
