"""Generate anatomy/data/bodymap.toml, the body map's region outlines (our own drawing).

Run `python -m anatomy.tools.make_bodymap` and commit the TOML; the app reads only the TOML.

Why a generator: eighty-odd regions drawn twice must tile the body without gaps or overlaps.
Each body part is a small curvilinear grid (rows of points across the part) whose cells are
labelled by an ASCII map, so neighbouring regions share their vertices exactly. The patient's
one side is drawn on the viewer's left (x < 120) and mirrored; grids that cross the midline
(head, neck, trunk) are mirrored as a whole so midline regions come out as one shape. Cells of
one region, from one grid or several, are merged into a single outline by cancelling the edges
they share.
"""
from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from anatomy import bodymap, vocabulary

W, MID = 240, 120.0
OUT = Path(__file__).resolve().parent.parent / "data" / "bodymap.toml"

Point = tuple[float, float]


def mirror(p: Point) -> Point:
    return (W - p[0], p[1])


def lerp(a: Point, b: Point, f: float) -> Point:
    return (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)


def row(outer: Point, inner: Point, fracs, curve: float = 0.0) -> list[Point]:
    """Points across a part from its outer edge to its inner edge (or the midline).

    `curve` bends the row: the inner end moves by `curve` in y with a flat tangent there,
    which is what a row crossing the midline needs to look smooth once mirrored.
    """
    pts = []
    for f in fracs:
        x, y = lerp(outer, inner, f)
        pts.append((x, y + curve * ((1 - (1 - f) ** 2) - f)))
    return pts


def stations(pairs, fracs) -> list[list[Point]]:
    return [row(o, i, fracs) for o, i in pairs]


# A piece is (view, code, where, polygon); where is "L" (viewer's left), "R" or "M" (midline).
pieces: list[tuple[str, str, str, list[Point]]] = []


def grid(view: str, rows: list[list[Point]], labels: str, legend: dict[str, str], full: bool) -> None:
    """Add the labelled cells of a grid.

    `labels` has one line per gap between rows and one letter per cell, from the part's outer edge
    inwards (to the midline for `full` grids, which are then mirrored as a whole).
    """
    lines = [line.split() for line in labels.strip().splitlines()]
    assert len(lines) == len(rows) - 1, (view, len(lines), len(rows))
    half = len(rows[0]) - 1
    for r, cells in enumerate(lines):
        assert len(cells) == half, (view, r, cells)
        for c, char in enumerate(cells):
            code = legend[char]
            quad = [rows[r][c], rows[r][c + 1], rows[r + 1][c + 1], rows[r + 1][c]]
            paired = vocabulary.region(code).paired
            if full and not paired:
                pieces.append((view, code, "M", quad))
                pieces.append((view, code, "M", [mirror(p) for p in quad]))
            else:
                assert paired, code
                pieces.append((view, code, "L", quad))
                pieces.append((view, code, "R", [mirror(p) for p in quad]))


def free(view: str, code: str, polygon: list[Point]) -> None:
    """A hand-drawn shape on the viewer's left (ears, fingers, toes), mirrored for the other side."""
    pieces.append((view, code, "L", polygon))
    pieces.append((view, code, "R", [mirror(p) for p in polygon]))


# --------------------------------------------------------------------------- head and neck
HF = [0, 0.22, 0.55, 0.83, 1]  # head columns: temple/ear edge | eye | eye | nose


def skull_x(y: float) -> float:
    """Outer edge of the cranium, an ellipse around (120, 44)."""
    dy = (y - 44) / 33
    return MID - 23.7 * max(0.0, 1 - dy * dy) ** 0.5


def skull_top(x: float) -> float:
    dx = (x - MID) / 23.7
    return 44 - 33 * max(0.0, 1 - dx * dx) ** 0.5


