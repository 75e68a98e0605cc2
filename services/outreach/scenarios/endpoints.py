"""Scenario routes (场景清单): thin; the use cases are in service.py, the contracts on a scenario in
contracts/endpoints.py."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.outreach.access import Proposer, ScenarioReader, Writer, page
from shared.pagination import Cursor, Limit
from services.outreach.scenarios import repository, service
from services.outreach.scenarios.schemas import (ProposalIn, ProposalPublic, RecommendIn, ScenarioDetail, ScenarioIn,
                                                 ScenarioPublic, ScenarioState)
from shared import pagination
from shared.clock import today
from shared.schemas import Page, RowId
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["scenarios"])
ScenarioId = Annotated[RowId, Path(description="场景编号 / the scenario's id")]


@router.post("/scenarios", status_code=201, summary="发布应用场景 / Publish an application scenario")
def create_scenario(body: ScenarioIn, who: Writer, session: WriteSession) -> ScenarioPublic:
    """发布一个应用场景（场景清单），状态为征集中。
    Publish an application scenario (场景清单); it is open for proposals."""
    return service.create(session, who, body)


@router.get("/scenarios", summary="场景列表 / List scenarios")
def list_scenarios(who: ScenarioReader, session: ReadSession, limit: Limit = 100, cursor: Cursor = None,
                   state: Annotated[ScenarioState | None, Query(description="按状态筛选 / only this state")] = None,
                   recommended_city: Annotated[bool | None, Query(description="按是否推荐全市筛选 / only "
                                                                              "scenarios (not) recommended")] = None
                   ) -> Page[ScenarioPublic]:
    """按编号分页列出场景。
    Scenarios by id, a keyset page at a time."""
    rows = repository.listing(session, who, state, recommended_city, pagination.decode_id(cursor), limit)
    return page(rows, limit)


@router.get("/scenarios/{scenario_id}", summary="场景详情（含方案与合同）/ One scenario with its proposals and contracts")
def get_scenario(scenario_id: ScenarioId, who: ScenarioReader, session: ReadSession) -> ScenarioDetail:
    """场景及其方案、各期合同；`contract` 为第一份合同（选定方案的那份），签约前为空。
    The scenario with its proposals and contracts (the phases); `contract` is the first, which chose
    the proposal (null before)."""
    return service.detail(session, who, scenario_id)


@router.post("/scenarios/{scenario_id}/recommend-city", summary="推荐全市 / Recommend a scenario to the municipal list")
def recommend(scenario_id: ScenarioId, body: RecommendIn, who: Writer, session: WriteSession) -> ScenarioPublic:
    """标记推荐全市及其日期；重复推荐保留第一次的日期；日期不得晚于今天。
    Mark the scenario recommended to the city with its date; idempotent (the first date stays); the
    date is never after today."""
    return service.recommend(session, who, scenario_id, body)


@router.post("/scenarios/{scenario_id}/close", summary="关闭场景（未签约）/ Close a scenario without a contract")
def close_scenario(scenario_id: ScenarioId, who: Writer, session: WriteSession) -> ScenarioPublic:
    """关闭一个征集中的场景，不再接受方案与合同。
    Close an open scenario: it takes no more proposals nor contracts."""
    return service.close(session, who, scenario_id)


@router.post("/scenarios/{scenario_id}/proposals", status_code=201,
             summary="企业为场景提交方案 / An enterprise's proposal for a scenario")
def add_proposal(scenario_id: ScenarioId, body: ProposalIn, who: Proposer, session: WriteSession) -> ProposalPublic:
    """登记企业的方案：企业须在区企业库中（否则 422），场景须在征集中且未过截止日、同一企业只能提交一次（否则 409）。
    Record an enterprise's proposal: the enterprise must be in the registry (else 422); the scenario
    must be open and before its deadline, one proposal per enterprise (else 409)."""
    return service.propose(session, who, scenario_id, body, today())
