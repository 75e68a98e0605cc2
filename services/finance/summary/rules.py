"""Pure rules of the finance summary: per-year sums. No I/O."""
from __future__ import annotations

ZERO = {"loans_applied": 0, "applied_yuan": 0, "loans_drawn": 0, "drawn_yuan": 0, "subsidy_payments": 0,
        "subsidy_yuan": 0, "compensations": 0, "compensation_yuan": 0, "investments": 0, "invested_yuan": 0}


def per_year(first: int, last: int, loans, subsidies, compensations, investments) -> dict[int, dict]:
    out = {y: dict(ZERO) for y in range(first, last + 1)}

    def add(year: int, count: str, amount: str, yuan: int | None) -> None:
        if year in out:
            out[year][count] += 1
            out[year][amount] += int(yuan or 0)

    for applied_on, applied, drawn_on, drawn in loans:
        add(applied_on.year, "loans_applied", "applied_yuan", applied)
        if drawn_on is not None:
            add(drawn_on.year, "loans_drawn", "drawn_yuan", drawn)
    for quarter, yuan in subsidies:
        add(int(quarter[:4]), "subsidy_payments", "subsidy_yuan", yuan)
    for on, yuan in compensations:
        add(on.year, "compensations", "compensation_yuan", yuan)
    for on, yuan in investments:
        add(on.year, "investments", "invested_yuan", yuan)
    return out
