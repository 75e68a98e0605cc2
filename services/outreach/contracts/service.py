"""Contract use cases: a scenario's contract (a phase, with its chosen proposal) and an up/down-stream
contract between two district enterprises. Each is recorded once and puts contract.signed.v1 into
the outbox in the same transaction. They write through the caller's session and never commit."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.outreach import events, registry
from services.outreach.access import dump
from services.outreach.contracts import repository
from services.outreach.contracts.schemas import ContractPublic, EcosystemContractIn, ScenarioContractIn
from services.outreach.scenarios import repository as scenarios
from services.outreach.showcase import repository as showcase
from services.outreach.tables import Contract
from shared import audit
from shared.auth import Principal
from shared.db import insert
from shared.errors import Problem, field_error


def duplicate_contract(existing: int | None) -> Problem:
    ref = f"（合同 {existing}）" if existing else ""
    return Problem(409, "duplicate-contract", f"这份合同（同一合同编号/凭证）已登记{ref}",
                   "This contract (same parties, or the same scenario, and the same evidence) is already recorded"
                   + (f" (contract {existing})" if existing else ""),
                   **({"contract_id": existing} if existing else {}))


def _record(s: Session, who: Principal, c: Contract) -> Contract:
    """Store the contract (the unique keys refuse a raced duplicate), publish contract.signed.v1 in
    the same transaction and write the audit log."""
    insert(s, c, duplicate_contract(None))
    c.event_id = events.contract_signed(s, c).id
    audit.record(s, who.actor, "contract.sign", "contract", c.id, after=dump(ContractPublic, c))
    return c


def _not_chosen(p, scenario_id: int, chosen) -> Problem:
    also_zh, also_en = (f"（选中的是方案 {chosen.id}）", f" (proposal {chosen.id} was)") if chosen else ("", "")
    return Problem(409, "proposal-not-chosen", f"方案 {p.id} 未被场景 {scenario_id} 选中{also_zh}，不能为其登记合同",
                   f"Proposal {p.id} was not chosen for scenario {scenario_id}{also_en}: "
                   "no contract can be recorded for it",
                   errors=[{"loc": ["body", "proposal_id"], "msg": "not the scenario's chosen proposal",
                            "type": "proposal-not-chosen"}],
                   **({"chosen_proposal_id": chosen.id} if chosen else {}))


def sign_scenario_contract(s: Session, who: Principal, scenario_id: int, body: ScenarioContractIn) -> Contract:
    """Record a contract (a phase) of a scenario with its chosen proposal's enterprise, and put
    contract.signed.v1 into the outbox in the same transaction (so the award follows exactly once,
    even if NATS is down). The first contract chooses its proposal: the others become not_chosen and
    the scenario contracted. Every later phase must name the chosen proposal; a proposal that was
    not chosen is refused (409), so no contract, hence no award, exists for it."""
    x = scenarios.get(s, who, scenario_id, lock=True)
    if x.state == "closed":
        raise Problem(409, "scenario-not-open", f"场景 {x.id} 已关闭", f"Scenario {x.id} is closed")
    p = scenarios.proposal(s, body.proposal_id)
    if p is None or p.scenario_id != x.id:
        raise field_error("proposal_id", "不是该场景的方案", "not a proposal for this scenario")
    chosen = scenarios.chosen(s, x.id)
    if (chosen is not None and chosen.id != p.id) or p.state == "not_chosen":
        raise _not_chosen(p, x.id, chosen)
    registry.district(s, p.uscc, "proposal_id")
    if (same := repository.same_phase(s, x.id, body.evidence)) is not None:
        raise duplicate_contract(same)
    c = _record(s, who, Contract(
        kind="scenario", uscc=p.uscc, buyer_uscc=None, buyer_name=x.owner_department, scenario_id=x.id,
        proposal_id=p.id, product_id=p.product_id, contract_yuan=body.contract_yuan, signed_on=body.signed_on,
        evidence=body.evidence, event_id="", created_by=who.actor))
    if chosen is None:
        scenarios.not_chosen_but(s, x.id, p.id)
        p.state, x.state = "chosen", "contracted"
    return c


def sign_ecosystem_contract(s: Session, who: Principal, body: EcosystemContractIn) -> Contract:
    supplier = registry.district(s, body.supplier_uscc, "supplier_uscc")
    buyer = registry.district(s, body.buyer_uscc, "buyer_uscc")
    if body.product_id is not None and not showcase.of_enterprise(s, body.product_id, supplier.uscc):
        raise field_error("product_id", "产品不存在或不属于供方", "no such product of the supplier")
    # The same contract (supplier, buyer, contract number) recorded twice would raise two 5 % claims:
    # refused here, and by the unique key when two such requests race.
    if (same := repository.same_deal(s, supplier.uscc, buyer.uscc, body.evidence)) is not None:
        raise duplicate_contract(same)
    return _record(s, who, Contract(
        kind="ecosystem", uscc=supplier.uscc, buyer_uscc=buyer.uscc, buyer_name=buyer.name, scenario_id=None,
        proposal_id=None, product_id=body.product_id, contract_yuan=body.contract_yuan, signed_on=body.signed_on,
        evidence=body.evidence, event_id="", created_by=who.actor))
