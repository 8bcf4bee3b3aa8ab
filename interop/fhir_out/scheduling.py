"""Exporter for booked appointments (scheduling.Appointment) as FHIR R4 Appointment resources.

The course's "next session due" proposal stays in fhir_out/treatment.py (status proposed); these
are the real bookings, with their own ids (`appt-<pk>`), status history mapped to FHIR's codes."""
from __future__ import annotations

from django.utils import timezone

from interop.fhir_export import CHUNK, Scope, exporter, instant, person_name, ref
from interop.text import clean_text
from scheduling.models import Appointment

STATUS = {
    Appointment.Status.BOOKED: "booked",
    Appointment.Status.CHECKED_IN: "checked-in",
    Appointment.Status.DONE: "fulfilled",
    Appointment.Status.NO_SHOW: "noshow",
    Appointment.Status.CANCELLED: "cancelled",
}


@exporter("Appointment")
def appointments(scope: Scope):
    found = (Appointment.objects.filter(patient__in=scope.patient_ids())
             .select_related("patient", "clinician", "room").order_by("pk"))
    for appointment in found.iterator(chunk_size=CHUNK):
        participants = [
            {"actor": ref("Patient", appointment.patient_id, appointment.patient.full_name), "status": "accepted"},
            {"actor": ref("Practitioner", appointment.clinician_id, person_name(appointment.clinician)),
             "status": "accepted"},
        ]
        if appointment.room_id:
            participants.append({"actor": {"display": clean_text(appointment.room.name) or "Room"},
                                 "status": "accepted"})
        resource = {
            "resourceType": "Appointment",
            "id": f"appt-{appointment.pk}",
            "status": STATUS[appointment.status],
            "description": "Trigger point injection session",
            "start": instant(appointment.start),
            "end": instant(appointment.end),
            "minutesDuration": appointment.minutes,
            "created": timezone.localdate(appointment.booked_at).isoformat(),
            "reasonReference": [ref("Condition", f"course-{appointment.course_id}")],
            "supportingInformation": [ref("CarePlan", appointment.course_id)],
            "participant": participants,
        }
        reason = clean_text(appointment.cancel_reason) if appointment.status == Appointment.Status.CANCELLED else None
        if reason:
            resource["cancelationReason"] = {"text": reason}
        yield resource

