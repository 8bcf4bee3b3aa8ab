"""Generate anatomy/data/musclemap.toml: outlines of the superficial muscles and bony landmarks.

Run `python -m anatomy.tools.make_musclemap` and commit the TOML; the app reads only the TOML.

The outlines are our own simplified drawing in the body map's coordinates (viewBox 240x520 per
view, see make_bodymap.py): each muscle is a polygon set between its attachments, placed relative to
the landmarks below, which sit on the body map's own silhouette (acromion, armpit, hip). Muscles are
drawn on the viewer's left (the patient's right on the front view, left on the back) and mirrored.
A muscle lying under another one is not drawn; it is listed under the regions where its trigger
points lie (referral/data/referral_patterns.toml, trigger_point_regions), so a click there can
still suggest it.

Sources followed for attachments and surface relations (read, not copied; no figure reproduced):
  Gray H. Anatomy of the Human Body, 20th ed. (1918), bartleby.com/107: the scapula's borders and
    fossae with the muscles they carry (pages 203-206: infraspinatus on the medial two-thirds of its
    fossa, teres minor along the upper axillary border, teres major near the inferior angle), and
    the muscles of the trunk and limbs (section IV).
  Cunningham's Text-book of Anatomy: the trapezius is superficial throughout, inserts on the lateral
    clavicle, acromion and spine of scapula, and covers levator scapulae and the rhomboids (which
    are therefore listed as deep here).
  OpenStax Anatomy and Physiology 2e (CC BY), 11.4-11.6 (axial muscles of the abdominal wall and
    thorax; muscles of the pectoral girdle and upper limbs; of the pelvic girdle and lower limbs),
    openstax.org/books/anatomy-and-physiology-2e; origin and insertion tables.
  Wikipedia articles on each muscle (origin and insertion infobox), e.g.
    en.wikipedia.org/wiki/Trapezius, /Deltoid_muscle, /Gluteus_maximus, /Sartorius_muscle.
"""
from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from anatomy import bodymap, vocabulary

W = 240
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "musclemap.toml"
PATTERNS = ROOT.parent / "referral" / "data" / "referral_patterns.toml"

Point = tuple[float, float]

# Landmarks on the body map's silhouette (make_bodymap.py): acromion A = (69.5, 104.5), armpit
# P = (83.6, 134), hip (84, 243), knee row y 352, ankle row y 451. Viewer's left half unless x = 120.
LANDMARKS: dict[str, list[tuple[str, str, list[Point]]]] = {
    "front": [
        ("clavicle", "line", [(117, 101), (106, 100.6), (95, 100.8), (84, 102.2), (73.5, 104.3)]),
        ("sternal-notch", "point", [(120, 101.5)]),
        ("costal-margin", "line", [(118, 150), (107, 158), (97, 172), (91, 184)]),
        ("iliac-crest", "line", [(86.5, 228), (87.5, 236), (89.5, 242)]),  # to the anterior superior spine
        ("pubic-symphysis", "point", [(120, 259)]),
        ("greater-trochanter", "point", [(85.6, 268)]),
        ("lateral-epicondyle", "point", [(52.6, 190)]),
        ("medial-epicondyle", "point", [(74, 193)]),
        ("patella", "point", [(101, 362)]),
        ("fibular-head", "point", [(90.5, 372)]),
        ("tibial-crest", "line", [(104.5, 372), (104, 410), (104.5, 445)]),
        ("lateral-malleolus", "point", [(92.6, 458)]),
        ("medial-malleolus", "point", [(106.4, 455)]),
    ],
    "back": [
        ("spine-of-scapula", "line", [(108, 114.5), (96, 111.5), (84, 108.2), (73.5, 106)]),
        ("acromion", "point", [(71, 105)]),
        ("medial-border-of-scapula", "line", [(107, 104.5), (108.5, 114.5), (101.5, 148), (96.5, 155)]),
        ("inferior-angle-of-scapula", "point", [(96.5, 155)]),
        ("vertebra-prominens", "point", [(120, 97)]),
        ("iliac-crest", "line", [(86.5, 236), (96, 229.5), (106, 233), (110.8, 240)]),
        ("posterior-superior-iliac-spine", "point", [(111, 242.5)]),
        ("greater-trochanter", "point", [(85.6, 268)]),
        ("ischial-tuberosity", "point", [(108, 276)]),
        ("olecranon", "point", [(63, 190)]),
        ("lateral-epicondyle", "point", [(51.6, 189)]),
        ("medial-epicondyle", "point", [(73.8, 191)]),
        ("fibular-head", "point", [(90.5, 370)]),
    ],
}

