"""The fast export path (no per-resource model check, clean skipped when nothing needs it, orjson)
writes exactly what the checked path writes: same resources, same bytes, each valid FHIR R4."""
import json

import pytest
from django.utils import translation
from hypothesis import given, settings as hypothesis_settings, strategies as st

from analytics import synth
from interop import fhir_export
from interop.fhir_export import EXPORTERS, Scope, model_class, ndjson_line
from interop.models import Installation
from interop.text import LANGUAGE, clean
from patients.models import Patient


def checked_lines(scope: Scope) -> list[bytes]:
    """The export as it was before the fast path: every resource cleaned, stamped, validated against
    fhir.resources' R4B model, then written by the standard json module."""
    lines = []
    for item in EXPORTERS:
        with translation.override(LANGUAGE):
            for built in item.produce(scope):
                resource = clean(built)
                resource.setdefault("meta", {}).setdefault("source", scope.source)
                model_class(resource["resourceType"]).model_validate(resource)
                lines.append(json.dumps(resource, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
    return lines


@pytest.mark.django_db
def test_fast_export_writes_the_checked_exports_bytes(clinic, amendment, settings):
    synth.synthesize(12, seed=21)  # courses, sessions, injections, drawings, diary, consent, adverse events
    scope = Scope(Patient.objects.all(), include_drafts=True, whole_clinic=True, source=Installation.source_uri())
    expected = checked_lines(scope)
    settings.FHIR_VALIDATE_EXPORT = False
    fast = [ndjson_line(resource) for _, resource in fhir_export.iter_resources(scope)]
    assert len(fast) == len(expected) > 500
    assert fast == expected
    kinds = {json.loads(line)["resourceType"] for line in fast}
    assert {"Patient", "Procedure", "MedicationAdministration", "Consent", "BodyStructure"} <= kinds


def test_the_check_is_a_setting_on_in_the_suite(settings):
    """With FHIR_VALIDATE_EXPORT on (the test settings), a builder's mistake fails loudly; off, it is not looked at."""
    from pydantic import ValidationError

    assert settings.FHIR_VALIDATE_EXPORT
    wrong = {"resourceType": "Coverage", "id": "1", "status": "no-such-status"}
    with pytest.raises(ValidationError):
        fhir_export.finish(dict(wrong))
    settings.FHIR_VALIDATE_EXPORT = False
    assert fhir_export.finish(dict(wrong)) == wrong


ODD = "\x00\x07\x0b\x0c\x1c\x1f\x7f\x85\x9f\ufeff\u00a0\u1680\u2003\u2028\u2029\u202f\u205f\u3000\t\n\r \"\\é€😀"
text = st.text(alphabet=st.sampled_from(ODD) | st.characters(codec="utf-8"), max_size=8)
json_like = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False) | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from("abcdef"), inner, max_size=4),
    max_leaves=12,
)


@hypothesis_settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from(["id", "note", "code", "extension"]), json_like, min_size=1, max_size=4))
def test_skipping_clean_never_changes_a_resource(resource):
    """_cleaned looks at the compact JSON to skip clean's walk; whatever the text, the result is clean's."""
    expected = clean(resource)
    got = fhir_export._cleaned(resource)
    assert json.dumps(got, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)


@pytest.mark.parametrize("value, needs", [
    ({"a": "plain text, with commas: and (brackets)"}, False),
    ({"a": "José Müller 😀"}, False),
    ({"a": "tab\tinside"}, False),
    ({"a": " leading"}, True), ({"a": "trailing "}, True), ({"a": "line\n"}, True), ({"a": ""}, True),
    ({"a": []}, True), ({"a": {}}, True), ({"a": None}, True), ({"a": "nul\x00"}, True),
    ({"a": "no\u00a0break"}, True), ({"a": "c1\x85"}, True), ({"a": "bom\ufeff"}, True),
])
def test_what_sends_a_resource_through_clean(value, needs):
    import orjson

    assert fhir_export._may_need_cleaning(orjson.dumps(value)) is needs


def test_a_fhir_answer_orjson_cannot_write_is_still_written():
    from interop.fhir_import import fhir_response

    plain = {"resourceType": "Basic", "code": {"text": "é"}}
    assert json.loads(fhir_response(plain).content) == plain
    huge = {**plain, "extension": [{"url": "https://tpclinic.invalid/x", "valueInteger": 10**30}]}  # past 64 bits: orjson refuses it
    assert json.loads(fhir_response(huge).content) == huge
