"""The published evidence files: every case and variant cites an openable publication, and a
mistake in either file stops with a message naming the entry."""
import pytest

from anatomy import vocabulary
from referral import examination, literature
from referral.literature import LiteratureError


def test_enough_published_cases_from_many_publications_each_cited():
    cases, publications = literature.cases(), literature.publications()
    assert len(cases) >= 40
    assert len({c.publication for c in cases}) >= 37
    for publication in publications.values():
        assert publication.authors and publication.title and publication.journal, publication.id
        assert publication.doi or publication.pmcid or publication.url, publication.id
        assert publication.design.strip() and publication.read.strip(), publication.id  # what was read is stated
    assert {c.publication for c in cases} <= publications.keys()


def test_case_drawings_use_the_vocabulary_and_name_known_or_awaited_muscles():
    for case in literature.cases():
        assert case.drawing, case.id
        assert case.side in ("left", "right", "either")
        for muscle in case.muscles:
            assert muscle in vocabulary.muscles() or muscle in literature.AWAITED_MUSCLES, (case.id, muscle)
        assert set(case.findings) <= examination.findings().keys()
        assert case.note.strip(), case.id


def test_the_three_new_culprits_are_documented():
    named = {m for c in literature.cases() for m in c.muscles}
    assert literature.AWAITED_MUSCLES <= named
    assert literature.AWAITED_MUSCLES <= {v.muscle for v in literature.variants()}


def test_every_variant_cites_publications_and_sits_beside_a_real_zone():
    for variant in literature.variants():
        assert variant.publications
        region = vocabulary.region(variant.region)
        assert (variant.side is None) == (not region.paired)


def test_a_case_matches_its_muscle_on_its_side_or_any_side_when_unreported():
    sided = literature.Case("x", "p", (), ("masseter",), "left", (), "")
    either = literature.Case("y", "p", (), ("scm-sternal", "scm-clavicular"), "either", (), "")
    assert sided.matches("masseter", "left") and not sided.matches("masseter", "right")
    assert either.matches("scm-clavicular", "right") and either.matches("scm-sternal", "left")
    assert not either.matches("masseter", "left")


PUBLICATION = '[[publication]]\nid = "p"\nauthors = "A"\ntitle = "T"\njournal = "J"\ndesign = "case report"\nread = "abstract"\n'


@pytest.mark.parametrize("case, message", [
    ('publication = "nope"\ndrawing = ["neck.side:left"]\nmuscles = ["scalenes"]\nside = "left"', "unknown publication"),
    ('publication = "p"\ndrawing = ["neck.side"]\nmuscles = ["scalenes"]\nside = "left"', "needs a side"),
    ('publication = "p"\ndrawing = ["neck.side:left"]\nmuscles = ["scalenus"]\nside = "left"', "unknown muscle code 'scalenus'"),
    ('publication = "p"\ndrawing = ["neck.side:left"]\nmuscles = ["scalenes"]\nside = "both"', "side must be one of"),
    ('publication = "p"\ndrawing = ["neck.side:left"]\nmuscles = ["scalenes"]\nside = "left"\nfindings = ["hot"]',
     "unknown examination finding 'hot'"),
    ('publication = "p"\ndrawing = []\nmuscles = ["scalenes"]\nside = "left"', "drawing is empty"),
])
def test_a_wrong_case_is_reported_by_id(tmp_path, case, message):
    path = tmp_path / "cases.toml"
    path.write_text(PUBLICATION + '[[case]]\nid = "c1"\n' + case + "\n", encoding="utf-8")
    with pytest.raises(LiteratureError, match=rf"Case 'c1'.*{message}"):
        literature.cases(path)


@pytest.mark.parametrize("variant, message", [
    ('muscle = "masseter"\nregion = "face.cheek"\nside = "across"\npublications = ["p"]', "needs side"),
    ('muscle = "masseter"\nregion = "back.sacrum"\nside = "same"\npublications = ["p"]', "midline region"),
    ('muscle = "masseter"\nregion = "face.cheek"\nside = "same"\npublications = ["q"]', "unknown publication 'q'"),
    ('muscle = "masseter"\nregion = "face.cheek"\nside = "same"\npublications = []', "one or more distinct"),
    ('muscle = "masseter"\nregion = "face.nose"\nside = "same"\npublications = ["p"]', "unknown body region"),
])
def test_a_wrong_variant_is_reported_by_muscle_and_region(tmp_path, variant, message):
    cases = tmp_path / "cases.toml"
    cases.write_text(PUBLICATION, encoding="utf-8")
    path = tmp_path / "variants.toml"
    path.write_text("[[variant]]\n" + variant + "\n", encoding="utf-8")
    with pytest.raises(LiteratureError, match=message):
        literature.variants(path, cases)


EXAMINED_CASE = ('[[case]]\nid = "c1"\npublication = "p"\ndrawing = ["buttock.lower:left"]\n'
                 'muscles = ["quadratus-femoris"]\nside = "left"\n')


@pytest.mark.parametrize("examined, message", [
    ('muscle = "quadratus-femoris"\nabsent = ["spot-tenderness"]', "is a culprit"),
    ('muscle = "piriformis"', "reports no finding"),
    ('muscle = "piriformis"\nabsent = ["numb"]', "unknown examination finding 'numb'"),
    ('muscle = "piriformis"\npresent = ["local-twitch"]\nabsent = ["local-twitch"]', "both present and absent"),
    ('muscle = "piriformis"\nside = "left"\nabsent = ["spot-tenderness"]', "side must be"),
    ('muscle = "piriformus"\nabsent = ["spot-tenderness"]', "unknown muscle code 'piriformus'"),
])
def test_a_wrong_examined_muscle_is_reported_by_case(tmp_path, examined, message):
    path = tmp_path / "cases.toml"
    path.write_text(PUBLICATION + EXAMINED_CASE + "[[case.examined]]\n" + examined + "\n", encoding="utf-8")
    with pytest.raises(LiteratureError, match=rf"Case 'c1'.*{message}"):
        literature.cases(path)


def test_the_same_examined_muscle_twice_is_refused(tmp_path):
    twice = '[[case.examined]]\nmuscle = "piriformis"\nabsent = ["spot-tenderness"]\n'
    path = tmp_path / "cases.toml"
    path.write_text(PUBLICATION + EXAMINED_CASE + twice + twice, encoding="utf-8")
    with pytest.raises(LiteratureError, match="listed twice"):
        literature.cases(path)


@pytest.mark.parametrize("culprit_sides, examined_side, placed", [
    (("left",), "same", {"left"}), (("left",), "other", {"right"}), (("right",), "same", {"right"}),
    (("left", "right"), "same", {"left", "right"}), (("left", "right"), "other", {"left", "right"}),
])
def test_other_muscles_findings_are_placed_relative_to_the_culprit(culprit_sides, examined_side, placed):
    examined = literature.Examined("piriformis", examined_side, ("local-twitch",), ("spot-tenderness",), "")
    case = literature.Case("x", "p", (), ("quadratus-femoris",), "either", (), "", (examined,))
    found = {"local-twitch": True, "spot-tenderness": False}
    assert case.other_findings(culprit_sides) == {("piriformis", side): found for side in placed}


def test_shipped_examined_muscles_are_never_the_culprit_and_say_what_was_found():
    examined = [(c, e) for c in literature.cases() for e in c.examined]
    for case, e in examined:
        assert e.muscle not in case.muscles and (e.present or e.absent) and e.note.strip(), case.id
