"""Scenario use cases: publish, recommend to the city, close, take proposals. They write through the
caller's session and never commit. Signing a scenario's contract is in contracts/service.py."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.outreach import registry
from services.outreach.access import dump, save
from services.outreach.contracts import repository as contracts
from services.outreach.scenarios import repository
from services.outreach.scenarios.schemas import ProposalIn, ProposalPublic, RecommendIn, ScenarioIn, ScenarioPublic
from services.outreach.showcase import repository as showcase
from services.outreach.tables import Proposal, Scenario
from shared import audit
from shared.auth import Principal
from shared.db import insert
from shared.errors import Problem, field_error


def create(s: Session, who: Principal, body: ScenarioIn) -> Scenario:
    x = save(s, Scenario(**body.model_dump(), created_by=who.actor))
    audit.record(s, who.actor, "scenario.create", "scenario", x.id, after=dump(ScenarioPublic, x))
    return x


def detail(s: Session, who: Principal, scenario_id: int) -> dict:
    """The scenario with its proposals, its contracts (the phases) and `contract` (the first)."""
    x = repository.get(s, who, scenario_id)
    phases = contracts.of_scenario(s, x.id)
    if who.role == "enterprise":  # its own contracts only (another supplier's price is not its business)
        phases = [c for c in phases if c.uscc == who.org]
    return {**x.model_dump(), "proposals": repository.proposals_of(s, who, x.id),
            "contract": phases[0] if phases else None, "contracts": phases}


def recommend(s: Session, who: Principal, scenario_id: int, body: RecommendIn) -> Scenario:
    """推荐全市: the flag and its date; idempotent (the first date stays)."""
    x = repository.get(s, who, scenario_id, lock=True)
    before = dump(ScenarioPublic, x)
    if not x.recommended_city:
        x.recommended_city, x.recommended_on = True, body.recommended_on
        audit.record(s, who.actor, "scenario.recommend_city", "scenario", x.id, before, dump(ScenarioPublic, x))
    return x


def close(s: Session, who: Principal, scenario_id: int) -> Scenario:
    x = repository.get(s, who, scenario_id, lock=True)
    if x.state == "open":
        before = dump(ScenarioPublic, x)
        x.state = "closed"
        audit.record(s, who.actor, "scenario.close", "scenario", x.id, before, dump(ScenarioPublic, x))
    return x


def propose(s: Session, who: Principal, scenario_id: int, body: ProposalIn, on: dt.date) -> Proposal:
    if who.role == "enterprise" and body.uscc != who.org:
        raise Problem(403, "not-your-enterprise", "企业用户只能为本企业提交方案",
                      "An enterprise proposes for itself only",
                      errors=[{"loc": ["body", "uscc"], "msg": "not the signed-in enterprise", "type": "forbidden"}])
    # Locked: proposals and the signing of the scenario's contract are serialised per scenario.
    x = repository.get(s, who, scenario_id, lock=True)
    if x.state != "open":
        raise Problem(409, "scenario-not-open", f"场景 {x.id} 已{'签约' if x.state == 'contracted' else '关闭'}，不再接受方案",
                      f"Scenario {x.id} is {x.state}; it takes no more proposals")
    if on > x.deadline:
        raise Problem(409, "scenario-deadline-passed", f"场景 {x.id} 已过征集截止日 {x.deadline}",
                      f"Scenario {x.id}'s deadline {x.deadline} has passed")
    registry.district(s, body.uscc, "uscc")
    if body.product_id is not None and not showcase.of_enterprise(s, body.product_id, body.uscc):
        raise field_error("product_id", "产品不存在或不属于该企业", "no such product of this enterprise")
    if repository.proposed(s, x.id, body.uscc):
        raise Problem(409, "duplicate-proposal", f"企业 {body.uscc} 已为场景 {x.id} 提交方案",
                      f"Enterprise {body.uscc} already proposed for scenario {x.id}")
    p = insert(s, Proposal(scenario_id=x.id, created_by=who.actor, **body.model_dump()),  # a racing duplicate
               Problem(409, "duplicate-proposal", f"企业 {body.uscc} 已为场景 {x.id} 提交方案",
                       f"Enterprise {body.uscc} already proposed for scenario {x.id}"))
    audit.record(s, who.actor, "proposal.create", "proposal", p.id, after=dump(ProposalPublic, p))
    return p
