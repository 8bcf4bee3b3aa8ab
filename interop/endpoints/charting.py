"""Trigger points of a patient: list and chart new ones (the web UI's TriggerPointForm decides)."""
from __future__ import annotations

from datetime import date
from typing import Optional

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from ninja import Field, Query, Router, Status

from charting.forms import TriggerPointForm
from charting.models import TriggerPoint
from interop.access import chart_check, require_chart, require_clinical_read
from interop.auth import BearerToken
from interop.endpoints.common import PageQuery, check_form, form_data, get_or_404, paginate, responses
from interop.problems import invalid
from interop.schemas import TriggerPointIn, TriggerPointOut, TriggerPointResolve, page_of
from patients.models import Patient

router = Router(tags=["trigger points"])
TriggerPointPage = page_of(TriggerPointOut)


class TriggerPointQuery(PageQuery):
    active: Optional[bool] = Field(None, description="true: unresolved only; false: resolved only.")
    found_from: Optional[date] = None
    found_to: Optional[date] = None


def trigger_point_out(tp: TriggerPoint) -> TriggerPoint:
    """TriggerPointOut reads the record itself (a ModelSchema with resolvers)."""
    return tp


@router.get("/patients/{int:patient_id}/trigger-points", response=responses({200: TriggerPointPage}, 401, 403, 404, 422),
            summary="List a patient's trigger points")
def list_trigger_points(request, patient_id: int, query: Query[TriggerPointQuery]):
    require_clinical_read(request.auth)
    patient = get_or_404(Patient.objects.all(), patient_id, "patient")
    points = patient.trigger_points.all()
    if query.active is not None:
        points = points.filter(resolved_on__isnull=query.active)
    if query.found_from:
        points = points.filter(found_on__gte=query.found_from)
    if query.found_to:
        points = points.filter(found_on__lte=query.found_to)
    return paginate(points.order_by("found_on", "id"), query, trigger_point_out)


@router.post("/patients/{int:patient_id}/trigger-points",
             response=responses({201: TriggerPointOut}, 400, 401, 403, 404, 422), summary="Chart a trigger point")
def create_trigger_point(request, patient_id: int, payload: TriggerPointIn):
    require_chart(request.auth)
    patient = get_or_404(Patient.objects.all(), patient_id, "patient")
    values = payload.model_dump()
    values["found_on"] = values["found_on"] or timezone.localdate()
    form = TriggerPointForm(form_data(values))
    errors = check_form(form)
    if errors:
        raise invalid(errors)
    with transaction.atomic():
        point = form.save(commit=False)
        point.patient = patient
        point.save()
    return Status(201, trigger_point_out(point))


@router.post("/trigger-points/{int:point_id}/resolve", auth=BearerToken(chart_check),
             response=responses({200: TriggerPointOut}, 400, 401, 403, 404, 409, 422),
             summary="Mark a trigger point resolved (with the version you read)")
def resolve_trigger_point(request, point_id: int, payload: TriggerPointResolve):
    point = get_or_404(TriggerPoint.objects.all(), point_id, "trigger point")
    point.resolved_on = payload.resolved_on or timezone.localdate()
    try:
        point.full_clean(exclude=["patient"])
    except ValidationError as error:
        raise invalid([{"field": field, "message": " ".join(messages)}
                       for field, messages in error.message_dict.items()]) from None
    point.save_if_current(payload.version, update_fields=["resolved_on"])
    return trigger_point_out(point)
