"""Outreach routes: thin; the use cases are in service.py, delivery in jobs.py."""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from services.outreach import jobs, registry, service
from services.outreach.models import (Application, Contract, Delivery, Interest, Notice, Product, Programme,
                                      Proposal, Scenario)
from services.outreach.schemas import (ApplicationIn, ApplicationUpdate, ContactIn, EcosystemContractIn,
                                       InterestIn, NoticeIn, ProductIn, ProgrammeIn, ProposalIn, RecommendIn,
                                       ScenarioContractIn, ScenarioIn)
from shared import pagination
from shared.auth import Caller
from shared.clock import today
from shared.schemas import USCC, RowId

router = APIRouter(tags=["outreach"])

Writer = Caller("econ")                          # the lead bureau (区经信局)
Recorder = Caller("econ", "platform")            # proposals and interest: the bureau or the enterprise portal
Reader = Caller("econ", "auditor", "platform")
Day = Annotated[dt.date | None, Query(ge=dt.date(1949, 10, 1), le=dt.date(2100, 12, 31))]
Q = Annotated[str | None, Query(max_length=100)]




def _page(request: Request, stmt, model, todict, limit: int, cursor: str | None) -> dict:
    after = pagination.decode_id(cursor)
    stmt = stmt.order_by(model.id).limit(limit + 1)
    if after:
        stmt = stmt.where(model.id > after)
    with request.app.state.db.reader() as s:
        items = [todict(x) for x in s.scalars(stmt)]
    return pagination.page(items, limit, key=lambda d: str(d["id"]))


def _one(request: Request, model, ident: int, zh: str, en: str, todict) -> dict:
    with request.app.state.db.reader() as s:
        return todict(service.get_or_404(s, model, ident, zh, en))


# -- scenarios ------------------------------------------------------------------------------------
@router.post("/scenarios", status_code=201, summary="Publish an application scenario (场景清单)")
def create_scenario(body: ScenarioIn, request: Request, who: Writer):
    with request.app.state.db.transaction() as s:
        return service.scenario_dict(service.create_scenario(s, who.actor, body))


@router.get("/scenarios", summary="List scenarios")
def list_scenarios(request: Request, who: Reader, limit: pagination.Limit = 100, cursor: pagination.Cursor = None,
                   state: Annotated[Literal["open", "contracted", "closed"] | None, Query()] = None,
                   recommended_city: bool | None = None):
    stmt = select(Scenario)
    if state:
        stmt = stmt.where(Scenario.state == state)
    if recommended_city is not None:
        stmt = stmt.where(Scenario.recommended_city == recommended_city)
    return _page(request, stmt, Scenario, service.scenario_dict, limit, cursor)


@router.get("/scenarios/{scenario_id}",
            summary="One scenario with its proposals and contracts (`contract`: the first, which chose the proposal)")
def get_scenario(scenario_id: RowId, request: Request, who: Reader):
    with request.app.state.db.reader() as s:
        x = service.get_or_404(s, Scenario, scenario_id, "场景", "Scenario")
        proposals = s.scalars(select(Proposal).where(Proposal.scenario_id == x.id).order_by(Proposal.id))
        contracts = [service.contract_dict(c) for c in
                     s.scalars(select(Contract).where(Contract.scenario_id == x.id).order_by(Contract.id))]
        return {**service.scenario_dict(x), "proposals": [service.proposal_dict(p) for p in proposals],
                "contract": contracts[0] if contracts else None, "contracts": contracts}


@router.post("/scenarios/{scenario_id}/recommend-city", summary="Recommend a scenario to the municipal list (推荐全市)")
def recommend(scenario_id: RowId, body: RecommendIn, request: Request, who: Writer):
    with request.app.state.db.transaction() as s:
        return service.scenario_dict(service.recommend(s, who.actor, scenario_id, body))


@router.post("/scenarios/{scenario_id}/close", summary="Close a scenario without a contract")
def close_scenario(scenario_id: RowId, request: Request, who: Writer):
    with request.app.state.db.transaction() as s:
        return service.scenario_dict(service.close_scenario(s, who.actor, scenario_id))