HEAD_ROWS = [
    [(102 + 18 * f, skull_top(102 + 18 * f)) for f in HF],  # crown outline
    row((skull_x(29), 29), (MID, 29), HF, curve=-6.5),
    row((skull_x(36), 36), (MID, 36), HF, curve=-1.5),
    row((skull_x(43), 43), (MID, 42), HF),  # eyebrows
    row((skull_x(50.5), 50.5), (MID, 50.5), HF),  # below the eyes
    row((98.3, 57.5), (MID, 57.5), HF),  # below the nose
    row((100.7, 63), (MID, 62.5), HF),  # mouth
    row((103.4, 68), (MID, 67.5), HF),
]
CHIN = [(106.6, 71.5), (109.8, 74.2), (113.4, 76.0), (116.9, 76.8), (MID, 77)]
NAPE = row((106.6, 71.5), (MID, 72.5), HF, curve=1)

HEAD_LEGEND = {
    "V": "head.vertex", "T": "head.temple", "F": "head.forehead", "E": "head.eye",
    "J": "face.jaw-joint", "C": "face.cheek", "U": "face.upper-teeth", "L": "face.lower-teeth",
    "j": "face.jaw", "B": "head.behind-ear", "O": "head.occiput",
}
grid("front", HEAD_ROWS + [CHIN], """
V V V V
T F F F
T F F F
T E E F
J C C C
j C U U
j j L L
j j j j
""", HEAD_LEGEND, full=True)
grid("back", HEAD_ROWS + [NAPE], """
V V V V
T O O O
T O O O
T O O O
B O O O
B O O O
B O O O
B O O O
""", HEAD_LEGEND, full=True)

EAR = [HEAD_ROWS[3][0], (93.6, 41.4), (91.3, 43.4), (90.5, 47.8), (91.3, 52.8), (93.4, 57.2),
       (96.4, 59.6), HEAD_ROWS[5][0], HEAD_ROWS[4][0]]
free("front", "head.ear", EAR)
free("back", "head.ear", EAR)

NF = [0, 0.36, 0.6, 0.8, 1]
NECK_BASE = row((103.4, 94.5), (MID, 100), NF, curve=-1.5)


def neck_rows(top: list[Point]) -> list[list[Point]]:
    return [top, row((105.6, 80.5), (MID, 84), NF), row((104.8, 88.5), (MID, 92.5), NF), NECK_BASE]


NECK_LEGEND = {"S": "neck.side", "F": "neck.front", "U": "neck.back-upper", "D": "neck.back-lower"}
grid("front", neck_rows(CHIN), """
S F F F
S F F F
S F F F
""", NECK_LEGEND, full=True)
grid("back", neck_rows(NAPE), """
S U U U
S U U U
S D D D
""", NECK_LEGEND, full=True)

# --------------------------------------------------------------------------- trunk
A = (69.5, 104.5)  # acromion: where the shoulder line meets the deltoid
P = (83.6, 134.0)  # armpit: where the inner arm meets the side of the chest
TF = [0, 0.17, 0.33, 0.46, 0.57, 0.72, 0.86, 1]
T0 = [A, (80.5, 99.6), (92.5, 96.2)] + NECK_BASE
T1F = [0, 0.2, 0.44, 0.64, 0.75, 0.84, 0.93, 1]
T2F = [(a + b) / 2 for a, b in zip(T1F, TF)]
TRUNK_TOP = [
    T0,
    row(lerp(A, P, 1 / 6), (MID, 105), T1F, curve=1),  # along the collarbones
    row(lerp(A, P, 1 / 2), (MID, 119), T2F),
    row(P, (MID, 134), TF),
    row((85.6, 150), (MID, 150), TF),
    row((87.6, 166), (MID, 166), TF),
    row((89.2, 180), (MID, 180), TF),
    row((90.0, 195), (MID, 196), TF),
    row((89.2, 210), (MID, 212), TF),
    row((86.6, 226), (MID, 230), TF),
]
HIP = (84.0, 243.0)
CROTCH_FRONT = (MID, 262.0)
GROIN = row(HIP, CROTCH_FRONT, TF)
GLUTEAL_FOLD = row((83.5, 262), (MID, 276), TF)  # back view: the legs part below the buttocks