# Superficial muscles, viewer's left half. Polygons run round the muscle's surface outline.
MUSCLES: dict[str, list[tuple[str, list[Point]]]] = {
    "front": [
        ("temporalis", [(97.2, 31), (103, 28.5), (103.2, 44), (99.6, 50), (96.8, 44)]),
        ("masseter", [(100.8, 52), (106, 53), (107, 67), (104, 68.6), (101.2, 61)]),
        ("digastric", [(110, 75.6), (117, 77.2), (117, 81), (110, 79)]),
        ("scalenes", [(105.4, 83), (107.6, 86), (107.6, 97), (104.2, 95.2)]),
        ("scm-clavicular", [(107.2, 76), (109.6, 77), (111.6, 99), (108.2, 98.5)]),
        ("scm-sternal", [(109.8, 77), (112.2, 77.6), (117, 100.6), (112.2, 99.6)]),
        ("pectoralis-major", [(114, 103.5), (100, 102.4), (86.5, 103.5), (79.8, 108.5), (81.2, 126),
                              (84.2, 134), (92, 145.5), (104, 149.5), (117.5, 149.5), (117.5, 106)]),
        ("deltoid", [(70, 104.6), (77.8, 105.5), (78.5, 112), (79, 126), (70, 146), (62, 146), (60.2, 125),
                     (63.4, 111)]),
        ("biceps-brachii", [(62, 148.5), (72, 147), (74, 165), (71, 182), (63, 183), (58.3, 165)]),
        ("brachioradialis", [(53.8, 168), (57.8, 172), (57, 210), (49, 238), (45.5, 236), (49, 200)]),
        ("flexor-carpi-radialis", [(70, 197), (72.6, 199), (57, 246), (53.6, 245)]),
        ("adductor-pollicis", [(39.2, 264), (45, 266), (45, 279), (38.6, 281)]),
        ("serratus-anterior", [(85, 138.5), (88.5, 142.5), (93, 176), (90.5, 178), (88, 160)]),
        ("rectus-abdominis", [(107, 151), (118.6, 151), (118.6, 257), (112, 255.5), (108, 220), (106, 180)]),
        ("external-oblique", [(92, 182), (105, 170), (106, 190), (107.4, 222), (110.4, 254), (94, 246),
                              (90, 230), (91.5, 200)]),
        ("iliopsoas", [(101.5, 257), (108, 260), (108, 277), (102.8, 273)]),
        ("tensor-fasciae-latae", [(85.2, 246), (92, 249), (93, 262), (89, 292), (85.5, 292)]),
        ("sartorius", [(93, 250), (97, 251), (101, 272), (112, 315), (115, 338), (113, 340), (108, 316),
                       (96, 275)]),
        ("rectus-femoris", [(93, 278), (98, 280), (100.5, 300), (104, 325), (105.5, 340), (101, 350),
                            (96, 348), (92, 320), (91.6, 295)]),
        ("vastus-lateralis", [(86, 296), (90, 294), (91, 320), (95, 348), (90.2, 350), (88, 332), (86.5, 310)]),
        ("vastus-medialis", [(104.6, 327), (108.6, 327), (112, 342), (113, 351), (106, 357), (102.6, 350)]),
        ("adductor-longus-brevis", [(110, 270), (118.4, 276.5), (117.6, 300), (112, 306)]),
        ("peroneus-longus-brevis", [(90.2, 370), (93.5, 370), (92.5, 400), (93, 438), (91.2, 440), (88.2, 400),
                                    (89, 380)]),
        ("extensor-digitorum-longus", [(94.2, 373), (96, 373), (96, 392), (97.6, 422), (99, 446), (96.2, 446),
                                       (93.4, 410)]),
        ("tibialis-anterior", [(96.8, 368), (102.4, 368), (102.4, 400), (103.6, 440), (100.6, 448), (98.4, 420),
                               (96.8, 390)]),
        ("extensor-hallucis-longus", [(100.4, 452), (103.2, 452), (106, 478), (103, 478.5)]),
    ],
    "back": [
        ("splenius-capitis", [(107, 74), (112, 74), (110.4, 84), (106.4, 84)]),
        ("levator-scapulae", [(106.2, 85), (109.6, 85), (107.2, 91.6), (100.5, 95.2), (99, 94.2)]),
        ("upper-trapezius", [(113, 74), (118.6, 75), (118.6, 106), (108, 107), (90, 106), (75, 107),
                             (73.4, 105), (84, 100), (98, 96.5), (108, 92), (111, 84)]),
        ("middle-trapezius", [(118.6, 107.6), (108.5, 108.6), (90, 107.8), (78.5, 108.6), (81, 111.4),
                              (96, 113.5), (108, 116), (118.6, 128)]),
        ("lower-trapezius", [(118.6, 130), (107.6, 117.6), (104.6, 119.2), (108, 135), (114, 160), (118.6, 184)]),
        ("deltoid", [(70, 104.6), (73.4, 106.8), (78, 111), (76, 122), (70, 146), (62, 146), (60.2, 125),
                     (63.4, 111)]),
        ("infraspinatus", [(81.6, 113), (96, 115.4), (104.6, 119.4), (105.4, 133), (100, 150), (94, 149),
                           (87.5, 137), (81, 122)]),
        ("teres-minor", [(76.8, 123.5), (78.6, 123.5), (83.4, 139), (81, 141), (75, 130)]),
        ("teres-major", [(84.6, 138.5), (86.4, 138.5), (92.6, 150.5), (89.5, 155.2), (85.8, 150)]),
        ("latissimus-dorsi", [(88.5, 158), (93, 153.6), (100, 152.6), (105, 160), (105, 235), (95, 236),
                              (90.4, 232), (91.2, 200), (88.8, 170)]),
        ("iliocostalis-thoracis", [(106.2, 166), (111, 170), (111, 200), (106.2, 200)]),
        ("iliocostalis-lumborum", [(106.2, 202), (111, 202), (111, 234), (106.2, 236.5)]),
        ("longissimus-thoracis", [(111.8, 172), (113.8, 172), (118.6, 187), (118.6, 238), (112, 238)]),
        ("gluteus-medius", [(86.2, 238.5), (96, 232), (106, 234.5), (100.5, 245), (92, 250.5), (85.6, 252)]),
        ("gluteus-maximus", [(107, 237.5), (112, 244), (118, 258), (119, 272), (108, 282), (94, 283), (88, 274),
                             (86.2, 262), (93, 252.5), (101, 246.5)]),
        ("triceps-brachii", [(60, 149), (71, 147.6), (76.5, 160), (73.5, 183), (64, 185), (57, 166)]),
        ("extensor-carpi-radialis-longus", [(52, 185.5), (55.5, 187), (54.5, 205), (50.5, 211.5), (49, 200)]),
        ("extensor-carpi-radialis-brevis", [(50, 213), (53.5, 208), (52, 232), (47, 243), (45.2, 238)]),
        ("extensor-digitorum", [(56, 190), (61, 192), (60, 230), (52.6, 247), (50.2, 245.6), (55, 225)]),
        ("extensor-carpi-ulnaris", [(63, 192), (67, 194.5), (64, 230), (58, 245), (56.6, 244), (61, 225)]),
        ("first-dorsal-interosseous", [(38.8, 263), (43, 265), (42.5, 280), (38.2, 281)]),
        ("biceps-femoris", [(88, 285.5), (97, 286.5), (99, 320), (96, 350), (92, 351.6), (88.2, 330), (86.4, 305)]),
        ("semitendinosus-semimembranosus", [(99.2, 286.5), (112, 288.5), (114, 320), (110, 352), (104, 354),
                                           (101, 320)]),
        ("adductor-magnus", [(113.2, 291), (117.4, 293.5), (116.4, 320), (115, 330)]),
        ("gastrocnemius", [(90.4, 368), (104, 366.6), (112.4, 368), (111.6, 390), (106, 414.5), (100, 417.5),
                           (94, 414.5), (88.8, 392)]),
        ("soleus", [(90.4, 419), (94, 418), (100, 420.5), (106, 418), (108.6, 419), (108, 434), (103, 447),
                    (96, 447), (91.2, 434)]),
        ("flexor-digitorum-brevis", [(96, 478), (103, 478), (104.6, 500), (94.4, 500)]),
        ("abductor-hallucis", [(104.2, 474.5), (107.4, 474.5), (110, 500), (106.4, 500)]),
    ],
}

