"""The muscle layer's data: vocabulary codes, inside the body, mirrored, and every muscle accounted for."""
import tomllib

import pytest

from anatomy import bodymap, musclemap, vocabulary
from anatomy.tools import make_musclemap


def test_the_committed_file_is_what_the_generator_draws():
    assert make_musclemap.write(make_musclemap.build()) == musclemap.DATA_FILE.read_text(encoding="utf-8")


def test_the_file_is_well_formed_and_names_its_sources():
    text = musclemap.DATA_FILE.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert "Gray" in text and "openstax.org" in text
    assert {"muscle", "landmark", "deep"} <= set(data)
    for raw in data["muscle"]:
        assert set(raw) == {"code", "view", "side", "center", "points"}
        assert raw["view"] in bodymap.VIEWS and raw["side"] in vocabulary.SIDES
        assert len(raw["points"]) >= 3


def test_every_drawn_muscle_is_a_vocabulary_code():
    for shape in musclemap.muscles():
        assert vocabulary.muscle(shape.muscle).code == shape.muscle


@pytest.mark.parametrize("shape", musclemap.muscles(), ids=lambda s: f"{s.view}-{s.key}")
def test_each_outline_lies_on_the_body_with_its_centre_inside_itself(shape):
    assert shape.contains(*shape.center)
    region = bodymap.locate(shape.view, *shape.center)
    assert region is not None and region == shape.region()
    assert region.side in (shape.side, None)  # a muscle of one side sits on that side (or the midline)
    inside = sum(bodymap.locate(shape.view, x, y) is not None for x, y in shape.points)
    assert inside >= len(shape.points) * 0.75, "most of the outline is on the body"


def test_each_muscle_is_drawn_on_both_sides_as_mirror_images():
    drawn = {(s.view, s.muscle, s.side): s for s in musclemap.muscles()}
    assert len(drawn) == len(musclemap.muscles())  # no muscle drawn twice on one side of a view
    for (view, code, side), shape in drawn.items():
        other = drawn[(view, code, "left" if side == "right" else "right")]
        assert [(round(240 - x, 1), y) for x, y in shape.points] == list(other.points)
        assert (round(240 - shape.center[0], 1), shape.center[1]) == other.center
        # the patient's right is on the viewer's left on the front view, on the viewer's right on the back
        assert (shape.center[0] < 120) == ((view == "front") == (side == "right"))


def test_every_vocabulary_muscle_is_drawn_or_listed_under_a_region():
    drawn = {s.muscle for s in musclemap.muscles()}
    deep = musclemap.deep_muscles()
    assert drawn | set(deep) == set(vocabulary.muscles())
    assert not drawn & set(deep)
    for code, regions in deep.items():
        assert regions and all(region in vocabulary.regions() for region in regions), code
    assert "rhomboids" in musclemap.deep_under("scapula.medial-border")


def test_locate_finds_the_muscle_under_a_point_and_nothing_off_the_muscles():
    deltoid = next(s for s in musclemap.muscles("front") if s.key == "deltoid:right")
    assert musclemap.locate("front", *deltoid.center) == deltoid
    assert musclemap.locate("front", 5, 5) is None


def test_landmarks_name_the_bony_points_palpation_starts_from():
    names = {(mark.view, mark.name) for mark in musclemap.landmarks()}
    for wanted in [("back", "spine-of-scapula"), ("back", "iliac-crest"), ("front", "clavicle"),
                   ("front", "greater-trochanter"), ("back", "greater-trochanter")]:
        assert wanted in names
    for mark in musclemap.landmarks():
        assert mark.kind in {"line", "point"} and (len(mark.points) >= 2 if mark.kind == "line" else len(mark.points) == 1)
        assert all(bodymap.locate(mark.view, x, y) for x, y in mark.points), mark.name


def test_the_generator_refuses_a_muscle_drawn_off_the_body(monkeypatch):
    monkeypatch.setitem(make_musclemap.MUSCLES, "front", [("deltoid", [(1, 1), (5, 1), (5, 5), (1, 5)])])
    with pytest.raises(SystemExit, match="outside the body"):
        make_musclemap.build()
