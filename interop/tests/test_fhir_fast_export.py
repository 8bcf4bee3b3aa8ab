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


@pytest.fixture
def odd_clinic(clinic, amendment, django_user_model):
    """The interop clinic (mixtures, lots, drafts, consent, adverse events, drawings, an amendment) plus what
    the `values()` builders must word exactly as the models do: a written procedure note, an examination
    finding, a booking, an ultrasound still, non-ASCII and space-edged names, a signed session with no
    stored CPT code and no optional field set, and a user with no name at all."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from conftest import make_appointment
    from referral.models import ExaminationFinding
    from treatment import note
    from treatment.models import Injection, Session

    patient, clinician = clinic["patient"], clinic["clinician"]
    patient.given_name, patient.family_name = "Zoë", "Núñez-Øster 李"
    patient.save()
    clinician.first_name, clinician.last_name = " Ángel", "Müller "
    clinician.save()
    note.write_for(clinic["signed"], "en")
    ExaminationFinding.objects.create(drawing=clinic["drawing"], muscle="upper-trapezius", side="left",
                                      finding="local-twitch", present=True, recorded_by=clinic["nurse"],
                                      trigger_point=clinic["neck"])
    make_appointment(clinic["course"])
    nameless = django_user_model.objects.create_user("nameless")
    bare = Session.objects.create(course=clinic["course"], clinician=nameless, status="signed",
                                  performed_at=timezone.now() - timedelta(days=14))
    still = Injection.objects.create(session=bare, trigger_point=clinic["levator"], agent="lidocaine",
                                     concentration_pct="0.50", volume_ml="1.00", guidance="ultrasound")
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")
    still.ultrasound_image.save("still.png", ContentFile(png), save=True)
    return clinic


@pytest.mark.django_db
def test_every_resource_type_of_odd_records_is_written_as_checked(odd_clinic, settings):
    """Every exporter, on records with every odd value we know of: the fast path's bytes are the checked
    path's (each resource validated against the R4 models), and each resource passes HL7's JSON schema."""
    from interop.tests.conftest import schema_errors

    scope = Scope(Patient.objects.all(), include_drafts=True, whole_clinic=True, source=Installation.source_uri())
    expected = checked_lines(scope)
    settings.FHIR_VALIDATE_EXPORT = False
    fast = [line for _, line in fhir_export.iter_lines(scope)]
    assert fast == expected
    resources = [json.loads(line) for line in fast]
    assert {r["resourceType"] for r in resources} == set(fhir_export.resource_types())
    assert [error for r in resources for error in schema_errors(r)] == []
    by_id = {(r["resourceType"], r["id"]): r for r in resources}
    mixture = by_id[("MedicationAdministration", str(odd_clinic["signed"].injections.get(agent="lidocaine").pk))]
    assert [c["id"] for c in mixture["contained"]] == ["agent-0", "agent-1", "agent-2", "syringe"]
    assert by_id[("Patient", str(odd_clinic["patient"].pk))]["name"][0]["given"] == ["Zoë"]
    performer = by_id[("Procedure", str(odd_clinic["signed"].pk))]["performer"][0]["actor"]["display"]
    assert performer == "Ángel Müller"  # as User.get_full_name() words it, trimmed at the ends
    assert [n["text"] for n in by_id[("Procedure", str(odd_clinic["signed"].pk))]["note"]][1].startswith("PROCEDURE")


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
