"""Who signs, when, and in which version: the attacks of issue 11 (items 3 and 4) on the web pages."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from safety.models import AdverseEvent
from treatment import signing
from treatment.models import CoSignature, Session
from treatment.tests.helpers import session_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(course, trigger_points):
    """Dr Ward's complete draft: pain scores, consent and two injections, performed an hour ago."""
    session = Session.objects.create(course=course, clinician=course.clinician, pain_before=7, pain_after=3,
                                     consent_recorded=True, performed_at=timezone.now() - timedelta(hours=1))
    for tp in trigger_points:
        session.injections.create(trigger_point=tp, volume_ml=2)
    return session


def test_another_clinician_cannot_sign_wards_session(client, covering_clinician, ready):
    client.force_login(covering_clinician)
    response = client.post(reverse("treatment:session_sign", args=[ready.pk]), {"version": ready.version}, follow=True)
    ready.refresh_from_db()
    assert ready.status == "draft" and ready.signed_by is None
    assert "only they sign it" in response.content.decode()
    assert not CoSignature.objects.exists()


def test_a_covering_clinician_co_signs_with_an_attestation(client, covering_clinician, ready, clinician):
    client.force_login(covering_clinician)
    client.post(reverse("treatment:session_sign", args=[ready.pk]),
                {"version": ready.version, "attestation": "Dr Ward on leave; I performed the injections."})
    ready.refresh_from_db()
    assert ready.is_signed and ready.signed_by == covering_clinician
    [cosign] = ready.cosignatures.all()
    assert (cosign.signed_by, cosign.on_behalf_of, cosign.reason) == (
        covering_clinician, clinician, "Dr Ward on leave; I performed the injections.")
    event = AuditEvent.objects.get(action=Action.COSIGN)
    assert event.object_id == str(ready.pk) and event.user_id == covering_clinician.pk
    assert event.before["status"] == "draft" and event.after["status"] == "signed"
    assert event.after["attestation"] == "Dr Ward on leave; I performed the injections."
    assert event.after["on_behalf_of"] == clinician.pk
    page = client.get(reverse("treatment:session", args=[ready.pk])).content.decode()
    assert "Co-signed by Chidi Okafor for Alice Ward" in page and "Dr Ward on leave" in page


def test_the_sessions_own_clinician_signs_and_the_trail_says_sign(clinician_client, ready, clinician):
    clinician_client.post(reverse("treatment:session_sign", args=[ready.pk]), {"version": ready.version})
    ready.refresh_from_db()
    assert ready.is_signed and ready.signed_by == clinician and not ready.cosignatures.exists()
    assert AuditEvent.objects.filter(action="sign", object_id=str(ready.pk), user=clinician).exists()


@pytest.mark.parametrize("ahead, signs", [(timedelta(days=2), False), (timedelta(minutes=5), False),
                                          (timedelta(0), True), (-timedelta(days=3), True)])
def test_nothing_is_signed_before_it_was_performed(clinician, ready, ahead, signs):
    when = timezone.now() + ahead
    Session.objects.filter(pk=ready.pk).update(performed_at=when)
    ready.refresh_from_db()
    if signs:
        assert signing.sign(ready, clinician, ready.version).is_signed
    else:
        with pytest.raises(signing.SignRefused) as refused:
            signing.sign(ready, clinician, ready.version)
        assert refused.value.kind == "not-yet"
        assert Session.objects.get(pk=ready.pk).status == "draft"


def test_saving_and_signing_a_future_session_keeps_the_draft(clinician_client, course, trigger_points):
    session = Session.objects.create(course=course, clinician=course.clinician, consent_recorded=True)
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = clinician_client.post(reverse("treatment:session", args=[session.pk]),
                                     session_post(session, trigger_points, performed_at=future, sign="1"), follow=True)
    session.refresh_from_db()
    assert session.status == "draft" and session.pain_before == 7
    assert "has not come yet" in response.content.decode()


