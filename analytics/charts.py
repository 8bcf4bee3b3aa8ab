"""Geometry for the analytics page's SVG charts, computed here so templates only draw.

Server-rendered SVG needs no JavaScript library, prints well and reads in any browser; every chart
gets a <title> and <desc> for screen readers and the page repeats its numbers in a table.
Shares are 0-100 (%); a group with no value (no courses) draws no bar.
"""
from __future__ import annotations

WIDTH = 640
FEW = 20  # groups with fewer courses than this are drawn faint: a share of a handful is noise


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def line_chart(points: list[dict], height: int = 260) -> dict:
    """Responder share (≥30% and ≥50%) by session number: two lines over x = 1, 2, 3, ..."""
    left, right, top, bottom = 48, 16, 14, 40
    inner_w, inner_h = WIDTH - left - right, height - top - bottom
    step = inner_w / max(len(points) - 1, 1)

    def y(value):
        return top + inner_h * (1 - (value or 0) / 100)

    ticks, line30, line50 = [], [], []
    for index, point in enumerate(points):
        x = left + step * index if len(points) > 1 else left + inner_w / 2
        ticks.append({"x": _fmt(x), "label": point["label"], "n": point["n"]})
        if point["share30"] is not None:
            line30.append({"x": _fmt(x), "y": _fmt(y(point["share30"])), "value": point["share30"],
                           "label": point["label"], "n": point["n"]})
            line50.append({"x": _fmt(x), "y": _fmt(y(point["share50"])), "value": point["share50"],
                           "x0": _fmt(x - 4), "y0": _fmt(y(point["share50"]) - 4),  # corner of its square marker
                           "label": point["label"], "n": point["n"]})
    return {
        "width": WIDTH, "height": height, "left": left, "right": WIDTH - right, "bottom": height - bottom,
        "grid": [{"y": _fmt(y(v)), "value": v} for v in (0, 25, 50, 75, 100)],
        "threshold_y": _fmt(y(50)),
        "ticks": ticks, "line30": line30, "line50": line50,
        "path30": " ".join(f"{p['x']},{p['y']}" for p in line30),
        "path50": " ".join(f"{p['x']},{p['y']}" for p in line50),
        "empty": not points,
    }


def bar_chart(groups: list[dict], value: str = "share30", inner: str | None = "share50", maximum: float = 100.0,
              unit: str = "%") -> dict:
    """Horizontal bars, one row per group: `value` as the bar, `inner` (if any) as a darker bar inside it."""
    label_w, right, row_h, top = 200, 70, 26, 8
    inner_w = WIDTH - label_w - right
    maximum = maximum or 1
    rows = []
    for index, group in enumerate(groups):
        outer_value = group.get(value) or 0
        inner_value = group.get(inner) or 0 if inner else 0
        y = top + index * row_h
        rows.append({
            "y": y, "text_y": y + row_h / 2 + 4, "label": group["label"],
            "width": _fmt(inner_w * min(outer_value, maximum) / maximum),
            "inner_width": _fmt(inner_w * min(inner_value, maximum) / maximum),
            "value": outer_value, "inner_value": inner_value,
            "value_x": _fmt(label_w + inner_w * min(outer_value, maximum) / maximum + 6),
            "n": group.get("n"), "few": group.get("n") is not None and group["n"] < FEW,
        })
    height = top * 2 + row_h * max(len(groups), 1) + 18
    scale = [{"x": _fmt(label_w + inner_w * f), "value": round(maximum * f, 2)} for f in (0, 0.25, 0.5, 0.75, 1)]
    return {"width": WIDTH, "height": height, "label_w": label_w, "bar_h": row_h - 8, "rows": rows,
            "scale": scale, "axis_y": height - 12, "unit": unit, "has_inner": bool(inner), "empty": not groups}


def rate_chart(events: list[dict]) -> dict:
    """Adverse events per 1,000 injections, one bar per kind, on a scale that fits the largest."""
    top = max((e["per_1000"] or 0 for e in events), default=0)
    nice = next((step for step in (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if step >= top), top or 1)
    groups = [{"label": e["label"], "rate": e["per_1000"] or 0, "n": None} for e in events]
    return bar_chart(groups, value="rate", inner=None, maximum=nice, unit="")
