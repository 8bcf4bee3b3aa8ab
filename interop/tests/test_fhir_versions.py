"""Kept versions (interop/fhir_versions.py): a version per change of content, and a race that loses to
another request's identical version uses theirs."""
import pytest

from interop import fhir_versions as versions
from interop.models import ResourceVersion

pytestmark = pytest.mark.django_db
BASIC = {"resourceType": "Basic", "id": "7", "code": {"text": "first"}}


def test_a_version_is_kept_per_change_of_content_not_per_stamp():
    first = versions.stamp([dict(BASIC)])[0]
    again = versions.stamp([dict(BASIC)])[0]
    changed = versions.stamp([{**BASIC, "code": {"text": "second"}}])[0]
    assert [first["meta"]["versionId"], again["meta"]["versionId"], changed["meta"]["versionId"]] == ["1", "1", "2"]
    assert again["meta"]["lastUpdated"] == first["meta"]["lastUpdated"]
    assert versions.latest_of([BASIC, {**BASIC, "id": "8"}]) == {
        ("Basic", "7"): versions.Kept(2, versions.digest(changed), versions.history("Basic", "7")[0].last_updated)}


def test_a_version_another_request_recorded_first_is_used(monkeypatch):
    """Two requests read no version and both record version 1: the second gets the first's row, no error."""
    theirs = versions.stamp([dict(BASIC)])[0]
    reads, real = [], versions.latest_of

    def read_before_they_wrote(resources):
        reads.append(resources)
        return {} if len(reads) == 1 else real(resources)

    monkeypatch.setattr(versions, "latest_of", read_before_they_wrote)
    ours = versions.stamp([dict(BASIC)])[0]
    assert ours["meta"] == theirs["meta"]
    assert ResourceVersion.objects.filter(resource_type="Basic", resource_id="7").count() == 1
    assert len(reads) == 2  # the stale read, then theirs after the insert was refused