@router.post("/scenarios/{scenario_id}/proposals", status_code=201, summary="An enterprise's proposal for a scenario")
def add_proposal(scenario_id: RowId, body: ProposalIn, request: Request, who: Recorder):
    with request.app.state.db.transaction() as s:
        return service.proposal_dict(service.add_proposal(s, who.actor, scenario_id, body, today()))


@router.post("/scenarios/{scenario_id}/contracts", status_code=201,
             summary="Record a contract (a phase) with the scenario's chosen proposal (the first one chooses it); "
                     "publishes contract.signed.v1, kind scenario")
def sign_scenario_contract(scenario_id: RowId, body: ScenarioContractIn, request: Request, who: Writer):
    with request.app.state.db.transaction() as s:
        return service.contract_dict(service.sign_scenario_contract(s, who.actor, scenario_id, body))


# The first path, kept for its callers: the same use case.
router.add_api_route("/scenarios/{scenario_id}/contract", sign_scenario_contract, methods=["POST"], status_code=201,
                     summary="Same as POST /scenarios/{id}/contracts (the first path, kept)")


# -- showcase -------------------------------------------------------------------------------------
@router.post("/products", status_code=201, summary="Add a new technology or product to the showcase")
def create_product(body: ProductIn, request: Request, who: Recorder):
    with request.app.state.db.transaction() as s:
        return service.product_dict(service.create_product(s, who.actor, body))


@router.get("/products", summary="Search the showcase (q: Chinese partial words, all terms must match)")
def search_products(request: Request, who: Reader, q: Q = None, limit: pagination.Limit = 50,
                    cursor: pagination.Cursor = None, category: Q = None,
                    maturity: Annotated[Literal["research", "pilot", "mass_production", "deployed"] | None,
                                        Query()] = None):
    after = pagination.decode_id(cursor)
    with request.app.state.db.reader() as s:
        items = [service.product_dict(p) for p in service.search_products(s, q, category, maturity, after, limit)]
    return pagination.page(items, limit, key=lambda d: str(d["id"]))


@router.get("/products/{product_id}", summary="One showcase entry with the interest expressed in it")
def get_product(product_id: RowId, request: Request, who: Reader):
    with request.app.state.db.reader() as s:
        p = service.get_or_404(s, Product, product_id, "产品", "Product")
        interests = s.scalars(select(Interest).where(Interest.product_id == p.id).order_by(Interest.id))
        return {**service.product_dict(p), "interests": [service.interest_dict(i) for i in interests]}


@router.post("/products/{product_id}/interests", status_code=201, summary="A buyer expresses interest")
def add_interest(product_id: RowId, body: InterestIn, request: Request, who: Recorder):
    with request.app.state.db.transaction() as s:
        return service.interest_dict(service.add_interest(s, who.actor, product_id, body))


# -- contracts ------------------------------------------------------------------------------------
@router.post("/contracts", status_code=201,
             summary="Record an up/down-stream contract between two district enterprises (kind ecosystem)")
def sign_ecosystem_contract(body: EcosystemContractIn, request: Request, who: Writer):
    with request.app.state.db.transaction() as s:
        return service.contract_dict(service.sign_ecosystem_contract(s, who.actor, body))


@router.get("/contracts", summary="List contracts")
def list_contracts(request: Request, who: Reader, limit: pagination.Limit = 100, cursor: pagination.Cursor = None,
                   kind: Annotated[Literal["scenario", "ecosystem"] | None, Query()] = None,
                   uscc: Annotated[str | None, Query(max_length=18)] = None):
    stmt = select(Contract)
    if kind:
        stmt = stmt.where(Contract.kind == kind)
    if uscc:
        stmt = stmt.where(Contract.uscc == uscc.upper())
    return _page(request, stmt, Contract, service.contract_dict, limit, cursor)


@router.get("/contracts/{contract_id}", summary="One contract")
def get_contract(contract_id: RowId, request: Request, who: Reader):
    return _one(request, Contract, contract_id, "合同", "Contract", service.contract_dict)


