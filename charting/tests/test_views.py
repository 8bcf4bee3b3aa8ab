import pytest
from django.urls import reverse
from django.utils import timezone

from anatomy import bodymap
from charting.models import TriggerPoint

pytestmark = pytest.mark.django_db


def _post(**overrides):
    data = {"muscle": "upper-trapezius", "side": "left", "region": "neck.angle", "region_side": "left",
            "view": "", "map_x": "", "map_y": "", "activity": "active", "taut_band": "on",
            "found_on": timezone.localdate().isoformat(), "notes": ""}
    data.update(overrides)
    return data


def _shape(region, side, view):
    return next(s for s in bodymap.shapes(view) if s.region == region and s.side == side)


def test_a_click_on_the_map_places_the_trigger_point(clinician_client, patient):
    shape = _shape("scapula.body", "right", "back")
    response = clinician_client.post(reverse("charting:new", args=[patient.pk]), _post(
        muscle="infraspinatus", side="right", region="scapula.body", region_side="right", view="back",
        map_x=str(shape.centroid_x), map_y=str(shape.centroid_y)))
    assert response.status_code == 302
    point = TriggerPoint.objects.get()
    assert (point.muscle, point.side, point.region, point.region_side, point.view) == (
        "infraspinatus", "right", "scapula.body", "right", "back")
    assert point.taut_band and not point.jump_sign


def test_choosing_the_region_alone_uses_its_centre(clinician_client, patient):
    clinician_client.post(reverse("charting:new", args=[patient.pk]), _post())
    point = TriggerPoint.objects.get()
    shape = _shape("neck.angle", "left", point.view)
    assert (point.map_x, point.map_y) == (shape.centroid_x, shape.centroid_y)


@pytest.mark.parametrize("overrides, message", [
    ({"region_side": ""}, "needs a side"),
    ({"region": "back.sacrum", "region_side": "left"}, "midline region"),
    ({"muscle": "biceps-nowhere"}, "Select a valid choice"),
    ({"view": "back", "map_x": "1", "map_y": "1"}, "outside the body map"),
    ({"found_on": "2999-01-01"}, "cannot be in the future"),
])
def test_bad_input_is_explained_and_nothing_is_saved(clinician_client, patient, overrides, message):
    response = clinician_client.post(reverse("charting:new", args=[patient.pk]), _post(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TriggerPoint.objects.exists()


def test_the_form_is_prefilled_from_a_referral_candidate(clinician_client, patient):
    body = clinician_client.get(reverse("charting:new", args=[patient.pk]) + "?muscle=scalenes&side=right").content.decode()
    assert '<option value="scalenes" selected>' in body
    assert '<option value="right" selected>' in body


def test_resolving_a_trigger_point(clinician_client, patient):
    point = TriggerPoint.objects.create(patient=patient, muscle="piriformis", side="left", region="buttock.lower",
                                        region_side="left", view="back", map_x=1, map_y=1,
                                        found_on=timezone.localdate())
    clinician_client.post(reverse("charting:resolve", args=[point.pk]), {"version": point.version})
    point.refresh_from_db()
    assert point.resolved_on == timezone.localdate()
    assert clinician_client.get(reverse("charting:resolve", args=[point.pk])).status_code == 405
