import pytest

from anatomy.vocabulary import Place, VocabularyError, all_places
from referral.drawings import extent, jaccard, parse_marks


def test_extent_is_the_share_of_body_places():
    assert extent([]) == 0
    assert extent([Place("back.sacrum"), Place("neck.side", "left")]) == pytest.approx(2 / len(all_places()))


def test_jaccard_between_drawings():
    a = [Place("neck.side", "left"), Place("head.temple", "left")]
    assert jaccard(a, a) == 1
    assert jaccard(a, [Place("neck.side", "left")]) == 0.5
    assert jaccard(a, [Place("neck.side", "right")]) == 0
    assert jaccard([], []) is None


def test_parse_marks_reads_intensity_and_refuses_bad_levels():
    assert parse_marks("neck.side:left@7, back.sacrum") == [(Place("back.sacrum"), 5), (Place("neck.side", "left"), 7)]
    with pytest.raises(VocabularyError, match="0 to 10"):
        parse_marks("neck.side:left@11")
