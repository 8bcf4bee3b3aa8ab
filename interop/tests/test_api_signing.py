"""Signing and versions through the API: the attacks of issue 11 (items 3 and 4) on /api/v1/sessions."""
from datetime import timedelta

import pytest
from django.utils import timezone

from interop.tests.conftest import problem
from safety.models import AdverseEvent
from treatment.models import CoSignature, Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def wards_draft(clinic):
    """Dr Ward's complete draft, performed this morning."""
    draft = clinic["draft"]
    Session.objects.filter(pk=draft.pk).update(pain_after=1, consent_recorded=True,
                                               performed_at=timezone.now() - timedelta(hours=2))
    draft.refresh_from_db()
    return draft


def test_wards_session_signed_by_okafor_is_refused(api, wards_draft, covering_clinician):
    body = problem(api.post(f"/api/v1/sessions/{wards_draft.pk}/sign", {"version": wards_draft.version},
                            user=covering_clinician), 403)
    assert "Alice Ward" in body["detail"] and "attestation" in body["detail"]
    assert Session.objects.get(pk=wards_draft.pk).status == "draft"


def test_okafor_co_signs_with_an_attestation(api, wards_draft, covering_clinician, clinician):
    response = api.post(f"/api/v1/sessions/{wards_draft.pk}/sign",
                        {"version": wards_draft.version, "attestation": "Covering Dr Ward's clinic today."},
                        user=covering_clinician)
    assert response.status_code == 200, response.content
    assert response.json()["signed_by"] == covering_clinician.pk
    cosign = CoSignature.objects.get(session=wards_draft)
    assert (cosign.on_behalf_of, cosign.reason) == (clinician, "Covering Dr Ward's clinic today.")


def test_a_session_dated_two_days_ahead_is_not_signed(api, wards_draft, clinician):
    Session.objects.filter(pk=wards_draft.pk).update(performed_at=timezone.now() + timedelta(days=2))
    body = problem(api.post(f"/api/v1/sessions/{wards_draft.pk}/sign", {"version": wards_draft.version},
                            user=clinician), 422)
    assert "has not come yet" in body["detail"]
    assert Session.objects.get(pk=wards_draft.pk).status == "draft"


@pytest.mark.parametrize("body", [None, {}, {"version": 0}])
def test_signing_without_the_version_read_is_refused(api, wards_draft, clinician, body):
    response = api.post(f"/api/v1/sessions/{wards_draft.pk}/sign", body, user=clinician)
    assert "which version" in problem(response, 409)["detail"]
    assert Session.objects.get(pk=wards_draft.pk).status == "draft"


@pytest.mark.parametrize("body", [{"notes": "mine"}, {"version": 0, "notes": "mine"}])
def test_an_update_without_a_version_overwrites_nothing(api, wards_draft, nurse, body):
    response = api.patch(f"/api/v1/sessions/{wards_draft.pk}", body, user=nurse)
    assert response.status_code == 422 and "version" in response.json()["detail"]
    assert Session.objects.get(pk=wards_draft.pk).notes == wards_draft.notes


def test_a_stale_update_is_a_409_naming_what_changed(api, wards_draft, nurse):
    Session.objects.filter(pk=wards_draft.pk).update(notes="Saved by the clinician", version=wards_draft.version + 1)
    body = problem(api.patch(f"/api/v1/sessions/{wards_draft.pk}", {"version": wards_draft.version, "notes": "mine"},
                             user=nurse), 409)
    assert "Saved by the clinician" in body["detail"] and "mine" in body["detail"]
    assert Session.objects.get(pk=wards_draft.pk).notes == "Saved by the clinician"


@pytest.fixture
def event(wards_draft, clinician):
    return AdverseEvent.objects.create(session=wards_draft, kind="flare", severity="mild", action="Ice",
                                       onset_at=wards_draft.performed_at + timedelta(minutes=30), recorded_by=clinician)


def test_an_adverse_event_is_updated_with_its_version(api, event, nurse):
    response = api.patch(f"/api/v1/adverse-events/{event.pk}", {"version": 1, "outcome": "resolved"}, user=nurse)
    assert response.status_code == 200, response.content
    assert (response.json()["outcome"], response.json()["version"]) == ("resolved", 2)


@pytest.mark.parametrize("body", [{"outcome": "resolved"}, {"version": 0, "outcome": "resolved"},
                                  {"version": 1, "outcome": "resolved"}])
def test_an_adverse_event_update_without_the_current_version_is_a_409(api, event, nurse, body):
    AdverseEvent.objects.filter(pk=event.pk).update(follow_up="Seen in clinic", version=2)
    detail = problem(api.patch(f"/api/v1/adverse-events/{event.pk}", body, user=nurse), 409)["detail"]
    assert "version" in detail
    event.refresh_from_db()
    assert (event.outcome, event.version) == ("ongoing", 2)
