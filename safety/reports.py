"""Rates as the adverse-event report shows them (the counting is treatment/reports.py)."""


def per_thousand(events: int, injections: int) -> float | None:
    return round(events * 1000 / injections, 2) if injections else None