TRUNK_LEGEND = {
    "S": "shoulder.top", "U": "chest.upper", "M": "chest.sternum", "X": "axilla", "L": "chest.lateral",
    "B": "chest.breast", "A": "abdomen.upper", "W": "abdomen.lower", "F": "abdomen.flank", "G": "groin",
    "N": "neck.angle", "D": "neck.back-lower", "P": "scapula.upper", "Y": "scapula.body",
    "E": "scapula.medial-border", "I": "scapula.inferior-angle", "u": "back.upper", "m": "back.mid",
    "K": "back.lumbar", "C": "back.iliac-crest", "R": "back.sacroiliac", "Q": "back.sacrum",
    "Z": "back.coccyx", "g": "buttock.upper", "O": "buttock.lower", "H": "hip.lateral",
    "J": "hip.back",
}
grid("front", TRUNK_TOP + [GROIN], """
S S S S U M M
U U U U U M M
X X U U U M M
L B B B B M M
L B B B B M M
L A A A A M M
F A A A A A A
F W W W W W W
F W W W W W W
F G G G G G G
""", TRUNK_LEGEND, full=True)
grid("back", TRUNK_TOP + [row(HIP, (MID, 250), TF), row((83.75, 252.5), (MID, 264), TF), GLUTEAL_FOLD], """
S S N N D D D
P P P P E u u
Y Y Y Y E u u
L Y Y Y E u u
L L I I E u u
L L m m m m m
F F m m m m m
F F K K K K K
C C C K K K K
g g g R R Q Q
H J O O O O Z
H J O O O O O
""", TRUNK_LEGEND, full=True)

# --------------------------------------------------------------------------- arm and hand
AF = [0, 1 / 6, 2 / 6, 0.5, 4 / 6, 5 / 6, 1]
ARM = stations([
    (A, P),
    ((63.4, 110.5), (83.0, 136.5)),
    ((60.0, 120), (82.0, 140.5)),
    ((57.8, 134), (80.2, 147.5)),
    ((56.0, 148), (78.4, 156)),
    ((54.4, 164), (77.0, 169)),
    ((52.4, 180), (75.2, 184.5)),
    ((50.2, 190), (74.2, 194.5)),
    ((47.8, 201), (72.4, 205.5)),
    ((44.8, 216), (68.6, 220.5)),
    ((42.4, 232), (63.6, 236)),
    ((40.8, 246), (58.8, 249)),
    ((40.2, 252), (57.2, 255)),
    ((40.0, 259), (55.6, 261)),
], AF)
ARM_LEGEND = {
    "D": "shoulder.side", "F": "shoulder.front", "B": "shoulder.back", "O": "arm.outer", "A": "arm.front",
    "I": "arm.inner", "a": "arm.back", "L": "elbow.lateral", "C": "elbow.front", "E": "elbow.back",
    "M": "elbow.medial", "R": "forearm.radial", "V": "forearm.front", "v": "forearm.back",
    "U": "forearm.ulnar", "W": "wrist.front", "w": "wrist.back",
}
grid("front", ARM, """
D D D F F F
D D D F F F
D D D F F F
D D D F F F
O O A A I I
O O A A I I
L L C C M M
L L C C M M
R R V V U U
R R V V U U
R R V V U U
R R V V U U
W W W W W W
""", ARM_LEGEND, full=False)
grid("back", ARM, """
D D D B B B
D D D B B B
D D D B B B
D D D B B B
O O a a a a
O O a a a a
L L E E M M
L L E E M M
R R v v U U
R R v v U U
R R v v U U
R R v v U U
w w w w w w
""", ARM_LEGEND, full=False)

