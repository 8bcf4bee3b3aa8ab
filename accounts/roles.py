"""Who may do what. The matrix is written down in docs/permissions.md; views ask these helpers."""
from accounts.models import Role


def role_of(user) -> str | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    profile = getattr(user, "staff_profile", None)
    if profile is not None:
        return profile.role
    if hasattr(user, "patient_record"):
        return "patient"
    return None


def is_staff_member(user) -> bool:
    return role_of(user) in {Role.CLINICIAN, Role.NURSE, Role.FRONT_DESK, Role.ADMIN}


def can_read_clinical(user) -> bool:
    """Minimum necessary: clinical notes, courses, sessions, consent forms, pain drawings and diaries
    are read by the clinical roles only. The front desk sees demographics, scheduling and payer."""
    return role_of(user) in {Role.CLINICIAN, Role.NURSE, Role.ADMIN}


def can_export(user) -> bool:
    """A patient's whole record leaves the clinic (FHIR export) only through a clinician or an
    administrator; every export is an audit event naming the patient."""
    return role_of(user) in {Role.CLINICIAN, Role.ADMIN}


def can_chart(user) -> bool:
    """Clinical charting: trigger points, courses, sessions."""
    return role_of(user) in {Role.CLINICIAN, Role.NURSE, Role.ADMIN}


def can_sign(user) -> bool:
    """Only a clinician signs a session: it is their procedure note."""
    return role_of(user) == Role.CLINICIAN


def clinicians():
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(staff_profile__role=Role.CLINICIAN, is_active=True)
        .select_related("staff_profile")
        .order_by("last_name", "first_name")
    )
