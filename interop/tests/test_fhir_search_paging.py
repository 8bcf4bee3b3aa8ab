"""A whole-clinic search with nothing to match on content is counted and paged in the database (issue 16):
only the page's resources are built, and the answer is the one the content-matching path gives."""
import pytest

from interop import fhir_export, fhir_server
from patients.models import Patient

from interop.tests.test_fhir_server import fhir, ids  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_patients(patient):
    for n in range(7):
        Patient.objects.create(mrn=f"PG{n}", given_name=f"Given{n}", family_name=f"Family{n}", birth_date="1980-01-01")
    return list(Patient.objects.order_by("pk").values_list("pk", flat=True))


@pytest.fixture
def built(monkeypatch):
    """How many resources the exporters finished, per request."""
    counter = {"n": 0}
    finish = fhir_export.finish

    def counting(resource, source):
        counter["n"] += 1
        return finish(resource, source)
    monkeypatch.setattr(fhir_export, "finish", counting)
    return counter


def pages(fhir, user, built, **params):
    """Every page of a search, following its next links: (bundles, resources built for each page)."""
    bundles, counts = [], []
    built["n"] = 0
    body = fhir.search("/fhir/Patient", user, **params)
    while True:
        bundles.append(body)
        counts.append(built["n"])
        following = [link["url"] for link in body["link"] if link["relation"] == "next"]
        if not following:
            return bundles, counts
        built["n"] = 0
        body = fhir.get(following[0], user).json()


def without_times(bundle):
    """The bundle less what differs between two requests (its id, time stamp and links' host)."""
    return [(e["resource"]["id"], e["search"]["mode"], {k: v for k, v in e["resource"].items() if k != "meta"})
            for e in bundle.get("entry", [])] + [bundle["total"], [link["relation"] for link in bundle["link"]]]


@pytest.mark.parametrize("count", [1, 3, 8, 50])
def test_pages_build_at_most_their_size_and_equal_the_content_path(fhir, clinician, many_patients, built,
                                                                   monkeypatch, count):
    fast, fast_built = pages(fhir, clinician, built, _count=count)
    assert all(n <= count for n in fast_built)
    assert [i for b in fast for i in ids(b)] == [str(pk) for pk in many_patients]
    assert {b["total"] for b in fast} == {len(many_patients)}
    monkeypatch.setattr(fhir_server, "ROWS_IN_SCOPE", {})  # the content-matching path, which builds every one
    slow, slow_built = pages(fhir, clinician, built, _count=count)
    assert slow_built[0] == len(many_patients)
    assert [without_times(b) for b in fast] == [without_times(b) for b in slow]


def test_an_offset_past_the_end_and_a_count_only_summary_build_nothing(fhir, clinician, many_patients, built):
    body = fhir.search("/fhir/Patient", clinician, _offset=100)
    assert body["total"] == len(many_patients) and not ids(body) and built["n"] == 0
    body = fhir.search("/fhir/Patient", clinician, _offset="9" * 25)  # past any database integer: still empty
    assert body["total"] == len(many_patients) and not ids(body) and built["n"] == 0
    body = fhir.search("/fhir/Patient", clinician, _summary="count")
    assert body["total"] == len(many_patients) and built["n"] == 0


def test_a_content_parameter_still_matches_on_content(fhir, clinician, many_patients, built):
    body = fhir.search("/fhir/Patient", clinician, family="Family3")
    assert body["total"] == 1 and built["n"] == len(many_patients)  # the content path looked at every one
