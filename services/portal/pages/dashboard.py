"""The first page: the programme at a glance for the signed-in role."""
from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Request

from services.portal import charts
from services.portal.labels import AWARD_STATE_LABELS, AWARD_STATES, LOAN_STATE_LABELS, TIER_LABELS, TIER_ORDER
from services.portal.names import names_of
from services.portal.pages.common import api, optional, page_user, render
from services.portal.pages.requests import OWN_DEPARTMENT
from services.portal.session import User
from shared.clock import today

router = APIRouter()


@router.get("/", name="dashboard")
async def dashboard(request: Request, user: Annotated[User, page_user("dashboard")]):
    a = api(request, user)

    async def award_counts():  # one small answer per state, however long the queue (its totals)
        totals = await asyncio.gather(*(a.get("awards", "/awards/totals", state=s) for s in AWARD_STATES))
        return {s: (t["count"], False) for s, t in zip(AWARD_STATES, totals)}

    year = today().year
    stats, awards, listed, new, targets, overdue = await asyncio.gather(
        optional(a.get("registry", "/stats/tiers")), optional(award_counts()),
        optional(a.count("finance", "/service-list")),
        optional(a.get("registry", "/stats/new", year=year)),
        optional(a.get("registry", f"/targets/{year}")),
        optional(a.all("registry", "/service-requests", overdue="true", cap=200,
                       department=user.role if user.role in OWN_DEPARTMENT else None)))
    if overdue:
        await names_of(request).load(usccs=[r.get("uscc") for r in overdue])
    ctx = {"stats": stats, "awards": awards, "listed": listed, "year": year, "new": new, "targets": targets,
           "overdue": overdue}
    # What the role does not read is one line, not a card each (a bank's home page was five of them).
    ctx["not_shown"] = [label for label, v in (("全区层级统计", stats), ("奖励办理情况", awards), ("金融服务名单", listed),
                                               ("新增企业统计", new), ("培育目标", targets), ("服务包诉求", overdue))
                        if v is None]
    if user.role == "bank":  # its own cases by state (the finance service scopes them)
        cases = await optional(a.all("finance", "/loans", cap=2000), [])
        ctx["loans"] = {s: n for s in LOAN_STATE_LABELS if (n := sum(1 for c in cases or [] if c["state"] == s))}
    if new:  # per title, highest first: new this year, and the stock on the day
        ctx["new_rows"] = [(TIER_LABELS.get(t, t), new["tiers"][t]) for t in TIER_ORDER if t in new["tiers"]]
    if stats:
        ctx["pyramid"] = charts.pyramid([(TIER_LABELS[t], stats["counts"].get(t, 0)) for t in TIER_ORDER])
        ctx["holders"] = [(TIER_LABELS[t], stats["holders"][t]) for t in TIER_ORDER if t in stats["holders"]]
    if awards:
        ctx["award_bars"] = charts.bars([(AWARD_STATE_LABELS[s], awards[s][0]) for s in AWARD_STATES])
    return render(request, "dashboard.html", **ctx)
