"""Guidance-fund routes (政府引导基金)."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.finance.auth import Manager, ProgrammeReader
from services.finance.funds import repository, service
from services.finance.funds.schemas import (
    FundDetail,
    FundIn,
    FundList,
    FundPublic,
    FundReport,
    InvestmentIn,
    InvestmentPublic,
)
from shared.clock import today
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["guidance-funds"])

FundId = Annotated[int, Path(description="基金编号 / fund id")]
OnQuery = Annotated[dt.date | None, Query(description="YYYY-MM-DD：统计日期（默认今天）/ the report's date "
                                                      "(default today)")]


@router.post("/guidance-funds", status_code=201, response_model=FundPublic,
             summary="新增引导基金 / add a guidance fund")
def create_fund(body: FundIn, who: Manager, session: WriteSession):
    """区金融服务办新增引导基金；名称不得重复（409）。The finance office adds a fund; names are unique (409)."""
    return service.create_fund(session, who.actor, body)


@router.get("/guidance-funds", response_model=FundList, summary="引导基金 / guidance funds")
def list_funds(who: ProgrammeReader, session: ReadSession):
    """全部引导基金。Every guidance fund."""
    return {"items": repository.all_funds(session, who)}


@router.get("/guidance-funds/srdi-share", response_model=FundReport,
            summary="全部基金专精特新投资占比 / all funds: share of SRDI enterprises against the floor")
def all_funds_share(who: ProgrammeReader, session: ReadSession, on: OnQuery = None):
    """全部基金被投企业中专精特新企业的占比及下限。
    Across all funds, the share of SRDI enterprises among those invested in, against the floor."""
    return service.fund_report(session, None, on or today())


@router.get("/guidance-funds/{fund_id}", response_model=FundDetail,
            summary="一支基金 / one fund with its investments")
def get_fund(fund_id: FundId, who: ProgrammeReader, session: ReadSession):
    """基金及其投资记录。The fund with its investments."""
    return service.detail(session, service.get(session, who, fund_id))


@router.post("/guidance-funds/{fund_id}/investments", status_code=201, response_model=InvestmentPublic,
             summary="记录投资 / record an investment")
def add_investment(fund_id: FundId, body: InvestmentIn, who: Manager, session: WriteSession):
    """记录基金对一家企业的投资。Record the fund's investment in an enterprise."""
    inv = service.add_investment(session, who.actor, service.get(session, who, fund_id), body)
    return service.investment(session, inv)


@router.get("/guidance-funds/{fund_id}/srdi-share", response_model=FundReport,
            summary="基金专精特新投资占比 / the fund's share of SRDI enterprises, with the list")
def fund_share(fund_id: FundId, who: ProgrammeReader, session: ReadSession, on: OnQuery = None):
    """该基金被投企业中专精特新企业的占比、下限及企业清单。
    The fund's share of SRDI enterprises among those invested in, the floor, and the list."""
    service.get(session, who, fund_id)
    return service.fund_report(session, fund_id, on or today())
