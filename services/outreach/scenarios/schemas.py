"""Scenarios (场景清单) and proposals: request bodies and answers."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import ConfigDict, Field

from services.outreach.contracts.schemas import EXAMPLE as CONTRACT, SUPPLIER, ContractPublic
from shared.schemas import USCC, Body, Day, FactDay, LongText, Public, RowId, Text, UtcTime, Yuan

ScenarioState = Literal["open", "contracted", "closed"]


class ScenarioIn(Body):
    """一个应用场景 / An application scenario a district department publishes."""

    title: Text = Field(description="场景名称 / the scenario's title")
    owner_department: Text = Field(description="发布部门（合同的需方）/ the owner department (the contracts' buyer)")
    need: LongText = Field(description="需求描述 / what is needed")
    budget_yuan: Yuan = Field(description="预算（整数元）/ the budget in whole 元")
    deadline: Day = Field(description="方案征集截止日 / the last day proposals are taken")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"title": "智慧供热调度", "owner_department": "区城管委", "need": "供热管网的智能调度与能耗监测",
         "budget_yuan": 3000000, "deadline": "2026-12-31"}]})


class RecommendIn(Body):
    """推荐全市的日期 / The day the scenario was recommended to the municipal list."""

    recommended_on: FactDay = Field(description="推荐日期，不晚于今天 / the day recommended, never after today")
    model_config = ConfigDict(json_schema_extra={"examples": [{"recommended_on": "2026-06-01"}]})


class ProposalIn(Body):
    """企业为场景提交的方案 / An enterprise's proposal for a scenario."""

    uscc: USCC = Field(description="提出方案的企业统一社会信用代码 / the proposing enterprise's unified social "
                                   "credit code")
    summary: LongText = Field(description="方案摘要 / the proposal in brief")
    product_id: RowId | None = Field(None, description="该企业在产品目录中的产品（可空）/ the enterprise's showcase "
                                                       "product, if any")
    price_yuan: Yuan | None = Field(None, description="报价（整数元，可空）/ the price offered in whole 元, if any")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"uscc": SUPPLIER, "summary": "蓄热式调度系统，含管网能耗监测平台", "product_id": 3, "price_yuan": 2800000}]})


SCENARIO = {"id": 7, "title": "智慧供热调度", "owner_department": "区城管委", "need": "供热管网的智能调度与能耗监测",
            "budget_yuan": 3000000, "deadline": "2026-12-31", "state": "open", "recommended_city": False,
            "recommended_on": None, "created_by": "econ:-:zhang", "created_at": "2026-03-02T01:30:00Z"}
PROPOSAL = {"id": 12, "scenario_id": 7, "uscc": SUPPLIER, "product_id": 3, "summary": "蓄热式调度系统",
            "price_yuan": 2800000, "state": "submitted", "created_at": "2026-03-10T06:00:00Z"}


class ScenarioPublic(Public):
    """一个应用场景 / An application scenario."""

    id: int = Field(description="场景编号 / the scenario's id")
    title: str = Field(description="场景名称 / the scenario's title")
    owner_department: str = Field(description="发布部门 / the owner department")
    need: str = Field(description="需求描述 / what is needed")
    budget_yuan: int = Field(description="预算（整数元）/ the budget in whole 元")
    deadline: dt.date = Field(description="方案征集截止日 / the last day proposals are taken")
    state: ScenarioState = Field(description="open 征集中、contracted 已签约、closed 已关闭 / open, contracted "
                                             "or closed")
    recommended_city: bool = Field(description="是否已推荐全市 / recommended to the municipal list")
    recommended_on: dt.date | None = Field(description="推荐全市的日期 / the day it was recommended")
    created_by: str = Field(description="发布人（角色:机构:用户）/ who published it (role:org:user)")
    created_at: UtcTime = Field(description="发布时间（UTC）/ when it was published (UTC)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [SCENARIO]})


class ProposalPublic(Public):
    """企业为场景提交的方案 / An enterprise's proposal for a scenario."""

    id: int = Field(description="方案编号 / the proposal's id")
    scenario_id: int = Field(description="场景编号 / the scenario")
    uscc: str = Field(description="提出方案的企业统一社会信用代码 / the proposing enterprise's USCC")
    product_id: int | None = Field(description="产品目录中的产品 / the showcase product, if any")
    summary: str = Field(description="方案摘要 / the proposal in brief")
    price_yuan: int | None = Field(description="报价（整数元）/ the price offered in whole 元")
    state: Literal["submitted", "chosen", "not_chosen"] = Field(
        description="submitted 已提交、chosen 已选定、not_chosen 未选定 / submitted, chosen or not chosen")
    created_at: UtcTime = Field(description="提交时间（UTC）/ when it was submitted (UTC)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [PROPOSAL]})


class ScenarioDetail(ScenarioPublic):
    """场景及其方案与合同 / A scenario with its proposals and contracts."""

    proposals: list[ProposalPublic] = Field(description="全部方案 / its proposals")
    contract: ContractPublic | None = Field(description="第一份合同（选定方案的那份），签约前为空 / the first "
                                                        "contract, which chose the proposal; null before")
    contracts: list[ContractPublic] = Field(description="各期合同 / its contracts (the phases), by id")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {**SCENARIO, "state": "contracted", "proposals": [{**PROPOSAL, "state": "chosen"}], "contract": CONTRACT,
         "contracts": [CONTRACT]}]})
