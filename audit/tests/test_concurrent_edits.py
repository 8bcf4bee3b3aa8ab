"""Two people editing the same draft: the second save is refused with a clear message, and what
the second person typed is kept (audit.RejectedEdit) rather than lost."""
import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from audit.models import AppendOnlyError, RejectedEdit
from audit.rejected import keep

pytestmark = pytest.mark.django_db


def session_post(session, **overrides):
    data = {
        "version": str(session.version), "performed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "pain_before": "7", "pain_after": "3", "immediate_relief_pct": "", "notes": "",
        "injections-TOTAL_FORMS": "0", "injections-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


@pytest.fixture
def two_editors(clinician, nurse):
    first, second = Client(), Client()
    first.force_login(clinician)
    second.force_login(nurse)
    return first, second


def test_the_second_save_of_the_same_version_is_refused_with_a_clear_message(two_editors, small_clinic):
    draft = small_clinic["draft"]
    first, second = two_editors
    url = reverse("treatment:session", args=[draft.pk])
    assert first.post(url, session_post(draft, notes="Saved first")).status_code == 302
    refused = second.post(url, session_post(draft, notes="Typed second"), follow=True)
    text = refused.content.decode()
    assert "the session changed since you read it" in text and "Saved first" in text  # says what changed
    draft.refresh_from_db()
    assert draft.notes == "Saved first" and draft.version == 2


def test_the_refused_version_is_kept_and_shown_to_its_author(two_editors, nurse, small_clinic):
    draft = small_clinic["draft"]
    first, second = two_editors
    url = reverse("treatment:session", args=[draft.pk])
    first.post(url, session_post(draft, notes="Saved first"))
    refused = second.post(url, session_post(draft, notes="Typed second"), follow=True)
    kept = RejectedEdit.objects.get()
    assert (kept.user, kept.record, kept.data["notes"], kept.base_version, kept.current_version) == (
        nurse, draft, "Typed second", 1, 2)
    assert reverse("audit:rejected", args=[kept.pk]) in refused.content.decode()


def _request(user):
    request = RequestFactory().post("/")
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_keep_stores_what_was_typed_and_links_to_it(nurse, clinician, administrator, small_clinic):
    draft = small_clinic["draft"]
    data = QueryDict(mutable=True)
    data.update({"csrfmiddlewaretoken": "secret", "version": "1", "notes": "Typed second", "pain_before": "5"})
    request = _request(nurse)
    kept = keep(request, draft, data)
    assert kept.data == {"version": "1", "notes": "Typed second", "pain_before": "5"}
    assert (kept.user, kept.patient, kept.base_version, kept.current_version) == (nurse, small_clinic["patient"], 1, 1)
    [message] = list(request._messages)
    assert reverse("audit:rejected", args=[kept.pk]) in str(message)

    author = Client()
    author.force_login(nurse)
    page = author.get(reverse("audit:rejected", args=[kept.pk]))
    assert page.status_code == 200 and "Typed second" in page.content.decode()
    admin = Client()
    admin.force_login(administrator)
    assert admin.get(reverse("audit:rejected", args=[kept.pk])).status_code == 200
    colleague = Client()
    colleague.force_login(clinician)
    assert colleague.get(reverse("audit:rejected", args=[kept.pk])).status_code == 404

    with pytest.raises(AppendOnlyError):
        kept.delete()
