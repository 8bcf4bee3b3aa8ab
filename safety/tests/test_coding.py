import pytest

from anatomy import vocabulary
from safety import present
from safety.coding import check_diagnosis, cpt_for_session, normalise_icd, suggest_diagnosis
from safety.tests.helpers import lido, needle, saline


def test_left_and_right_of_one_muscle_count_as_two():
    result = cpt_for_session([lido(1, side="left"), lido(1, side="right")])
    assert result.codes == ("20552",) and result.muscle_count == 2


def test_three_distinct_muscles_is_20553():
    result = cpt_for_session([lido(1, muscle=m) for m in ("upper-trapezius", "levator-scapulae", "rhomboids")])
    assert result.code == "20553" and result.muscle_count == 3
    assert "once" in present.cpt_text(result)


def test_many_injections_in_one_muscle_is_20552():
    result = cpt_for_session([lido(1) for _ in range(8)])
    assert result.code == "20552" and result.muscle_count == 1


def test_saline_counts_as_an_injection():
    assert cpt_for_session([saline()]).code == "20552"


def test_dry_needling_alone():
    assert cpt_for_session([needle(), needle(side="right")]).code == "20560"
    three = cpt_for_session([needle(m) for m in ("deltoid", "rhomboids", "infraspinatus")])
    assert three.code == "20561" and three.muscle_count == 3
    assert any("NCD 30.3.3" in present.note_text(n) for n in three.notes)


def test_mixed_session_bills_the_injected_muscles_and_notes_the_needled():
    result = cpt_for_session([lido(1), needle("deltoid"), needle("rhomboids"), needle("upper-trapezius")])
    assert result.codes == ("20552",) and result.muscle_count == 1
    (note,) = map(present.note_text, result.notes)
    assert "Deltoid" in note and "Rhomboid" in note and "Trapezius" not in note


def test_no_injections_no_code():
    result = cpt_for_session([])
    assert result.codes == () and result.code is None and "no procedure code" in present.cpt_text(result)


def test_missing_side_is_noted():
    result = cpt_for_session([lido(1, side=None)])
    assert result.code == "20552" and "Side not recorded" in present.note_text(result.notes[0])


@pytest.mark.parametrize("text", ["M79.18", "m7918", " M79.18 ", "m79.18"])
def test_billable_tpi_code_is_accepted_and_normalised(text):
    result = check_diagnosis(text)
    assert result.ok and result.code == "M79.18" and result.expected_for_tpi
    assert result.description == "Myalgia, other site"


def test_category_m79_1_is_refused_naming_its_billable_children():
    result = check_diagnosis("M79.1")
    assert not result.ok and result.code == "M79.1"
    for child in ("M79.10", "M79.11", "M79.12", "M79.18"):
        assert child in present.diagnosis_message(result)
    assert "not a billable code" in present.diagnosis_message(result)


@pytest.mark.parametrize("text", ["nonsense", "", "M79.19", "Z99.999", "M60-M79", "123"])
def test_unknown_codes_are_refused(text):
    result = check_diagnosis(text)
    assert not result.ok and "not an ICD-10-CM code" in present.diagnosis_message(result)


def test_a_code_off_the_reported_list_is_not_covered_with_the_caveat_that_the_list_is_secondary():
    result = check_diagnosis("M54.50")
    message = present.diagnosis_message(result)
    assert result.ok and not result.expected_for_tpi and result.verdict.params["covered"] is False
    assert "Not among the diagnoses that reports of the billing articles" in message
    assert "G44.229" in message and "confirm with the payer's billing article" in message


@pytest.mark.parametrize("code", ["G44.201", "G44.209", "G44.211", "G44.219", "G44.221", "G44.229",
                                  "M79.10", "M79.11", "M79.12", "M79.18"])
def test_the_lcd_covers_tension_type_headache_and_myalgia(code):
    result = check_diagnosis(code)
    assert result.ok and result.expected_for_tpi
    assert "Listed among the covered diagnoses of the Medicare uniform TPI LCD" in present.diagnosis_message(result)


