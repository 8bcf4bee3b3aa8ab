"""Pain over the course, drawn as a small server-side SVG line chart (no JavaScript needed)."""
import math
from dataclasses import dataclass

from tpclinic import dates

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 560, 220, 40, 16, 14, 34
DATE_TICK_WIDTH = 110  # room for a date in full at the tick font ("11 de noviembre de 2025")


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    value: int
    label: str


def _y(value: int) -> float:
    return TOP + (10 - value) * (HEIGHT - TOP - BOTTOM) / 10


def pain_chart(sessions) -> dict:
    """Coordinates for pain before and after each signed session, in session order."""
    count = len(sessions)
    step = (WIDTH - LEFT - RIGHT) / max(count - 1, 1)
    dated_every = max(1, math.ceil(DATE_TICK_WIDTH / step)) if count > 1 else 1  # dates never overlap
    before, after, ticks = [], [], []
    for index, session in enumerate(sessions):
        x = LEFT + (step * index if count > 1 else (WIDTH - LEFT - RIGHT) / 2)
        day = dates.long_date(session.performed_at)
        ticks.append({"x": x, "label": f"#{index + 1}", "date": day if index % dated_every == 0 else ""})
        if session.pain_before is not None:
            before.append(ChartPoint(x, _y(session.pain_before), session.pain_before, f"#{index + 1} {day}"))
        if session.pain_after is not None:
            after.append(ChartPoint(x, _y(session.pain_after), session.pain_after, f"#{index + 1} {day}"))
    grid = [{"y": _y(v), "value": v} for v in (0, 2, 4, 6, 8, 10)]
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "bottom": HEIGHT - BOTTOM,
        "before": before, "after": after, "ticks": ticks, "grid": grid,
        "before_path": " ".join(f"{p.x:.1f},{p.y:.1f}" for p in before),
        "after_path": " ".join(f"{p.x:.1f},{p.y:.1f}" for p in after),
        "empty": count == 0,
    }