def digits(base: list[Point], lengths: list[float], down: Point, notch: float, ends: tuple[float, float]):
    """Outline of side-by-side fingers or toes hanging from `base`, the knuckle line they share.

    The digits split the base evenly and are `lengths` long along `down`; neighbours part at a notch
    `notch` deep. `ends` are how far the outline runs straight down at the first and last edge, so
    two groups that touch (index-middle and ring-little) can share that stretch exactly.
    """
    a, b = base[0], base[-1]
    width = ((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5
    e = ((b[0] - a[0]) / width, (b[1] - a[1]) / width)
    length = (down[0] ** 2 + down[1] ** 2) ** 0.5
    d = (down[0] / length, down[1] / length)

    def at(along: float, depth: float) -> Point:
        return (a[0] + e[0] * along + d[0] * depth, a[1] + e[1] * along + d[1] * depth)

    w = width / len(lengths)
    pts = [a, at(0, ends[0])]
    for i, tip in enumerate(lengths):
        s = i * w
        pts += [at(s + w * 0.06, tip * 0.78), at(s + w * 0.22, tip * 0.95), at(s + w * 0.5, tip),
                at(s + w * 0.78, tip * 0.95), at(s + w * 0.94, tip * 0.78)]
        if i < len(lengths) - 1:
            pts.append(at(s + w, notch))
    return pts + [at(width, ends[1]), b] + base[-2:0:-1]


PALM = stations([((40.0, 259), (55.6, 261)), ((37.4, 272), (57.4, 274.5)), ((37.2, 283.5), (57.0, 285.5))],
                [0, 0.5, 1])
grid("front", PALM, "P P\nP P", {"P": "hand.palm"}, full=False)
grid("back", PALM, "P P\nP P", {"P": "hand.back"}, full=False)
KNUCKLES = PALM[-1]
FINGERS_DOWN = (-0.06, 1)
THUMB = [PALM[0][0], (36.4, 261.2), (33.0, 265.4), (30.6, 271.6), (29.2, 278.6), (28.8, 285.0), (29.6, 289.8),
         (31.6, 291.8), (33.6, 290.4), (34.6, 285.8), (35.6, 279.6), PALM[1][0]]
INDEX_MIDDLE = digits(KNUCKLES[:2], [19, 22], FINGERS_DOWN, notch=10, ends=(8, 8))
RING_LITTLE = digits(KNUCKLES[1:], [20.5, 16], FINGERS_DOWN, notch=9, ends=(8, 6))
for view in ("front", "back"):
    free(view, "hand.thumb", THUMB)
    free(view, "hand.index-middle", INDEX_MIDDLE)
    free(view, "hand.ring-little", RING_LITTLE)

# --------------------------------------------------------------------------- leg and foot
LF_TOP = [0, 0.17, 0.42, 0.72, 1]  # shares its first column with the trunk (hip.lateral spans both)
LF = [0, 0.27, 0.5, 0.73, 1]
ANKLE_F = [0, 0.33, 0.5, 0.67, 1]  # the ankle is narrow: give its three strips equal widths
LEG_PAIRS = [
    ((84.3, 285), (118.0, 292)),
    ((85.8, 310), (116.8, 313)),
    ((87.4, 334), (115.4, 335)),
    ((89.2, 352), (114.2, 352)),  # knee
    ((89.6, 366), (113.4, 366)),
    ((89.0, 380), (112.6, 380)),
    ((86.8, 396), (112.2, 396)),  # calf
    ((87.6, 414), (111.0, 414)),
    ((90.0, 434), (108.6, 434)),
]
ANKLE_PAIRS = [((92.0, 451), (106.6, 451)), ((92.2, 464), (107.2, 464))]
LOWER_LEG = stations(LEG_PAIRS, LF) + stations(ANKLE_PAIRS, ANKLE_F)
LEG_FRONT = [row(HIP, CROTCH_FRONT, LF_TOP), row((83.5, 262), (119.2, 276), LF_TOP)] + LOWER_LEG
LEG_BACK = [row((83.5, 262), (MID, 276), LF_TOP)] + LOWER_LEG
LEG_LEGEND = {
    "H": "hip.lateral", "F": "thigh.front", "I": "thigh.inner", "O": "thigh.outer", "B": "thigh.back",
    "K": "knee.outer", "N": "knee.front", "Q": "knee.inner", "P": "knee.back", "E": "leg.outer",
    "S": "leg.front", "J": "leg.inner", "C": "leg.calf", "A": "ankle.outer", "T": "ankle.front",
    "Z": "ankle.inner", "h": "ankle.back",
}
grid("front", LEG_FRONT, """
H F F I
H F F I
O F F I
O F F I
O F F I
K N N Q
K N N Q
E S S J
E S S J
E S S J
E S S J
A T T Z
""", LEG_LEGEND, full=False)
grid("back", LEG_BACK, """
H B B B
O B B B
O B B B
O B B B
K P P P
K P P P
E C C C
E C C C
E C C C
E C C C
A h h Z
""", LEG_LEGEND, full=False)

# The ankle regions run on down the sides of the foot, so the malleoli are large enough to click.
ANKLE = LEG_FRONT[-1]
FOOT_LEGEND = {"A": "ankle.outer", "Z": "ankle.inner", "T": "foot.top", "h": "foot.heel", "S": "foot.sole",
               "B": "foot.ball"}
FOOT_TOP = [ANKLE] + stations([((90.2, 478), (109.4, 479))], ANKLE_F) + stations([((87.2, 490), (112.0, 492))], LF)
grid("front", FOOT_TOP, "A T T Z\nT T T T", FOOT_LEGEND, full=False)
TOE_LINE = FOOT_TOP[-1]
TOES_DOWN = (-0.08, 1)
free("front", "foot.toes", digits(TOE_LINE[:4], [6.5, 8, 9, 10], TOES_DOWN, notch=3.5, ends=(3, 4.5)))
free("front", "foot.big-toe", digits(TOE_LINE[3:], [13], TOES_DOWN, notch=0, ends=(4.5, 6)))

SOLE = [ANKLE] + stations([((91.6, 474), (107.8, 474))], ANKLE_F) + stations(
    [((90.8, 484), (109.0, 484)), ((89.2, 495), (110.8, 495)), ((88.2, 505), (112.4, 505))], LF)
grid("back", SOLE, "A h h Z\nh h h h\nS S S S\nB B B B", FOOT_LEGEND, full=False)
BALL = SOLE[-1]
free("back", "foot.toes", digits(BALL[:4], [6, 7.5, 8.5, 9.5], TOES_DOWN, notch=3.5, ends=(3, 4.5)))
free("back", "foot.big-toe", digits(BALL[3:], [11.5], TOES_DOWN, notch=0, ends=(4.5, 6)))


# --------------------------------------------------------------------------- merging and output
def weld(pieces):
    """Insert into every edge the vertices of other pieces that lie on it (T-junctions).

    Two grids meeting along a line may subdivide it differently; once coordinates are rounded such
    a line would bend differently on its two sides and leave slivers. Welded, both sides share the
    same vertices, so they round identically.
    """
    cell = 8.0
    buckets = defaultdict(set)
    for view, _, _, poly in pieces:
        for p in poly:
            buckets[(view, int(p[0] // cell), int(p[1] // cell))].add(p)
    welded = []
    for view, code, where, poly in pieces:
        out = []
        for a, b in zip(poly, poly[1:] + poly[:1]):
            out.append(a)
            dx, dy = b[0] - a[0], b[1] - a[1]
            length = dx * dx + dy * dy
            if length == 0:
                continue
            found = []
            for i in range(int(min(a[0], b[0]) // cell), int(max(a[0], b[0]) // cell) + 1):
                for j in range(int(min(a[1], b[1]) // cell), int(max(a[1], b[1]) // cell) + 1):
                    for p in buckets[(view, i, j)]:
                        t = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length
                        if 1e-9 < t < 1 - 1e-9 and abs((p[0] - a[0]) * dy - (p[1] - a[1]) * dx) / length ** 0.5 < 1e-6:
                            found.append((t, p))
            out.extend(p for _, p in sorted(found))
        welded.append((view, code, where, out))
    return welded


def key(p: Point) -> tuple[float, float]:
    return (round(p[0], 1), round(p[1], 1))


def signed_area(poly: list[Point]) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(poly, poly[1:] + poly[:1])) / 2


def merge(polys: list[list[Point]]) -> list[Point]:
    """Union of polygons that meet along shared edges: cancel each edge met in both directions.

    Vertices are rounded to the file's 0.1 first, so a vertex shared by two grids is one vertex.
    """
    edges: dict[tuple, bool] = {}
    for poly in polys:
        poly = [key(p) for p in poly]
        if signed_area(poly) < 0:
            poly = poly[::-1]
        for a, b in zip(poly, poly[1:] + poly[:1]):
            if a == b:
                continue
            if (b, a) in edges:
                del edges[(b, a)]
            else:
                edges[(a, b)] = True
    nxt = defaultdict(list)
    for a, b in edges:
        nxt[a].append(b)
    start = min(nxt)
    loop, here = [start], start
    while True:
        here = nxt[here].pop()
        if here == start:
            break
        loop.append(here)
    left = sum(len(v) for v in nxt.values())
    if left:
        raise ValueError(f"shape does not merge into one outline ({left} edges left)")
    return loop


def simplify(poly: list[Point]) -> list[Point]:
    """Drop vertices lying exactly on the line between their neighbours (exact on the 0.1 grid)."""
    out = []
    for i, p in enumerate(poly):
        a, b = poly[i - 1], poly[(i + 1) % len(poly)]
        cross = round(((p[0] - a[0]) * (b[1] - a[1]) - (p[1] - a[1]) * (b[0] - a[0])) * 100)
        if cross:
            out.append(p)
    return out


PATIENT_SIDE = {("front", "L"): "right", ("front", "R"): "left", ("back", "L"): "left", ("back", "R"): "right",
                ("front", "M"): None, ("back", "M"): None}


def build() -> dict[str, list[dict]]:
    grouped = defaultdict(list)
    for view, code, where, poly in weld(pieces):
        grouped[(view, code, where)].append(poly)
    outlines = {}
    for (view, code, where), polys in grouped.items():
        try:
            outlines[(view, code, where)] = simplify(merge(polys))
        except ValueError as error:
            raise SystemExit(f"{view} {code} {where}: {error}")
    out = {"front": [], "back": []}
    order = {code: n for n, code in enumerate(vocabulary.regions())}
    for (view, code, where), outline in outlines.items():
        if where == "R":  # the mirror image's centre, so both sides place points alike
            x, y = bodymap.interior_point(outlines[(view, code, "L")])
            center = (round(W - x, 1), y)
        else:
            center = bodymap.interior_point(outline)
        side = PATIENT_SIDE[(view, where)]
        out[view].append({"region": code, "side": side, "points": outline, "center": center})
    for shapes in out.values():
        shapes.sort(key=lambda shape: (order[shape["region"]], shape["side"] or ""))
    return out


def fmt(v: float) -> str:
    return f"{round(v, 1):g}"


def write(shapes: dict[str, list[dict]]) -> str:
    lines = [
        "# Body map: the clickable region outlines for the front and back views.",
        "# The outlines are our own drawing, made for tpclinic (no third-party artwork).",
        "# Generated by anatomy/tools/make_bodymap.py; edit that script and rerun it rather than this file.",
        "# Coordinates are in one shared system per view: viewBox 0 0 240 520, x to the right, y down.",
        "# Front view: the patient's right side is on the viewer's left. Back view: the patient's left is on the",
        "# viewer's left. `center` is a point well inside the shape, for labels and keyboard placement.",
        "",
        "viewbox = [0, 0, 240, 520]",
        'views = ["front", "back"]',
    ]
    for view in ("front", "back"):
        for shape in shapes[view]:
            lines.append("")
            lines.append(f"[[{view}]]")
            lines.append(f'region = "{shape["region"]}"')
            if shape["side"]:
                lines.append(f'side = "{shape["side"]}"')
            lines.append(f"center = [{fmt(shape['center'][0])}, {fmt(shape['center'][1])}]")
            pts = ", ".join(f"[{fmt(x)}, {fmt(y)}]" for x, y in shape["points"])
            lines.append(f"points = [{pts}]")
    return "\n".join(lines) + "\n"


def main() -> None:
    text = write(build())
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
