import csv

import pytest

from anatomy import vocabulary
from anatomy.vocabulary import Place, VocabularyError


def test_every_shared_code_is_loaded_exactly():
    with open(vocabulary.DATA_DIR / "body-regions.csv", encoding="utf-8") as handle:
        codes = [row["code"] for row in csv.DictReader(handle)]
    with open(vocabulary.DATA_DIR / "muscles.csv", encoding="utf-8") as handle:
        muscles = [row["code"] for row in csv.DictReader(handle)]
    assert list(vocabulary.regions()) == codes and len(set(codes)) == len(codes)
    assert list(vocabulary.muscles()) == muscles and len(set(muscles)) == len(muscles)
    assert "upper-trapezius" in vocabulary.muscles()


def test_paired_and_midline_regions_take_the_right_sides():
    assert vocabulary.parse_place("neck.angle:left") == Place("neck.angle", "left")
    assert vocabulary.parse_place("back.sacrum") == Place("back.sacrum", None)
    with pytest.raises(VocabularyError, match="needs a side"):
        vocabulary.parse_place("neck.angle")
    with pytest.raises(VocabularyError, match="midline"):
        vocabulary.parse_place("back.sacrum:left")
    with pytest.raises(VocabularyError, match="Unknown body region"):
        vocabulary.parse_place("neck.nowhere:left")


def test_all_places_counts_paired_regions_twice():
    paired = sum(1 for r in vocabulary.regions().values() if r.paired)
    midline = len(vocabulary.regions()) - paired
    assert len(vocabulary.all_places()) == 2 * paired + midline
    assert str(Place("head.temple", "right")) == "head.temple:right"
