"""Guidance-fund (政府引导基金) use cases. No commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.finance import parameters, rules
from services.finance.funds import repository
from services.finance.funds.schemas import FundDetail, FundIn, FundPublic, InvestmentIn, InvestmentPublic
from services.finance.records import known_enterprise
from services.finance.tables import FundInvestment, GuidanceFund
from shared import audit, projection
from shared.auth import Principal
from shared.db import insert
from shared.errors import Problem, not_found


def investment(s: Session, i: FundInvestment) -> InvestmentPublic:
    return InvestmentPublic.model_validate({
        "id": i.id, "fund_id": i.fund_id, "uscc": i.uscc, "invested_on": i.invested_on, "amount_yuan": i.amount_yuan,
        "tier_at_investment": projection.tier_of(s, i.uscc, i.invested_on)})


def detail(s: Session, f: GuidanceFund) -> FundDetail:
    return FundDetail.model_validate({"id": f.id, "name": f.name, "manager": f.manager,
                                      "investments": [investment(s, i) for i in repository.investments(s, f.id)]})


def create_fund(s: Session, actor: str, body: FundIn) -> GuidanceFund:
    def exists(**extra) -> Problem:
        return Problem(409, "fund-exists", f"已有基金「{body.name}」", f"A fund named {body.name!r} exists", **extra)

    dup = repository.named(s, body.name)
    if dup is not None:
        raise exists(existing=FundPublic.model_validate(dup).model_dump(mode="json"))
    f = GuidanceFund(name=body.name, manager=body.manager)
    insert(s, f, exists())
    audit.record(s, actor, "fund.create", "guidance_fund", str(f.id), None,
                 FundPublic.model_validate(f).model_dump(mode="json"))
    return f


def get(s: Session, who: Principal, fund_id: int) -> GuidanceFund:
    f = repository.get(s, who, fund_id)
    if f is None:
        raise not_found("引导基金", "Guidance fund", str(fund_id))
    return f


def add_investment(s: Session, actor: str, f: GuidanceFund, body: InvestmentIn) -> FundInvestment:
    """An investment in an enterprise finance holds the record of (its tier on the day is read from
    the record whenever it is asked)."""
    known_enterprise(s, body.uscc)
    inv = FundInvestment(fund_id=f.id, uscc=body.uscc, invested_on=body.invested_on, amount_yuan=body.amount_yuan,
                         created_by=actor)
    s.add(inv)
    s.flush()
    audit.record(s, actor, "fund.invest", "fund_investment", str(inv.id), None,
                 investment(s, inv).model_dump(mode="json"))
    return inv


def fund_report(s: Session, fund_id: int | None, on: dt.date) -> dict:
    """The share of SRDI enterprises among the enterprises invested in (by one fund, or all), by
    investments made on or before `on`, against the floor in force on `on`; with the list behind it."""
    values, cited = parameters.values(s, on, "finance.guidance_fund.")
    rows = repository.investments(s, fund_id, on)
    held = projection.records(s, {i.uscc for i in rows})
    # Each investment's tier on its date, by the record as held now (a back-dated revocation counts).
    invs = [rules.Investment(i.uscc, i.invested_on, held[i.uscc].tier_on(i.invested_on) if i.uscc in held else "sme")
            for i in rows]
    report = rules.srdi_share(invs, values["srdi_min_tier"], values["srdi_share_min_bp"])
    for row in report["items"]:
        row["name"] = held[row["uscc"]].name if row["uscc"] in held else None
    return {"fund_id": fund_id, "on": on, **report, "parameters": cited}