def test_the_covered_list_is_exactly_the_billable_codes_of_its_two_ranges():
    """The sources give the list as G44.201-G44.229 and M79.10-M79.18: every billable code in those two
    categories, and nothing else. A typo in the file (a code that is not billable) fails here."""
    from safety.coding import _icd
    from safety.data_files import payer_policy
    icd = _icd()
    listed = payer_policy("medicare-uniform-tpi-2024").covered_diagnoses
    billable = [c for category in ("G44.2", "M79.1") for c in icd.get_descendants(category) if icd.is_leaf(c)]
    assert sorted(listed) == sorted(billable) and len(listed) == 10
    assert all(check_diagnosis(code).ok for code in listed)


COVERED = """codes = [
  "G44.201", "G44.209", "G44.211", "G44.219", "G44.221", "G44.229",  # tension-type headache
  "M79.10", "M79.11", "M79.12", "M79.18",  # myalgia
]
complete = true
checked = "secondary"
"""


@pytest.fixture
def payer_file(tmp_path, monkeypatch):
    """Run the check on an edited copy of payer_policies.toml: `edit(old, new)` replaces text in the file."""
    from safety import data_files
    text = (data_files.DATA_DIR / "payer_policies.toml").read_text(encoding="utf-8")
    assert COVERED in text
    for path in data_files.DATA_DIR.glob("*.toml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), "utf-8")

    def edit(old, new):
        (tmp_path / "payer_policies.toml").write_text(text.replace(old, new), "utf-8")
        data_files.payer_policies.cache_clear()

    monkeypatch.setattr(data_files, "DATA_DIR", tmp_path)
    data_files.payer_policies.cache_clear()
    yield edit
    data_files.payer_policies.cache_clear()


@pytest.mark.parametrize("old, new, code, covered, wording", [
    # G44.209 off the list: the same code is no longer covered
    ('"G44.201", "G44.209", ', '"G44.201", ', "G44.209", False, "Not among the diagnoses that reports"),
    # cervicalgia added to the list: covered
    ('"M79.18",  # myalgia', '"M79.18", "M54.2",  # myalgia', "M54.2", True, "Listed among the covered"),
    # the list read in the article itself: a code off it is plainly not covered
    ('checked = "secondary"', 'checked = "article"', "M54.2", False, "Not among the covered diagnoses of"),
    # the list no longer complete: a code off it may still be covered
    ("complete = true", "complete = false", "M54.2", None, "which is incomplete"),
])
def test_the_coverage_check_reads_the_covered_list_from_the_payer_file(payer_file, old, new, code, covered, wording):
    assert check_diagnosis(code).verdict.params["covered"] is (code.startswith(("G44.2", "M79.1")) or False)
    payer_file(old, new)
    result = check_diagnosis(code)
    assert result.verdict.params["covered"] is covered and wording in present.diagnosis_message(result)
    assert result.expected_for_tpi is bool(covered)


def test_a_covered_list_that_is_not_dotted_codes_is_refused(payer_file):
    from safety.data_files import DataFileError, payer_policies
    payer_file('"M79.10", ', '"M79.1", "M7910", ')
    with pytest.raises(DataFileError, match="covered_diagnoses: codes must be distinct dotted ICD-10-CM codes"):
        payer_policies()


def test_repeat_requirements_are_in_the_payer_data():
    from safety.data_files import payer_policy
    policy = payer_policy("medicare-uniform-tpi-2024")
    assert (policy.relief_min_pct, policy.relief_min_weeks) == (50, 6)
    assert policy.repeat_needs_function and policy.repeat_needs_rehabilitation


def test_normalise():
    assert normalise_icd("m7918") == "M79.18" and normalise_icd("M79") == "M79"
    assert normalise_icd("M7") is None and normalise_icd("M79.1-") is None


def test_suggest_diagnosis_by_muscle_group():
    suggestions = suggest_diagnosis(["masseter", "upper-trapezius", "scalenes", "quadratus-lumborum", "masseter"])
    assert [(s.code, s.muscles) for s in suggestions] == [
        ("M79.11", ("masseter",)),
        ("M79.12", ("upper-trapezius", "scalenes")),
        ("M79.18", ("quadratus-lumborum",)),
    ]
    assert suggestions[0].description == "Myalgia of mastication muscle"
    assert suggest_diagnosis([]) == ()


def test_every_jaw_muscle_maps_to_m79_11():
    jaw = [m.code for m in vocabulary.muscles().values() if m.group == "jaw"]
    assert {"masseter", "temporalis", "digastric"} <= set(jaw)
    (suggestion,) = suggest_diagnosis(jaw)
    assert suggestion.code == "M79.11"
