"""Who may open a portal page: only a patient, and only ever their own record.

Views never take a patient id from the URL: the patient is always `request.user.patient_record`,
and every object a URL names (a session) is looked up *within* that patient's record, so another
patient's id gives 404. Staff get 403 (their own screens are elsewhere); anonymous users log in.
"""
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts import roles
from scheduling.models import Appointment
from treatment.models import Session

def patient_required(view):
    """Call `view(request, patient, ...)` for a logged-in patient; 403 for anyone else logged in."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if roles.role_of(request.user) != "patient":
            raise PermissionDenied
        return view(request, request.user.patient_record, *args, **kwargs)

    return wrapped


def own_sessions(patient):
    return Session.objects.select_related("course", "clinician").filter(course__patient=patient)


def own_session(patient, pk) -> Session:
    """The patient's own session, or 404 (also for another patient's: no hint that it exists)."""
    return get_object_or_404(own_sessions(patient), pk=pk)


def own_appointment(patient, pk) -> Appointment:
    """The patient's own appointment, or 404 (also for another patient's)."""
    return get_object_or_404(Appointment.objects.select_related("clinician", "room", "patient"), patient=patient, pk=pk)