# -- contacts and inbox ---------------------------------------------------------------------------
@router.put("/enterprises/{uscc}/contact", summary="Where notices reach an enterprise (e-mail, WeChat openid)")
def set_contact(uscc: USCC, body: ContactIn, request: Request, who: Recorder):
    with request.app.state.db.transaction() as s:
        c = service.set_contact(s, who.actor, uscc, body)
        return {"uscc": c.uscc, "email": c.email, "wechat_openid": c.wechat_openid}


@router.get("/enterprises/{uscc}/inbox", summary="An enterprise's portal inbox: its notices and their status")
def inbox(uscc: USCC, request: Request, who: Reader, limit: pagination.Limit = 100, cursor: pagination.Cursor = None):
    after = pagination.decode_id(cursor)
    stmt = (select(Delivery, Notice).join(Notice, Notice.id == Delivery.notice_id)
            .where(Delivery.uscc == uscc, Delivery.channel == "inbox").order_by(Delivery.id).limit(limit + 1))
    if after:
        stmt = stmt.where(Delivery.id > after)
    with request.app.state.db.reader() as s:
        items = [{**service.delivery_dict(d), "notice": service.notice_dict(n)} for d, n in s.execute(stmt)]
    return pagination.page(items, limit, key=lambda d: str(d["id"]))


# -- notices --------------------------------------------------------------------------------------
@router.post("/notices", status_code=201, summary="Draft a declaration notice (申报通知) and its target")
async def create_notice(body: NoticeIn, request: Request, who: Writer):
    """A `target.screening` selector is resolved now through the registry's screening (the caller's
    Authorization forwarded) and its USCCs stored with the notice; the registry down → 503, a bad
    answer → 502, nothing created."""
    screening = None
    if body.target.screening is not None:
        screening = await registry.resolve(request.app, body.target.screening.model_dump(mode="json"),
                                           request.headers.get("authorization"))

    def create():
        with request.app.state.db.transaction() as s:
            return service.notice_dict(service.create_notice(s, who.actor, body, screening))
    return await asyncio.to_thread(create)


@router.get("/notices", summary="List notices")
def list_notices(request: Request, who: Reader, limit: pagination.Limit = 100, cursor: pagination.Cursor = None):
    return _page(request, select(Notice), Notice, service.notice_dict, limit, cursor)


@router.get("/notices/{notice_id}", summary="One notice with delivery counts by channel and state")
def get_notice(notice_id: RowId, request: Request, who: Reader):
    with request.app.state.db.reader() as s:
        n = service.get_or_404(s, Notice, notice_id, "通知", "Notice")
        counts: dict = {}
        for ch, st, read in s.execute(select(Delivery.channel, Delivery.state, Delivery.read_at)
                                      .where(Delivery.notice_id == n.id)):
            c = counts.setdefault(ch, {})
            c[st] = c.get(st, 0) + 1
            if read is not None:
                c["read"] = c.get("read", 0) + 1
        return {**service.notice_dict(n), "deliveries": counts}


@router.post("/notices/{notice_id}/send", summary="Queue the notice for its targets (a resend queues only new ones)")
def send_notice(notice_id: RowId, request: Request, who: Writer):
    with request.app.state.db.transaction() as s:
        return service.send_notice(s, who.actor, notice_id)


@router.get("/notices/{notice_id}/deliveries", summary="Per-enterprise, per-channel delivery and read status")
def list_deliveries(notice_id: RowId, request: Request, who: Reader, limit: pagination.Limit = 100,
                    cursor: pagination.Cursor = None,
                    state: Annotated[Literal["pending", "sending", "sent", "failed", "abandoned"] | None,
                                     Query()] = None):
    with request.app.state.db.reader() as s:
        service.get_or_404(s, Notice, notice_id, "通知", "Notice")
    stmt = select(Delivery).where(Delivery.notice_id == notice_id)
    if state:
        stmt = stmt.where(Delivery.state == state)
    return _page(request, stmt, Delivery, service.delivery_dict, limit, cursor)


