"""Contract routes: a scenario's contracts (its phases) and up/down-stream contracts, recorded once,
each publishing contract.signed.v1."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from services.outreach.access import Reader, Writer, page
from shared.filters import uscc_filter
from shared.pagination import Cursor, Limit
from services.outreach.contracts import repository, service
from services.outreach.contracts.schemas import ContractPublic, EcosystemContractIn, ScenarioContractIn
from shared import pagination
from shared.schemas import Page, RowId
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["contracts"])
ScenarioId = Annotated[RowId, Path(description="场景编号 / the scenario's id")]


@router.post("/scenarios/{scenario_id}/contracts", status_code=201,
             summary="登记场景合同（一期）/ Record a contract (a phase) of a scenario")
def sign_scenario_contract(scenario_id: ScenarioId, body: ScenarioContractIn, who: Writer,
                           session: WriteSession) -> ContractPublic:
    """登记场景与其选定方案的一份合同（一期），同一事务发布 contract.signed.v1（kind scenario）。第一份合同选定其方案；
    其他方案 409 proposal-not-chosen；同一场景同一合同编号 409 duplicate-contract；场景已关闭 409；签订日期晚于今天 422。
    Record a contract (a phase) with the scenario's chosen proposal (the first one chooses it),
    publishing contract.signed.v1 (kind scenario) in the same transaction. Another proposal: 409
    proposal-not-chosen; the same contract number again: 409 duplicate-contract; a closed scenario:
    409; signed after today: 422. A refusal records and publishes nothing."""
    return service.sign_scenario_contract(session, who, scenario_id, body)


# The first path, kept for its callers: the same use case.
router.add_api_route("/scenarios/{scenario_id}/contract", sign_scenario_contract, methods=["POST"], status_code=201,
                     summary="登记场景合同（旧路径）/ Same as POST /scenarios/{id}/contracts (the first path, kept)")


@router.post("/contracts", status_code=201,
             summary="登记上下游合同 / Record an up/down-stream contract between two district enterprises")
def sign_ecosystem_contract(body: EcosystemContractIn, who: Writer, session: WriteSession) -> ContractPublic:
    """登记两家区内企业之间的上下游合同（kind ecosystem），同一事务发布 contract.signed.v1。一方不在企业库 422；
    同一供需双方同一合同编号 409 duplicate-contract。
    Record an up/down-stream contract (kind ecosystem) between two enterprises the registry has,
    publishing contract.signed.v1 in the same transaction. A party not in the registry: 422; the
    same supplier, buyer and contract number again: 409 duplicate-contract."""
    return service.sign_ecosystem_contract(session, who, body)


@router.get("/contracts", summary="合同列表 / List contracts")
def list_contracts(who: Reader, session: ReadSession, limit: Limit = 100, cursor: Cursor = None,
                   kind: Annotated[Literal["scenario", "ecosystem"] | None,
                                   Query(description="按合同类型筛选 / only this kind")] = None,
                   uscc: uscc_filter("按供方统一社会信用代码筛选 / only this supplier's (its USCC)") = None
                   ) -> Page[ContractPublic]:
    """按编号分页列出已登记的合同。
    The contracts recorded, by id, a keyset page at a time."""
    return page(repository.listing(session, who, kind, uscc, pagination.decode_id(cursor), limit), limit)


@router.get("/contracts/{contract_id}", summary="合同详情 / One contract")
def get_contract(contract_id: Annotated[RowId, Path(description="合同编号 / the contract's id")], who: Reader,
                 session: ReadSession) -> ContractPublic:
    """一份合同及其发布的 contract.signed.v1 事件编号。
    One contract as recorded, with the contract.signed.v1 event it published."""
    return repository.get(session, who, contract_id)