PATIENT_SIDE = {("front", "L"): "right", ("front", "R"): "left", ("back", "L"): "left", ("back", "R"): "right"}


def mirror(points: list[Point]) -> list[Point]:
    return [(round(W - x, 1), y) for x, y in points]


def deep_muscles() -> dict[str, list[str]]:
    """Every vocabulary muscle not drawn, with the regions its trigger points lie under."""
    drawn = {code for shapes in MUSCLES.values() for code, _ in shapes}
    with open(PATTERNS, "rb") as handle:
        patterns = tomllib.load(handle)
    return {code: list(patterns[code]["trigger_point_regions"])
            for code in vocabulary.muscles() if code not in drawn}


def build() -> dict:
    muscles, landmarks = [], []
    for view, shapes in MUSCLES.items():
        for code, points in shapes:
            vocabulary.muscle(code)  # raises on a code that is not in the vocabulary
            x, y = bodymap.interior_point(points)
            for where, outline, centre in (("L", points, (x, y)), ("R", mirror(points), (round(W - x, 1), y))):
                if bodymap.locate(view, *centre) is None:
                    raise SystemExit(f"{view} {code}: centre {centre} lies outside the body")
                muscles.append({"muscle": code, "view": view, "side": PATIENT_SIDE[(view, where)],
                                "center": centre, "points": outline})
    for view, marks in LANDMARKS.items():
        for name, kind, points in marks:
            if all(x == 120 for x, _ in points):
                landmarks.append({"name": name, "view": view, "side": None, "kind": kind, "points": points})
                continue
            for where, outline in (("L", points), ("R", mirror(points))):
                landmarks.append({"name": name, "view": view, "side": PATIENT_SIDE[(view, where)], "kind": kind,
                                  "points": outline})
    for view in MUSCLES:  # a click must find one muscle: no centre may fall in another outline
        mine = [m for m in muscles if m["view"] == view]
        for m in mine:
            for other in mine:
                if other is not m and bodymap.point_in_polygon(*m["center"], other["points"]):
                    raise SystemExit(f"{view}: centre of {m['muscle']} lies inside {other['muscle']}")
    return {"muscles": muscles, "landmarks": landmarks, "deep": deep_muscles()}


