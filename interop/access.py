"""The API's permission checks, in the web UI's terms (accounts.roles).

Staff roles read; only charting roles (clinician, nurse, admin) write clinical records (adverse
events and pain drawings included); only clinicians sign. Patient registration follows the web
UI, where any staff member (front desk included) registers and edits patients. A patient's own
login may read their own patient record and read and write their own pain diary, as in the
portal, and nothing else; other patients answer 404 so the API does not reveal who is a patient
here. Staff read a patient's diary (the course page shows it) but do not write it.

The `*_check(request, user)` functions are for BearerToken(check=...): the role is judged before
the body is read (see auth.py).
"""
from __future__ import annotations

from accounts import roles
from interop.problems import forbidden, not_found

PATIENT_ROLE = "patient"


def require_staff(user) -> None:
    if not roles.is_staff_member(user):
        raise forbidden(_refusal(user, "Only clinic staff can use this endpoint."))


def require_clinical_read(user) -> None:
    """Minimum necessary: the front desk reads patients' demographics and payer, not clinical records."""
    if not roles.can_read_clinical(user):
        raise forbidden(_refusal(user, "Only clinicians, nurses and administrators read clinical records; the "
                                       "front desk reads patients' demographics, scheduling and payer."))


def require_chart(user) -> None:
    if not roles.can_chart(user):
        raise forbidden(_refusal(
            user, "Only clinicians, nurses and administrators can change clinical records; your role can read them.",
        ))


def require_sign(user) -> None:
    if not roles.can_sign(user):
        raise forbidden("Only a clinician can sign a session: it is their procedure note. Ask the treating clinician.")


def require_admin(user) -> None:
    if roles.role_of(user) != "admin":
        raise forbidden(_refusal(user, "Only an administrator can import FHIR data."))


def patient_for_reader(user, patient_id: int):
    """The patient this user may read, or Problem 403/404."""
    from patients.models import Patient

    role = roles.role_of(user)
    if role == PATIENT_ROLE:
        own = getattr(user, "patient_record", None)
        if own is None or own.pk != patient_id:
            raise not_found("patient", patient_id)
        return own
    require_staff(user)
    patient = Patient.objects.prefetch_related("allergies", "medications").filter(pk=patient_id).first()
    if patient is None:
        raise not_found("patient", patient_id)
    return patient


def _refusal(user, message: str) -> str:
    if roles.role_of(user) == PATIENT_ROLE:
        return "A patient's login can read only their own patient record (GET /api/v1/patients/{id})."
    return message



def own_patient_id(user) -> int | None:
    own = getattr(user, "patient_record", None) if roles.role_of(user) == PATIENT_ROLE else None
    return own.pk if own is not None else None


def diary_reader(user, patient_id: int):
    """The patient whose diary this user may read: their own, or any patient for staff."""
    if roles.role_of(user) == PATIENT_ROLE:
        return patient_for_reader(user, patient_id)
    require_clinical_read(user)
    from patients.models import Patient

    patient = Patient.objects.filter(pk=patient_id).first() if 0 < patient_id < 2**63 else None
    if patient is None:
        raise not_found("patient", patient_id)
    return patient


def require_diary_writer(user, patient_id: int):
    """Only the patient writes their diary; staff read it."""
    if roles.role_of(user) != PATIENT_ROLE:
        raise forbidden("Only the patient writes their pain diary (in the portal, or with their own token); "
                        "staff read it with GET.")
    return patient_for_reader(user, patient_id)


def _path_patient(request) -> int:
    match = getattr(request, "resolver_match", None)
    value = (match.kwargs if match else {}).get("patient_id")
    return value if isinstance(value, int) else 0


def staff_check(request, user) -> None:
    require_staff(user)


def clinical_read_check(request, user) -> None:
    require_clinical_read(user)


def chart_check(request, user) -> None:
    require_chart(user)


def diary_read_check(request, user) -> None:
    diary_reader(user, _path_patient(request))


def diary_write_check(request, user) -> None:
    require_diary_writer(user, _path_patient(request))
