"""The awards summary for the leadership report, from the ledger. Never commits."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.awards.rules import PROGRAMS_ZH
from services.awards.summary import repository, rules
from services.awards.summary.schemas import Summary

BASIS = ("按台账记账日期所在年份：批准＝预算预留，拨付＝拨付，追回＝追回（应收），追回到账＝追回款到账 / by the year each "
         "ledger entry was booked: approved = reserved, paid = disbursed, clawed back, recovered")


def summary(s: Session, first: int, last: int) -> Summary:
    programs = rules.summary(repository.sums(s, first, last), first, last)
    total = [{"year": y, **{k: sum(p["years"][i][k] for p in programs) for k in rules_keys()}}
             for i, y in enumerate(range(first, last + 1))]
    for p in programs:
        p["program_zh"] = PROGRAMS_ZH.get(p["program"], p["program"])
    return Summary.model_validate({"from_year": first, "to_year": last, "basis": BASIS, "programs": programs,
                                   "total": total})


def rules_keys() -> list[str]:
    return [f"{f}_{u}" for f in rules.FIGURES for u in ("count", "yuan")]