def fmt(v: float) -> str:
    return f"{round(v, 1):g}"


def pts(points) -> str:
    return "[" + ", ".join(f"[{fmt(x)}, {fmt(y)}]" for x, y in points) + "]"


def write(data: dict) -> str:
    header = [line for line in (__doc__ or "").splitlines() if line.startswith("  ")]
    lines = [
        "# Muscle map: outlines of the superficial muscles and bony landmarks over the body map's views.",
        "# Our own simplified drawing, made for tpclinic from the attachments described in (no figure copied):",
        *("#" + line for line in header),
        "# Generated by anatomy/tools/make_musclemap.py; edit that script and rerun it rather than this file.",
        "# Coordinates are those of bodymap.toml (viewBox 0 0 240 520 per view, x to the right, y down).",
        "# `side` is the patient's side; `center` is a point well inside the outline.",
        "# [deep]: muscles under others (not drawn) -> the regions their trigger points lie beneath.",
        "",
    ]
    for m in data["muscles"]:
        lines += ["[[muscle]]", f'code = "{m["muscle"]}"', f'view = "{m["view"]}"', f'side = "{m["side"]}"',
                  f"center = [{fmt(m['center'][0])}, {fmt(m['center'][1])}]", f"points = {pts(m['points'])}", ""]
    for mark in data["landmarks"]:
        lines += ["[[landmark]]", f'name = "{mark["name"]}"', f'view = "{mark["view"]}"']
        if mark["side"]:
            lines.append(f'side = "{mark["side"]}"')
        lines += [f'kind = "{mark["kind"]}"', f"points = {pts(mark['points'])}", ""]
    lines.append("[deep]")
    for code, regions in data["deep"].items():
        lines.append(f"{code} = [{', '.join(f'{r!r}'.replace(chr(39), chr(34)) for r in regions)}]")
    return "\n".join(lines) + "\n"


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    target.write_text(write(build()), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
