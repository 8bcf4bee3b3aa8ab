"""The shipped data: NUCC taxonomy codes and the complaint -> specialty mapping, and the search over them."""
import pytest
from django.core.exceptions import ValidationError

from directory import taxonomy
from directory.search import (
    ComplaintError, complaints, load_complaints, match_complaints, specialties_for, specialty_scores_for_codes,
)
from directory.taxonomy import TaxonomyError, load_taxonomy
from directory.validators import canonical_tag, validate_language_tags, validate_taxonomy_code

PT, OT = "225100000X", "225X00000X"
ORTHO, ORTHO_SPORTS, PMR, PMR_SPORTS = "207X00000X", "207XX0005X", "208100000X", "2081S0010X"
PAIN = {"208VP0000X", "2081P2900X", "207LP2900X"}


def codes(query):
    return [code for code, _score in specialties_for(query)]


def test_nucc_data_loads_with_sources_and_confidence():
    data = taxonomy.taxonomy()
    assert len(data) >= 25
    for item in data.values():
        assert taxonomy.CODE.match(item.code)
        assert item.source.startswith("NUCC Health Care Provider Taxonomy code set v25.1")
        assert item.confidence in {"confirmed", "recalled"}
    # The correction from the research notes: 225X00000X is Occupational Therapist, PT is 225100000X.
    assert data[OT].classification == "Occupational Therapist"
    assert data[PT].classification == "Physical Therapist"
    assert data[ORTHO].confidence == "confirmed"
    assert data["208VP0000X"].confidence == "recalled"
    assert {"207X00000X", "207Q00000X", "207R00000X", "363L00000X", "363A00000X", "2251P0200X"} == {
        code for code, item in data.items() if item.confidence == "confirmed"}


def test_taxonomy_family_and_parent():
    assert taxonomy.family(PT) >= {PT, "2251X0800X", "2251S0007X", "2251P0200X"}
    assert OT not in taxonomy.family(PT)
    assert taxonomy.family("2251X0800X") == {"2251X0800X"}
    assert taxonomy.classification_code("2251X0800X") == PT
    assert taxonomy.classification_code("208VP0000X") is None  # no classification-level code shipped
    assert str(taxonomy.label(PT)) == "Physical therapy"


def test_code_validator_accepts_shipped_codes_only():
    validate_taxonomy_code(PT)
    for bad in ["225100000", "999999999X", "", "physical therapist"]:
        with pytest.raises(ValidationError):
            validate_taxonomy_code(bad)


def test_bad_taxonomy_files_are_refused(tmp_path):
    header = "code,grouping,classification,specialization,display_name,source,confidence,note\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(header + "12345,G,C,,D,S,recalled,\n")
    with pytest.raises(TaxonomyError, match="not a NUCC taxonomy code"):
        load_taxonomy(bad)
    bad.write_text(header + "225100000X,G,C,,D,,recalled,\n")
    with pytest.raises(TaxonomyError, match="source"):
        load_taxonomy(bad)
    bad.write_text("code,name\n225100000X,PT\n")
    with pytest.raises(TaxonomyError, match="columns"):
        load_taxonomy(bad)


def test_complaints_file_is_valid_and_bilingual():
    found = complaints()
    keys = {complaint.key for complaint in found}
    assert {"knee-pain", "neck-pain", "back-pain", "headache", "shoulder-pain", "heel-pain", "ankle",
            "myofascial-pain"} <= keys
    for complaint in found:
        assert complaint.synonyms["en"] and complaint.synonyms["es"]
        assert all(taxonomy.is_known(code) for code, _weight in complaint.specialties)


def test_bad_complaints_file_is_refused(tmp_path):
    bad = tmp_path / "complaints.toml"
    bad.write_text(
        '[[complaint]]\nkey = "x"\nregions = ["elbowz.*"]\nlabel = { en = "X" }\n'
        'synonyms.en = ["x"]\nspecialties = [{ code = "000000000X", weight = 2 }]\n'
    )
    with pytest.raises(ComplaintError) as error:
        load_complaints(bad)
    text = str(error.value)
    assert "no synonyms in es" in text and "000000000X is not in nucc_taxonomy.csv" in text
    assert "weight" in text and "matches no body region" in text


@pytest.mark.parametrize("query", ["knee pain", "dolor de rodilla", "Dolor de rodílla", "rodillas", "ألم الركبة",
                                   "knee.front:left", "sore knees"])
def test_knee_complaints_find_orthopaedics_sports_medicine_pt_and_pmr(query):
    found = codes(query)
    assert found[:2] == sorted([ORTHO, ORTHO_SPORTS])
    assert {PT, PMR, PMR_SPORTS} <= set(found)
    assert not PAIN & set(found)


@pytest.mark.parametrize("query, expected", [
    ("neck pain", PAIN | {PMR, PT}),
    ("dolor de cuello", PAIN | {PMR, PT}),
    ("my back hurts", PAIN | {PMR, PT}),
    ("headache", {"208VP0000X", "2084N0400X", PT}),
    ("shoulder pain", {PT, ORTHO, PMR}),
    ("plantar fasciitis", {PT, PMR, "207XX0004X"}),
    ("dolor de talón", {PT, PMR, "207XX0004X"}),
    ("sprained ankle", {"207XX0004X", PT}),
    ("trigger points", PAIN | {PMR, PT}),
    ("puntos gatillo", PAIN | {PMR, PT}),
    ("carpal tunnel", {OT, "207XS0106X"}),
])
def test_complaints_and_regions_map_to_the_right_specialties(query, expected):
    assert expected <= set(codes(query))


def test_body_region_labels_and_codes_are_understood():
    assert match_complaints("heel")[0].complaint.key == "heel-pain"
    assert match_complaints("calf")[0].complaint.key == "ankle"  # leg.calf is covered by the ankle entry
    assert match_complaints("scapula.body:right")[0].complaint.key == "shoulder-pain"


def test_scores_are_ordered_and_generic_words_alone_match_nothing():
    found = specialties_for("knee pain")
    assert [score for _code, score in found] == sorted((score for _code, score in found), reverse=True)
    assert all(0 < score <= 1 for _code, score in found)
    assert specialties_for("pain") == []
    assert specialties_for("dolor") == []
    assert specialties_for("") == []
    assert specialties_for("zebra crossing") == []
    # "neck pain" does not drift to knees just because both are "pain".
    assert ORTHO_SPORTS not in codes("neck pain")


def test_scores_spread_to_specializations():
    spread = specialty_scores_for_codes([(PT, 0.9)])
    assert spread[PT] == 0.9 and 0 < spread["2251X0800X"] < 0.9 and OT not in spread
    # A specialization named in the mapping keeps its own score.
    spread = specialty_scores_for_codes([(ORTHO, 1.0), (ORTHO_SPORTS, 1.0)])
    assert spread[ORTHO_SPORTS] == 1.0 and spread["207XX0004X"] < 1.0


def test_language_tags_are_validated_and_canonical():
    validate_language_tags("en, es-mx, ar")
    assert canonical_tag("es-mx") == "es-MX" and canonical_tag("ZH-hant") == "zh-Hant"
    with pytest.raises(ValidationError):
        validate_language_tags("spanish please")
    with pytest.raises(ValidationError):
        validate_language_tags(" , ")
