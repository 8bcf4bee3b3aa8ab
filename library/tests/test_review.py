"""Clinical review of patient texts: who may approve, what changes, what patients see."""
import pytest
from django.urls import reverse

from audit.models import AuditEvent
from library import review
from library.models import TextReview

CONSENT_EN = ("consent", "form", "en")
pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(clinician):
    clinician.groups.add(review.reviewers_group())
    return clinician


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


def test_every_patient_text_is_listed_once_in_every_language():
    idents = [text.ident for text in review.texts()]
    assert len(idents) == len(set(idents))
    kinds = {kind for kind, _, _ in idents}
    assert kinds == {"article", "consent", "handout"}
    assert {("consent", "form", lang) for lang in ("en", "es", "ar")} <= set(idents)
    assert ("article", "plantar-fasciitis", "ar") in idents


def test_texts_start_as_drafts():
    assert {status.state for status in review.statuses()} == {review.DRAFT}


def test_approving_makes_the_current_wording_reviewed_and_is_audited(reviewer):
    text = review.find(*CONSENT_EN)
    saved = review.approve(text, reviewer, note="checked against FPnotebook")
    status = review.status_of(*CONSENT_EN)
    assert status.state == review.REVIEWED and status.review == saved
    assert saved.reviewer_name == "Alice Ward" and saved.fingerprint == text.fingerprint
    event = AuditEvent.objects.get(object_type="library.textreview", object_id=str(saved.pk))
    assert event.action == "create" and "draft -> reviewed" in event.detail and event.username == "clinician"
    # the other languages of the same form are still drafts
    assert review.status_of("consent", "form", "ar").state == review.DRAFT


def test_a_changed_wording_falls_back_to_draft(reviewer):
    text = review.find(*CONSENT_EN)
    review.approve(text, reviewer)
    TextReview.objects.filter(key="form").update(fingerprint="0" * 64)  # as if the text changed since
    status = review.status_of(*CONSENT_EN)
    assert status.state == review.DRAFT and status.review is None and status.last_review is not None


@pytest.mark.parametrize("who", ["nurse", "front_desk", "administrator", "clinician"])
def test_only_a_clinician_with_the_reviewer_role_may_approve(request, who):
    user = request.getfixturevalue(who)  # the plain clinician is not in the reviewers group
    with pytest.raises(review.ReviewRefused):
        review.approve(review.find(*CONSENT_EN), user)
    assert not TextReview.objects.exists()


def test_review_pages_refuse_other_staff(client, nurse, clinician):
    for user in (nurse, clinician):
        client.force_login(user)
        assert client.get(reverse("library:review_list")).status_code == 403
        url = reverse("library:review_text", args=CONSENT_EN)
        assert client.post(url, {"confirm": "yes"}).status_code == 403
    assert not TextReview.objects.exists()


def test_reviewer_reads_and_approves_a_text_on_its_page(reviewer_client):
    listing = reviewer_client.get(reverse("library:review_list")).content.decode()
    assert "Consent to trigger point injection" in listing and "Draft" in listing
    url = reverse("library:review_text", args=("article", "plantar-fasciitis", "ar"))
    page = reviewer_client.get(url).content.decode()
    assert "اللفافة الأخمصية" in page and 'dir="rtl"' in page
    unconfirmed = reviewer_client.post(url, {"note": "ok"})
    assert unconfirmed.status_code == 200 and not TextReview.objects.exists()
    response = reviewer_client.post(url, {"confirm": "yes", "note": "ok"})
    assert response.status_code == 302
    assert review.status_of("article", "plantar-fasciitis", "ar").state == review.REVIEWED


def test_unknown_text_is_404(reviewer_client):
    assert reviewer_client.get(reverse("library:review_text", args=("article", "no-such", "en"))).status_code == 404


def test_patients_see_who_reviewed_an_article_and_when(client, reviewer):
    url = reverse("library:article", args=["plantar-fasciitis"])
    before = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Draft, not yet clinically reviewed" in before and "Reviewed by" not in before
    review.approve(review.find("article", "plantar-fasciitis", "en"), reviewer)
    after = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Reviewed by Alice Ward on" in after
    # the Arabic version has its own review state
    arabic = client.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "Reviewed by Alice Ward" not in arabic


def test_consent_and_handout_notes_follow_the_review(reviewer):
    from django.template import Context, Template
    from django.utils import translation

    template = Template('{% load text_review %}{% text_review_note "handout" "handout" lang %}')
    with translation.override("es"):
        assert "Borrador" in template.render(Context({"lang": "es"}))
    review.approve(review.find("handout", "handout", "es"), reviewer)
    with translation.override("es"):
        assert "Revisado por Alice Ward el" in template.render(Context({"lang": "es"}))
