"""The JSON-schema check's fast path (jsonschema-rs) never lets through what jsonschema refuses
(interop/fhir_schema.py)."""
import pytest

from interop import fhir_schema

PATIENT = {"resourceType": "Patient", "name": [{"family": "Ng", "given": ["Mai"]}], "gender": "female",
           "birthDate": "1980-01-02"}


@pytest.mark.parametrize("resource, wrong", [
    ({**PATIENT, "gender": "sometimes"}, "gender"),
    ({**PATIENT, "birthDate": "1980-13-40"}, "birthDate"),
    ({**PATIENT, "name": [{"family": ""}]}, "name.0.family"),
])
def test_what_the_schema_refuses_is_refused_and_worded_by_jsonschema(resource, wrong):
    assert fhir_schema.errors(PATIENT) == []
    problems = fhir_schema.errors(resource)
    assert problems and problems[0].startswith(f"{wrong}: ")


@pytest.mark.parametrize("character", ["\x1c", "\x1f"])
def test_a_control_character_the_fast_check_would_pass_still_goes_to_jsonschema(character):
    odd = {**PATIENT, "name": [{"family": f"Ng{character}", "given": ["Mai"]}]}
    assert fhir_schema._fast().is_valid(odd)  # Rust's \s is not Python's: the fast check alone would let it in
    assert fhir_schema.errors(odd)
