"""Pure rules of the awards summary: the ledger's sums laid out per programme and year. No I/O."""
from __future__ import annotations

FIGURES = ("approved", "paid", "clawed_back", "recovered")
# Which ledger kind each figure is: an approval reserves the budget, a payment disburses it, a
# claw-back opens what is owed back, a recovery is money come back (kind `recovered`).
KIND_OF = {"reserved": "approved", "disbursed": "paid", "clawed_back": "clawed_back", "recovered": "recovered"}


def summary(rows, first: int, last: int) -> list[dict]:
    """Per programme (those with any entry), per year of [first, last]: count and 元 of each figure."""
    out: dict[str, dict[int, dict]] = {}
    for program, year, kind, n, total in rows:
        figure = KIND_OF.get(kind)
        if figure is None or not first <= year <= last:
            continue
        years = out.setdefault(program, {y: {f"{f}_{u}": 0 for f in FIGURES for u in ("count", "yuan")}
                                         for y in range(first, last + 1)})
        years[year][f"{figure}_count"] += n
        years[year][f"{figure}_yuan"] += total
    return [{"program": p, "years": [{"year": y, **v} for y, v in sorted(ys.items())],
             "total": {k: sum(v[k] for v in ys.values()) for k in next(iter(ys.values()))}}
            for p, ys in sorted(out.items())]