@pytest.mark.parametrize("version", [None, "", "0", "-1", "abc", str(2**70), "²"])
def test_a_save_without_the_current_version_is_refused_and_overwrites_nothing(clinician_client, course,
                                                                              trigger_points, version):
    session = Session.objects.create(course=course, clinician=course.clinician, notes="first", pain_before=6)
    post = session_post(session, trigger_points, notes="overwritten", pain_before="")
    if version is None:
        del post["version"]
    else:
        post["version"] = version
    response = clinician_client.post(reverse("treatment:session", args=[session.pk]), post)
    assert response.status_code == 200
    session.refresh_from_db()
    assert (session.notes, session.pain_before, session.version) == ("first", 6, 1)
    assert not session.injections.exists()
    page = response.content.decode()
    assert "did not say which version" in page and "\noverwritten</textarea>" in page


def test_signing_needs_the_version_read(clinician_client, ready):
    for sent in ({}, {"version": ready.version + 1}):
        clinician_client.post(reverse("treatment:session_sign", args=[ready.pk]), sent)
        assert Session.objects.get(pk=ready.pk).status == "draft"


@pytest.fixture
def event(ready, clinician):
    Session.objects.filter(pk=ready.pk).update(status="signed")
    return AdverseEvent.objects.create(session=ready, kind="vasovagal", severity="mild", action="Lay flat",
                                       onset_at=ready.performed_at + timedelta(minutes=5), recorded_by=clinician)


def _event_post(event, **changes):
    data = {"kind": event.kind, "injection": "", "severity": event.severity, "action": event.action,
            "outcome": event.outcome, "follow_up": "",
            "onset_at": timezone.localtime(event.onset_at).strftime("%Y-%m-%dT%H:%M"), "version": str(event.version)}
    data.update(changes)
    return data


def test_an_adverse_event_update_names_its_version(clinician_client, event):
    url = reverse("safety:adverse_event_edit", args=[event.pk])
    clinician_client.post(url, _event_post(event, outcome="resolved", follow_up="Well at the call"))
    event.refresh_from_db()
    assert (event.outcome, event.follow_up, event.version) == ("resolved", "Well at the call", 2)


@pytest.mark.parametrize("version", [None, "0", "1"])
def test_an_adverse_event_update_without_the_current_version_overwrites_nothing(clinician_client, event, version):
    AdverseEvent.objects.filter(pk=event.pk).update(outcome="hospitalised", version=2)
    post = _event_post(event, outcome="resolved")
    if version is None:
        del post["version"]
    else:
        post["version"] = version
    response = clinician_client.post(reverse("safety:adverse_event_edit", args=[event.pk]), post)
    event.refresh_from_db()
    assert (event.outcome, event.version) == ("hospitalised", 2)
    page = response.content.decode()
    assert "Nothing was saved" in page
    if version == "1":
        assert "Hospitalised" in page or "hospitalised" in page  # what the record now says


def test_signing_moves_the_version_on_so_a_reader_of_the_draft_is_stale(clinician, ready):
    read = ready.version
    signed = signing.sign(ready, clinician, read)
    assert signed.version == read + 1
    event = AuditEvent.objects.get(action=Action.SIGN, object_id=str(ready.pk))
    assert (event.before["version"], event.after["version"]) == (read, read + 1)  # the audit says so too
    with pytest.raises(signing.SignRefused) as again:
        signing.sign(Session.objects.get(pk=ready.pk), clinician, read)
    assert again.value.kind == "signed"


def test_the_audit_chain_is_locked_only_at_the_end_of_the_signing_transaction(clinician, ready):
    """The chain's head row is a lock every audited request on every app server waits for: signing
    takes it last (the sign event), after the note and the schedule, so it is held only to the commit."""
    from django.db import connection

    statements = []

    def spy(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        signing.sign(ready, clinician, ready.version)
    locked = next(i for i, sql in enumerate(statements) if "audit_chainhead" in sql)  # FOR UPDATE on PostgreSQL
    committed = max(i for i, sql in enumerate(statements) if sql.startswith("RELEASE SAVEPOINT"))  # the signing's own
    after = [sql for sql in statements[locked:committed] if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert any('"treatment_procedurenote"' in sql for sql in statements[:locked])
    assert all("audit_" in sql for sql in after), after