@router.post("/notices/{notice_id}/dispatch",
             summary="Send this notice's due deliveries now (the background worker does it every poll_s)")
async def dispatch(notice_id: RowId, request: Request, who: Writer):
    with request.app.state.db.reader() as s:
        service.get_or_404(s, Notice, notice_id, "通知", "Notice")
    return await asyncio.to_thread(jobs.dispatch_once, request.app, notice_id)


@router.post("/notices/{notice_id}/read/{uscc}", summary="The enterprise opened the notice (portal inbox)")
def mark_read(notice_id: RowId, uscc: USCC, request: Request, who: Recorder):
    with request.app.state.db.transaction() as s:
        return {"items": [service.delivery_dict(d) for d in service.mark_read(s, notice_id, uscc)]}


# -- programmes -----------------------------------------------------------------------------------
@router.post("/programmes", status_code=201, summary="Add a municipal or national programme with its window")
def create_programme(body: ProgrammeIn, request: Request, who: Writer):
    with request.app.state.db.transaction() as s:
        return service.programme_dict(service.create_programme(s, who.actor, body))


@router.get("/programmes", summary="The programme catalogue (open_on: only windows open that day)")
def list_programmes(request: Request, who: Reader, limit: pagination.Limit = 100, cursor: pagination.Cursor = None,
                    open_on: Day = None, level: Annotated[Literal["municipal", "national"] | None, Query()] = None):
    stmt = select(Programme)
    if open_on:
        stmt = stmt.where(Programme.window_opens <= open_on, Programme.window_closes >= open_on)
    if level:
        stmt = stmt.where(Programme.level == level)
    return _page(request, stmt, Programme, service.programme_dict, limit, cursor)


@router.get("/programmes/closing", summary="Reminders: open windows closing within outreach.programme.reminder_days")
def closing(request: Request, who: Reader, on: Day = None):
    with request.app.state.db.reader() as s:
        return service.closing_soon(s, on or today())


@router.post("/programmes/reminders",
             summary="Remind applicants still preparing of windows closing soon (a notice per window; idempotent)")
def remind(request: Request, who: Writer, on: Day = None):
    with request.app.state.db.transaction() as s:
        return service.remind_closing(s, who.actor, on or today())


@router.get("/programmes/{programme_id}", summary="One programme with its applications")
def get_programme(programme_id: RowId, request: Request, who: Reader):
    with request.app.state.db.reader() as s:
        p = service.get_or_404(s, Programme, programme_id, "项目", "Programme")
        apps = s.scalars(select(Application).where(Application.programme_id == p.id).order_by(Application.id))
        return {**service.programme_dict(p), "applications": [service.application_dict(a) for a in apps]}


@router.post("/programmes/{programme_id}/applications", status_code=201,
             summary="An application the bureau helps an enterprise with")
def create_application(programme_id: RowId, body: ApplicationIn, request: Request, who: Writer):
    with request.app.state.db.transaction() as s:
        return service.application_dict(service.create_application(s, who.actor, programme_id, body))


@router.patch("/applications/{application_id}", summary="Move an application's stage; record amounts")
def update_application(application_id: RowId, body: ApplicationUpdate, request: Request, who: Writer):
    with request.app.state.db.transaction() as s:
        return service.application_dict(service.update_application(s, who.actor, application_id, body))


@router.get("/applications", summary="Applications (by enterprise or stage)")
def list_applications(request: Request, who: Reader, limit: pagination.Limit = 100, cursor: pagination.Cursor = None,
                      uscc: Annotated[str | None, Query(max_length=18)] = None,
                      stage: Annotated[Literal["preparing", "submitted", "approved", "granted", "rejected",
                                               "withdrawn"] | None, Query()] = None):
    stmt = select(Application)
    if uscc:
        stmt = stmt.where(Application.uscc == uscc.upper())
    if stage:
        stmt = stmt.where(Application.stage == stage)
    return _page(request, stmt, Application, service.application_dict, limit, cursor)
