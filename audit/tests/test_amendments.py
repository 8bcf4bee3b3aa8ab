"""Signed notes are never changed in place: amendments are added beneath them, append-only."""
import pytest
from django.db import DatabaseError, connection, transaction
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from audit.models import Action, Amendment, AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


def test_a_clinician_amends_a_signed_session_and_the_original_stays(clinician_client, clinician, small_clinic):
    signed = small_clinic["signed"]
    before = (signed.notes, signed.pain_before, signed.pain_after, signed.status, signed.version, signed.updated_at)
    page = clinician_client.get(reverse("audit:amend_session", args=[signed.pk]))
    assert page.status_code == 200 and "Tolerated well." in page.content.decode()
    response = clinician_client.post(reverse("audit:amend_session", args=[signed.pk]), {
        "reason": "Late entry", "text": "Patient phoned: mild soreness for a day, settled with ice.",
    })
    assert response.status_code == 302 and response.url == reverse("treatment:session", args=[signed.pk])
    [amendment] = Amendment.objects.all()
    assert (amendment.record, amendment.patient, amendment.author, amendment.reason) == (
        signed, small_clinic["patient"], clinician, "Late entry")
    signed.refresh_from_db()
    assert (signed.notes, signed.pain_before, signed.pain_after, signed.status, signed.version, signed.updated_at) == before
    # the signed page still reads as signed
    assert clinician_client.get(reverse("treatment:session", args=[signed.pk])).status_code == 200
    [event] = AuditEvent.objects.filter(action=Action.AMEND)
    assert (event.object_type, event.object_id, event.patient_id, event.username) == (
        "treatment.session", str(signed.pk), small_clinic["patient"].pk, clinician.username)
    assert event.after == {"amendment": amendment.pk, "reason": "Late entry",
                           "text": "Patient phoned: mild soreness for a day, settled with ice."}


def test_a_nurse_can_amend_too_and_a_reason_is_required(client, nurse, small_clinic):
    client.force_login(nurse)
    url = reverse("audit:amend_session", args=[small_clinic["signed"].pk])
    refused = client.post(url, {"reason": "  ", "text": "Something"})
    assert refused.status_code == 200 and "Say why" in refused.content.decode()
    assert not Amendment.objects.exists()
    assert client.post(url, {"reason": "Correction", "text": "Needle was 30 mm, not 38 mm."}).status_code == 302
    assert Amendment.objects.get().author == nurse


def test_drafts_are_edited_not_amended(clinician_client, small_clinic):
    response = clinician_client.post(reverse("audit:amend_session", args=[small_clinic["draft"].pk]),
                                     {"reason": "x", "text": "y"})
    assert response.status_code == 302 and not Amendment.objects.exists()


def test_the_front_desk_cannot_amend(client, front_desk, small_clinic):
    client.force_login(front_desk)
    assert client.post(reverse("audit:amend_session", args=[small_clinic["signed"].pk]),
                       {"reason": "x", "text": "y"}).status_code == 403


def test_the_snippet_lists_amendments_oldest_first_with_author_time_and_reason(clinician, nurse, small_clinic):
    signed = small_clinic["signed"]
    from django.contrib.contenttypes.models import ContentType

    for author, reason in [(clinician, "Late entry"), (nurse, "Correction")]:
        Amendment.objects.create(content_type=ContentType.objects.get_for_model(signed), object_id=signed.pk,
                                 patient=small_clinic["patient"], reason=reason, text=f"By {author.username}",
                                 author=author)
    request = RequestFactory().get("/")
    request.user = clinician
    html = render_to_string("audit/_amendments.html", {"session": signed}, request=request)
    assert html.index("Late entry") < html.index("Correction")
    assert "By clinician" in html and "By nurse" in html and "Alice Ward" in html
    assert reverse("audit:amend_session", args=[signed.pk]) in html
    request.user = small_clinic["patient"].user or clinician.__class__(username="x")
    html_again = render_to_string("audit/_amendments.html", {"record": signed}, request=RequestFactory().get("/"))
    assert "Late entry" in html_again and reverse("audit:amend_session", args=[signed.pk]) not in html_again


def test_amendments_are_append_only(clinician, small_clinic):
    from django.contrib.contenttypes.models import ContentType

    signed = small_clinic["signed"]
    amendment = Amendment.objects.create(content_type=ContentType.objects.get_for_model(signed), object_id=signed.pk,
                                         patient=small_clinic["patient"], reason="r", text="t", author=clinician)
    amendment.text = "rewritten"
    with pytest.raises(AppendOnlyError):
        amendment.save()
    with pytest.raises(AppendOnlyError):
        amendment.delete()
    with pytest.raises(AppendOnlyError):
        Amendment.objects.all().delete()
    for statement in ("UPDATE audit_amendment SET text = 'x'", "DELETE FROM audit_amendment"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert Amendment.objects.get().text == "t"
