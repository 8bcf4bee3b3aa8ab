"""The corrections of the clinical review (issue 15) stay in the knowledge base.

Each row is one finding of the review, written as where the zone must be (essential, spillover)
or must not be; a later edit of the data that undoes one fails here with the muscle named.
"""
import pytest

from referral.knowledge import knowledge_base

CORRECTIONS = [
    # muscle, region, list it belongs in (None: in no scored list)
    ("scalenes", "scapula.medial-border", "essential"),
    ("scalenes", "arm.front", "essential"),
    ("scalenes", "arm.back", "essential"),
    ("iliopsoas", "thigh.front", "essential"),
    ("iliopsoas", "groin", "essential"),
    ("iliopsoas", "back.mid", "spillover"),
    ("rectus-abdominis", "back.sacroiliac", "essential"),
    ("rectus-abdominis", "back.sacrum", "essential"),
    ("gastrocnemius", "thigh.back", "spillover"),
    ("gastrocnemius", "leg.calf", "spillover"),
    ("splenius-capitis", "head.eye", None),
    ("splenius-capitis", "head.temple", None),
    ("splenius-cervicis", "head.eye", "essential"),
    ("splenius-cervicis", "head.temple", "spillover"),
    ("piriformis", "hip.back", "essential"),
]


@pytest.mark.parametrize("muscle, region, where", CORRECTIONS)
def test_review_correction_is_in_the_data(muscle, region, where):
    pattern = knowledge_base()[muscle]
    found = [name for name in ("essential", "spillover", "midline") if region in getattr(pattern, name)]
    assert found == ([where] if where else []), (muscle, region, found)


def test_rectus_abdominis_lower_band_crosses_both_sacroiliac_regions():
    assert "back.sacroiliac" in knowledge_base()["rectus-abdominis"].contralateral


def test_figures_read_in_medlink_captions_cite_the_first_edition():
    for pattern in knowledge_base():
        for source in pattern.sources:
            if "MedLink" in source and "vol. 1" in source:
                assert "1st ed. 1983" in source, (pattern.muscle, source)
