"""A session is versioned like every editable record (tpclinic/versioning.py): one mechanism, its rules.

The draft session page and the API save the session with its injections, so they claim the version
with `save_if_current(within=drafts)`: a signed session is refused even at the version that was read.
"""
import pytest
from django.utils import translation

from tpclinic import versioning
from tpclinic.versioning import MAX_VERSION, StaleVersion, parse_version
from treatment.models import Session

pytestmark = pytest.mark.django_db
DRAFTS = Session.objects.filter(status=Session.Status.DRAFT)


def test_a_draft_at_the_version_read_is_saved_and_moves_on_once(session):
    session.notes = "Tolerated well."
    session.save_if_current(1, within=DRAFTS)
    stored = Session.objects.get(pk=session.pk)
    assert (stored.version, stored.notes, session.version) == (2, "Tolerated well.", 2)  # bumped once, not twice


def test_a_stale_version_is_refused_with_what_differs_and_nothing_changes(session):
    Session.objects.filter(pk=session.pk).update(notes="Saved by a colleague.", version=2)
    mine = Session.objects.get(pk=session.pk)
    mine.notes = "Mine."
    with pytest.raises(StaleVersion) as refused:
        mine.save_if_current(1, within=DRAFTS, changes=lambda current: versioning.changes(
            current, ["notes"], {"notes": "Mine."}, None))
    assert Session.objects.get(pk=session.pk).notes == "Saved by a colleague."
    message = refused.value.message
    assert "the session changed since you read it (it is now version 2, you read version 1)" in message
    assert "“Saved by a colleague.” (you sent “Mine.”)" in message


def test_a_signed_session_is_refused_even_at_the_version_read(session):
    Session.objects.filter(pk=session.pk).update(status=Session.Status.SIGNED)
    session.notes = "Too late."
    with pytest.raises(StaleVersion):
        session.save_if_current(1, within=DRAFTS)
    assert Session.objects.get(pk=session.pk).notes == ""


@pytest.mark.parametrize("sent", [None, 0, "1", MAX_VERSION + 1])
def test_no_usable_version_says_so_in_the_readers_language(session, sent):
    with pytest.raises(StaleVersion) as refused:
        session.save_if_current(sent, within=DRAFTS)
    assert "did not say which version of the session" in refused.value.message
    with translation.override("es"):
        assert "sesión" in refused.value.message


@pytest.mark.parametrize("text, expected", [("3", 3), (" 12 ", 12), ("0", None), ("", None), (None, None),
                                            ("-1", None), ("²", None), ("1e3", None), (str(MAX_VERSION), MAX_VERSION),
                                            (str(MAX_VERSION + 1), None)])
def test_parse_version(text, expected):
    assert parse_version(text) == expected
