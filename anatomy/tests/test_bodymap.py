"""The body map geometry against the vocabulary, and locating a clicked point."""
import tomllib
from collections import Counter

import pytest

from anatomy import bodymap, vocabulary
from anatomy.vocabulary import Place


def test_every_region_is_drawn_on_the_views_and_sides_it_needs():
    assert bodymap.problems() == []
    keys = Counter(shape.key for shape in bodymap.all_shapes())
    assert set(keys) == {str(place) for place in vocabulary.all_places()}
    assert len(keys) == len(vocabulary.all_places())
    for place in vocabulary.all_places():
        expected = 2 if vocabulary.region(place.region).view == "both" else 1
        assert keys[str(place)] == expected, place
    for view in bodymap.views():
        for shape in bodymap.shapes(view):
            wanted = vocabulary.region(shape.region).view
            assert wanted in (view, "both"), (view, shape.key)


def test_problems_name_missing_unknown_and_doubled_shapes(monkeypatch):
    real = bodymap.all_shapes()
    unknown = bodymap.Shape("front", "elbow.nowhere", "left", "elbow.nowhere:left", "?", "M0 0Z", 0, 0)
    kept = tuple(s for s in real if s.key != "neck.angle:left") + (unknown, real[0])
    monkeypatch.setattr(bodymap, "all_shapes", lambda: kept)
    found = bodymap.problems()
    assert "back: neck.angle:left is not drawn" in found
    assert any("Unknown body region 'elbow.nowhere'" in problem for problem in found)
    assert f"front: {real[0].key} is drawn 2 times" in found


def test_shapes_carry_keys_labels_and_paths():
    shape = next(s for s in bodymap.shapes("back") if s.key == "neck.angle:left")
    assert (shape.region, shape.side, shape.label) == ("neck.angle", "left", "Angle of neck, left")
    assert shape.place == Place("neck.angle", "left")
    assert shape.path_d.startswith("M") and shape.path_d.endswith("Z")
    sternum = next(s for s in bodymap.shapes("front") if s.region == "chest.sternum")
    assert (sternum.key, sternum.side, sternum.label) == ("chest.sternum", None, "Breastbone")
    assert len(bodymap.shapes_for("hand.thumb:right")) == 2
    with pytest.raises(ValueError, match="Unknown body map view"):
        bodymap.shapes("side")


def test_locate_finds_each_shape_at_its_centre():
    for shape in bodymap.all_shapes():
        assert bodymap.locate(shape.view, shape.centroid_x, shape.centroid_y) == shape, shape.key


def test_locate_outside_the_body_or_view_is_none():
    assert bodymap.locate("front", 2, 2) is None
    assert bodymap.locate("front", 120, 300) is None  # between the legs
    assert bodymap.locate("back", 236, 516) is None
    assert bodymap.locate("side", 120, 200) is None


def test_orientation_follows_the_clinical_convention():
    """Front: the patient's right is on the viewer's left. Back: the patient's left is."""
    def centre_x(view, key):
        return next(s.centroid_x for s in bodymap.shapes(view) if s.key == key)

    assert centre_x("front", "chest.breast:right") < 120 < centre_x("front", "chest.breast:left")
    assert centre_x("back", "scapula.body:left") < 120 < centre_x("back", "scapula.body:right")
    assert centre_x("front", "hand.thumb:right") < centre_x("front", "hand.palm:right")  # palms forward
    assert centre_x("back", "hand.thumb:left") < centre_x("back", "hand.back:left")
    assert centre_x("front", "foot.big-toe:right") > centre_x("front", "foot.toes:right")  # big toe inside


def test_the_two_sides_mirror_each_other():
    width = bodymap.VIEWBOX[2]
    for view in bodymap.views():
        by_key = {s.key: s for s in bodymap.shapes(view)}
        for shape in by_key.values():
            if shape.side == "left":
                twin = by_key[f"{shape.region}:right"]
                assert shape.centroid_x == pytest.approx(width - twin.centroid_x, abs=0.2), shape.key
                assert shape.centroid_y == pytest.approx(twin.centroid_y, abs=0.2), shape.key


def test_shapes_do_not_overlap():
    """Sample the views on a fine grid: no point may fall in two shapes (the regions tile the body)."""
    _, _, width, height = bodymap.VIEWBOX
    for view in bodymap.views():
        boxes = []
        for shape in bodymap.shapes(view):
            xs, ys = [p[0] for p in shape.points], [p[1] for p in shape.points]
            boxes.append((min(xs), min(ys), max(xs), max(ys), shape))
        for i in range(width):
            x = i + 0.37
            column = [b for b in boxes if b[0] <= x <= b[2]]
            for j in range(0, height, 2):
                y = j + 0.61
                inside = [b[4].key for b in column if b[1] <= y <= b[3] and b[4].contains(x, y)]
                assert len(inside) <= 1, (view, x, y, inside)


def test_the_data_file_is_ours_and_matches_its_generator():
    from anatomy.tools import make_bodymap

    text = bodymap.DATA_FILE.read_text(encoding="utf-8")
    assert "our own drawing" in text.split("\n\n")[0]
    assert make_bodymap.write(make_bodymap.build()) == text
    data = tomllib.loads(text)
    assert tuple(data["viewbox"]) == bodymap.VIEWBOX
    assert tuple(data["views"]) == bodymap.views()


def test_interior_point_stays_inside_a_concave_outline():
    # An L shape whose vertex average (about 3.6, 3.6) lies in the notch, outside.
    ell = [(0, 0), (10, 0), (10, 2), (2, 2), (2, 10), (0, 10)]
    x, y = bodymap.interior_point(ell)
    assert bodymap.point_in_polygon(x, y, ell)
    assert not bodymap.point_in_polygon(5, 5, ell)
