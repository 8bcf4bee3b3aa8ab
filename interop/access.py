"""The API's permission checks, in the web UI's terms (accounts.roles).

Staff roles read; only charting roles (clinician, nurse, admin) write clinical records; only
clinicians sign. Patient registration follows the web UI, where any staff member (front desk
included) registers and edits patients. A patient's own login may read their own patient record
and nothing else; other patients answer 404 so the API does not reveal who is a patient here.
"""
from __future__ import annotations

from accounts import roles
from interop.problems import forbidden, not_found

PATIENT_ROLE = "patient"


def require_staff(user) -> None:
    if not roles.is_staff_member(user):
        raise forbidden(_refusal(user, "Only clinic staff can use this endpoint."))


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

