"""Outreach use cases. They write through the caller's session and never commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.outreach import events, rules
from services.outreach.models import (Application, Contact, Contract, Delivery, Interest, Notice, Product,
                                      Programme, Proposal, Scenario)
from services.outreach.schemas import (ApplicationIn, ApplicationUpdate, ContactIn, EcosystemContractIn,
                                       InterestIn, NoticeIn, ProductIn, ProgrammeIn, ProposalIn, RecommendIn,
                                       ScenarioContractIn, ScenarioIn)
from shared import audit, params, projection
from shared.clock import today
from shared.contracts.registry import EnterpriseRecord
from shared.db import for_update, utcnow
from shared.errors import Problem, field_error, not_found


def _iso(d: dt.date | dt.datetime | None) -> str | None:
    if d is None:
        return None
    return d.isoformat() + ("Z" if isinstance(d, dt.datetime) else "")


def not_in_registry(field: str, uscc: str) -> Problem:
    return Problem(422, "not-in-registry", f"{field}：企业 {uscc} 不在区经信局企业库中（或尚未同步）",
                   f"{field}: enterprise {uscc} is not in the district registry (or not yet synchronised)",
                   errors=[{"loc": ["body", field], "msg": "not a registered district enterprise",
                            "type": "not-in-registry"}])


def district(s: Session, uscc: str, field: str) -> EnterpriseRecord:
    """The registry's newest record of a district enterprise (its facts come from nowhere else)."""
    r = projection.record_of(s, uscc)
    if r is None:
        raise not_in_registry(field, uscc)
    return r


def learn(s: Session, record: EnterpriseRecord) -> bool:
    """Keep the registry's record when it is newer than the one held (a stale or repeated one
    changes nothing). True when it was newer. handlers.py calls it for every registry event."""
    return projection.remember(s, record) is not record


def enterprise_facts(r: EnterpriseRecord, on: dt.date) -> dict:
    """What a notice target is matched against: the record's facts and its tier on `on`."""
    return {"uscc": r.uscc, "tier": r.tier_on(on), "township": r.township, "park_id": r.park_id,
            "industry_code": r.industry_code}


def get_or_404(s: Session, model, ident, zh: str, en: str, lock: bool = False):
    stmt = select(model).where(model.id == ident)
    row = s.scalars(for_update(s, stmt) if lock else stmt).first()
    if row is None:
        raise not_found(zh, en, str(ident))
    return row


# -- scenarios ------------------------------------------------------------------------------------
def scenario_dict(x: Scenario) -> dict:
    return {"id": x.id, "title": x.title, "owner_department": x.owner_department, "need": x.need,
            "budget_yuan": x.budget_yuan, "deadline": _iso(x.deadline), "state": x.state,
            "recommended_city": x.recommended_city, "recommended_on": _iso(x.recommended_on),
            "created_by": x.created_by, "created_at": _iso(x.created_at)}


def proposal_dict(p: Proposal) -> dict:
    return {"id": p.id, "scenario_id": p.scenario_id, "uscc": p.uscc, "product_id": p.product_id,
            "summary": p.summary, "price_yuan": p.price_yuan, "state": p.state, "created_at": _iso(p.created_at)}


def contract_dict(c: Contract) -> dict:
    return {"id": c.id, "kind": c.kind, "uscc": c.uscc, "buyer_uscc": c.buyer_uscc, "buyer_name": c.buyer_name,
            "scenario_id": c.scenario_id, "proposal_id": c.proposal_id, "product_id": c.product_id,
            "contract_yuan": c.contract_yuan, "signed_on": _iso(c.signed_on), "evidence": c.evidence,
            "event_id": c.event_id, "created_by": c.created_by, "created_at": _iso(c.created_at)}


def create_scenario(s: Session, actor: str, body: ScenarioIn) -> Scenario:
    x = Scenario(**body.model_dump(), created_by=actor)
    s.add(x)
    s.flush()
    audit.record(s, actor, "scenario.create", "scenario", x.id, after=scenario_dict(x))
    return x


def recommend(s: Session, actor: str, scenario_id: int, body: RecommendIn) -> Scenario:
    x = get_or_404(s, Scenario, scenario_id, "场景", "Scenario", lock=True)
    before = scenario_dict(x)
    if not x.recommended_city:
        x.recommended_city, x.recommended_on = True, body.recommended_on
        audit.record(s, actor, "scenario.recommend_city", "scenario", x.id, before, scenario_dict(x))
    return x


def close_scenario(s: Session, actor: str, scenario_id: int) -> Scenario:
    x = get_or_404(s, Scenario, scenario_id, "场景", "Scenario", lock=True)
    if x.state == "open":
        before = scenario_dict(x)
        x.state = "closed"
        audit.record(s, actor, "scenario.close", "scenario", x.id, before, scenario_dict(x))
    return x


def add_proposal(s: Session, actor: str, scenario_id: int, body: ProposalIn, on: dt.date) -> Proposal:
    # Locked: proposals and the signing of the scenario's contract are serialised per scenario.
    x = get_or_404(s, Scenario, scenario_id, "场景", "Scenario", lock=True)
    if x.state != "open":
        raise Problem(409, "scenario-not-open", f"场景 {x.id} 已{ '签约' if x.state == 'contracted' else '关闭'}，不再接受方案",
                      f"Scenario {x.id} is {x.state}; it takes no more proposals")
    if on > x.deadline:
        raise Problem(409, "scenario-deadline-passed", f"场景 {x.id} 已过征集截止日 {x.deadline}",
                      f"Scenario {x.id}'s deadline {x.deadline} has passed")
    district(s, body.uscc, "uscc")
    if body.product_id is not None:
        prod = s.get(Product, body.product_id)
        if prod is None or prod.uscc != body.uscc:
            raise field_error("product_id", "产品不存在或不属于该企业", "no such product of this enterprise")
    if s.scalars(select(Proposal.id).where(Proposal.scenario_id == x.id, Proposal.uscc == body.uscc)).first():
        raise Problem(409, "duplicate-proposal", f"企业 {body.uscc} 已为场景 {x.id} 提交方案",
                      f"Enterprise {body.uscc} already proposed for scenario {x.id}")
    p = Proposal(scenario_id=x.id, created_by=actor, **body.model_dump())
    s.add(p)
    s.flush()
    audit.record(s, actor, "proposal.create", "proposal", p.id, after=proposal_dict(p))
    return p


def chosen_proposal(s: Session, scenario_id: int) -> Proposal | None:
    return s.scalars(select(Proposal).where(Proposal.scenario_id == scenario_id, Proposal.state == "chosen")).first()


def sign_scenario_contract(s: Session, actor: str, scenario_id: int, body: ScenarioContractIn) -> Contract:
    """Record a contract (a phase) of a scenario with its chosen proposal's enterprise, and put
    contract.signed.v1 into the outbox in the same transaction (so the award follows exactly once,
    even if NATS is down). The first contract chooses its proposal: the others become not_chosen and
    the scenario contracted. Every later phase must name the chosen proposal; a proposal that was
    not chosen is refused (409), so no contract, hence no award, exists for it."""
    x = get_or_404(s, Scenario, scenario_id, "场景", "Scenario", lock=True)
    if x.state == "closed":
        raise Problem(409, "scenario-not-open", f"场景 {x.id} 已关闭", f"Scenario {x.id} is closed")
    p = s.get(Proposal, body.proposal_id)
    if p is None or p.scenario_id != x.id:
        raise field_error("proposal_id", "不是该场景的方案", "not a proposal for this scenario")
    chosen = chosen_proposal(s, x.id)
    if (chosen is not None and chosen.id != p.id) or p.state == "not_chosen":
        raise Problem(409, "proposal-not-chosen",
                      f"方案 {p.id} 未被场景 {x.id} 选中" + (f"（选中的是方案 {chosen.id}）" if chosen else "")
                      + "，不能为其登记合同",
                      f"Proposal {p.id} was not chosen for scenario {x.id}"
                      + (f" (proposal {chosen.id} was)" if chosen else "") + ": no contract can be recorded for it",
                      errors=[{"loc": ["body", "proposal_id"], "msg": "not the scenario's chosen proposal",
                               "type": "proposal-not-chosen"}],
                      **({"chosen_proposal_id": chosen.id} if chosen else {}))
    district(s, p.uscc, "proposal_id")
    same = s.scalars(select(Contract.id).where(Contract.scenario_id == x.id, Contract.evidence == body.evidence)).first()
    if same is not None:
        raise duplicate_contract(same)
    c = Contract(kind="scenario", uscc=p.uscc, buyer_uscc=None, buyer_name=x.owner_department,
                 scenario_id=x.id, proposal_id=p.id, product_id=p.product_id, contract_yuan=body.contract_yuan,
                 signed_on=body.signed_on, evidence=body.evidence, event_id="", created_by=actor)
    s.add(c)
    try:
        s.flush()
    except IntegrityError as e:
        raise duplicate_contract(None) from e
    c.event_id = events.contract_signed(s, c).id
    if chosen is None:
        s.execute(update(Proposal).where(Proposal.scenario_id == x.id, Proposal.id != p.id)
                  .values(state="not_chosen"))
        p.state, x.state = "chosen", "contracted"
    audit.record(s, actor, "contract.sign", "contract", c.id, after=contract_dict(c))
    return c


def duplicate_contract(existing: int | None) -> Problem:
    ref = f"（合同 {existing}）" if existing else ""
    return Problem(409, "duplicate-contract", f"这份合同（同一合同编号/凭证）已登记{ref}",
                   "This contract (same parties, or the same scenario, and the same evidence) is already recorded"
                   + (f" (contract {existing})" if existing else ""),
                   **({"contract_id": existing} if existing else {}))


def sign_ecosystem_contract(s: Session, actor: str, body: EcosystemContractIn) -> Contract:
    supplier = district(s, body.supplier_uscc, "supplier_uscc")
    buyer = district(s, body.buyer_uscc, "buyer_uscc")
    if body.product_id is not None:
        prod = s.get(Product, body.product_id)
        if prod is None or prod.uscc != supplier.uscc:
            raise field_error("product_id", "产品不存在或不属于供方", "no such product of the supplier")
    # The same contract (supplier, buyer, contract number) recorded twice would raise two 5 % claims:
    # refused here, and by the unique key when two such requests race.
    same = s.scalars(select(Contract.id).where(Contract.uscc == supplier.uscc, Contract.buyer_uscc == buyer.uscc,
                                               Contract.evidence == body.evidence)).first()
    if same is not None:
        raise duplicate_contract(same)
    c = Contract(kind="ecosystem", uscc=supplier.uscc, buyer_uscc=buyer.uscc, buyer_name=buyer.name,
                 scenario_id=None, proposal_id=None, product_id=body.product_id,
                 contract_yuan=body.contract_yuan, signed_on=body.signed_on, evidence=body.evidence,
                 event_id="", created_by=actor)
    s.add(c)
    try:
        s.flush()
    except IntegrityError as e:
        raise duplicate_contract(None) from e
    c.event_id = events.contract_signed(s, c).id
    audit.record(s, actor, "contract.sign", "contract", c.id, after=contract_dict(c))
    return c


# -- showcase -------------------------------------------------------------------------------------
def product_dict(p: Product) -> dict:
    return {"id": p.id, "uscc": p.uscc, "name": p.name, "kind": p.kind, "category": p.category,
            "maturity": p.maturity, "certifications": p.certifications, "references": p.references,
            "description": p.description, "created_at": _iso(p.created_at)}


def create_product(s: Session, actor: str, body: ProductIn) -> Product:
    district(s, body.uscc, "uscc")
    data = body.model_dump()
    p = Product(**data, created_by=actor,
                search_text=rules.normalise(body.name, body.category, body.description,
                                            body.certifications, body.references))
    s.add(p)
    s.flush()
    audit.record(s, actor, "product.create", "product", p.id, after=product_dict(p))
    return p


def search_products(s: Session, q: str | None, category: str | None, maturity: str | None,
                    after: int | None, limit: int) -> list[Product]:
    stmt = select(Product).order_by(Product.id).limit(limit + 1)
    for term in rules.search_terms(q or ""):
        stmt = stmt.where(Product.search_text.like(rules.like_pattern(term), escape="\\"))
    if category:
        stmt = stmt.where(Product.category == category)
    if maturity:
        stmt = stmt.where(Product.maturity == maturity)
    if after:
        stmt = stmt.where(Product.id > after)
    return list(s.scalars(stmt))


def interest_dict(i: Interest) -> dict:
    return {"id": i.id, "product_id": i.product_id, "buyer_uscc": i.buyer_uscc,
            "buyer_department": i.buyer_department, "note": i.note, "created_at": _iso(i.created_at)}


def add_interest(s: Session, actor: str, product_id: int, body: InterestIn) -> Interest:
    p = get_or_404(s, Product, product_id, "产品", "Product")
    if body.buyer_uscc:
        district(s, body.buyer_uscc, "buyer_uscc")
        if body.buyer_uscc == p.uscc:
            raise field_error("buyer_uscc", "不能对本企业产品表达意向", "cannot be the product's own enterprise")
    i = Interest(product_id=p.id, created_by=actor, **body.model_dump())
    s.add(i)
    s.flush()
    audit.record(s, actor, "interest.create", "interest", i.id, after=interest_dict(i))
    return i


# -- contacts -------------------------------------------------------------------------------------
def set_contact(s: Session, actor: str, uscc: str, body: ContactIn) -> Contact:
    district(s, uscc, "uscc")
    c = s.get(Contact, uscc)
    if c is None:
        c = Contact(uscc=uscc, updated_by=actor)
        s.add(c)
    c.email, c.wechat_openid, c.updated_by = body.email, body.wechat_openid, actor
    s.flush()
    return c


# -- notices --------------------------------------------------------------------------------------
def notice_dict(n: Notice) -> dict:
    return {"id": n.id, "programme": n.programme, "title": n.title, "body": n.body,
            "window_opens": _iso(n.window_opens), "window_closes": _iso(n.window_closes),
            "criteria_url": n.criteria_url, "target": n.target, "channels": n.channels,
            "sent_at": _iso(n.sent_at), "reminder_key": n.reminder_key, "created_by": n.created_by, "created_at": _iso(n.created_at)}


def delivery_dict(d: Delivery) -> dict:
    return {"id": d.id, "notice_id": d.notice_id, "uscc": d.uscc, "channel": d.channel, "state": d.state,
            "attempts": d.attempts, "next_attempt_at": _iso(d.next_attempt_at) if d.state in ("pending", "failed", "sending") else None,
            "last_error": d.last_error, "sent_at": _iso(d.sent_at), "read_at": _iso(d.read_at)}


def create_notice(s: Session, actor: str, body: NoticeIn, screening: dict | None = None) -> Notice:
    """`screening`: the target's screening selector already resolved to USCCs (registry.resolve)."""
    target = body.target.model_dump(mode="json")
    if body.target.screening is not None:
        if screening is None:
            raise ValueError("a screening selector must be resolved before the notice is created")
        target["screening"] = screening
    n = Notice(**body.model_dump(exclude={"target"}), target=target, created_by=actor)
    s.add(n)
    s.flush()
    audit.record(s, actor, "notice.create", "notice", n.id, after=notice_dict(n))
    return n


def send_notice(s: Session, actor: str, notice_id: int) -> dict:
    """Resolve the notice's targets now and queue one delivery per enterprise × channel. Sending
    again adds deliveries only for newly matching enterprises: the unique key keeps the rest."""
    n = get_or_404(s, Notice, notice_id, "通知", "Notice", lock=True)
    existing = {(u, ch) for u, ch in s.execute(select(Delivery.uscc, Delivery.channel)
                                                .where(Delivery.notice_id == n.id))}
    on = today()  # the tiers of the day it is sent, each from the registry's newest record
    candidates = projection.records(s, usccs=n.target.get("usccs") or None)  # a USCC list narrows the read
    matched = [r for r in candidates.values() if rules.targeted(n.target, enterprise_facts(r, on))]
    added = 0
    for e in matched:
        for ch in n.channels:
            if (e.uscc, ch) not in existing:
                s.add(Delivery(notice_id=n.id, uscc=e.uscc, channel=ch, state="pending", next_attempt_at=utcnow()))
                added += 1
    if n.sent_at is None:
        n.sent_at = utcnow()
    s.flush()
    audit.record(s, actor, "notice.send", "notice", n.id, after={"enterprises": len(matched), "queued": added})
    return {"notice_id": n.id, "enterprises": len(matched), "queued": added,
            "already_queued": len(matched) * len(n.channels) - added}


def mark_read(s: Session, notice_id: int, uscc: str) -> list[Delivery]:
    rows = list(s.scalars(for_update(s, select(Delivery).where(Delivery.notice_id == notice_id,
                                                                 Delivery.uscc == uscc))))
    if not rows:
        raise not_found("通知送达记录", "Delivery", f"{notice_id}/{uscc}")
    now = utcnow()
    for d in rows:
        if d.read_at is None:
            d.read_at = now
        if d.channel == "inbox" and d.state in ("pending", "failed", "sending"):
            d.state, d.sent_at = "sent", d.sent_at or now  # opened in the portal: it arrived
    return rows


# -- programmes -----------------------------------------------------------------------------------
def programme_dict(p: Programme) -> dict:
    return {"id": p.id, "name": p.name, "level": p.level, "authority": p.authority,
            "window_opens": _iso(p.window_opens), "window_closes": _iso(p.window_closes),
            "max_amount_yuan": p.max_amount_yuan, "url": p.url, "description": p.description,
            "created_at": _iso(p.created_at)}


def application_dict(a: Application) -> dict:
    return {"id": a.id, "programme_id": a.programme_id, "uscc": a.uscc, "stage": a.stage,
            "requested_yuan": a.requested_yuan, "granted_yuan": a.granted_yuan, "note": a.note,
            "created_at": _iso(a.created_at), "updated_at": _iso(a.updated_at)}


def create_programme(s: Session, actor: str, body: ProgrammeIn) -> Programme:
    if s.scalars(select(Programme.id).where(Programme.name == body.name,
                                            Programme.window_opens == body.window_opens)).first():
        raise Problem(409, "duplicate-programme", f"项目“{body.name}”在 {body.window_opens} 开放的批次已存在",
                      f"Programme {body.name!r} opening {body.window_opens} already exists")
    p = Programme(**body.model_dump(), created_by=actor)
    s.add(p)
    s.flush()
    audit.record(s, actor, "programme.create", "programme", p.id, after=programme_dict(p))
    return p


def closing_soon(s: Session, on: dt.date) -> dict:
    ps = params.in_force(s, on, "outreach.programme.")
    p = ps["outreach.programme.reminder_days"]
    days = int(p.value)
    rows = list(s.scalars(select(Programme).where(Programme.window_opens <= on, Programme.window_closes >= on)
                          .order_by(Programme.window_closes, Programme.id)))
    ids = set(rules.closing_soon(((r.id, r.window_opens, r.window_closes) for r in rows), on, days))
    out = []
    for r in rows:
        if r.id not in ids:
            continue
        open_apps = list(s.scalars(select(Application).where(Application.programme_id == r.id,
                                                             Application.stage == "preparing")))
        out.append({**programme_dict(r), "days_left": (r.window_closes - on).days,
                    "preparing": [application_dict(a) for a in open_apps]})
    return {"on": on.isoformat(), "within_days": days, "param": p.cite(), "items": out}


def _check_amounts(p: Programme, requested_yuan: int | None, granted_yuan: int | None) -> None:
    field = rules.amount_error(p.max_amount_yuan, requested_yuan, granted_yuan)
    if field:
        raise field_error(field, f"超过项目上限 {p.max_amount_yuan} 元",
                          f"exceeds the programme's maximum of {p.max_amount_yuan} yuan")


def create_application(s: Session, actor: str, programme_id: int, body: ApplicationIn) -> Application:
    p = get_or_404(s, Programme, programme_id, "项目", "Programme")
    district(s, body.uscc, "uscc")
    _check_amounts(p, body.requested_yuan, None)
    if s.scalars(select(Application.id).where(Application.programme_id == p.id,
                                              Application.uscc == body.uscc)).first():
        raise Problem(409, "duplicate-application", f"企业 {body.uscc} 已有该项目的申报",
                      f"Enterprise {body.uscc} already has an application to this programme")
    a = Application(programme_id=p.id, stage="preparing", created_by=actor, **body.model_dump())
    s.add(a)
    try:
        s.flush()
    except IntegrityError as e:
        raise Problem(409, "duplicate-application", "该企业已有该项目的申报", "Duplicate application") from e
    audit.record(s, actor, "application.create", "application", a.id, after=application_dict(a))
    return a


def update_application(s: Session, actor: str, application_id: int, body: ApplicationUpdate) -> Application:
    a = get_or_404(s, Application, application_id, "申报", "Application", lock=True)
    before = application_dict(a)
    if body.stage is not None:
        err = rules.stage_error(a.stage, body.stage)
        if err:
            raise Problem(409, "bad-stage", f"申报阶段不能这样变更：{err}", f"Stage change refused: {err}")
        a.stage = body.stage
    if body.requested_yuan is not None:
        a.requested_yuan = body.requested_yuan
    if body.granted_yuan is not None:
        if a.stage != "granted":
            raise field_error("granted_yuan", "仅在 granted 阶段记录获批金额", "only recorded at stage granted")
        a.granted_yuan = body.granted_yuan
    if body.note is not None:
        a.note = body.note
    _check_amounts(s.get(Programme, a.programme_id), a.requested_yuan, a.granted_yuan)
    s.flush()
    audit.record(s, actor, "application.update", "application", a.id, before, application_dict(a))
    return a


def remind_closing(s: Session, actor: str, on: dt.date) -> dict:
    """For each window closing within outreach.programme.reminder_days, a reminder notice to the
    enterprises whose application is still `preparing`, queued on the channels in
    outreach.programme.reminder_channels. Running it again (the same day or later) reuses the
    programme window's notice: it only adds enterprises that newly need reminding."""
    ps = params.in_force(s, on, "outreach.programme.")
    channels = list(ps["outreach.programme.reminder_channels"].value)
    out = []
    for item in closing_soon(s, on)["items"]:
        usccs = sorted(a["uscc"] for a in item["preparing"])
        if not usccs:
            continue
        key = f"reminder:{item['id']}:{item['window_closes']}"
        n = s.scalars(for_update(s, select(Notice).where(Notice.reminder_key == key))).first()
        if n is None:
            n = Notice(programme=item["name"], reminder_key=key, created_by=actor, channels=channels,
                       title=f"提醒：{item['name']}将于{item['window_closes']}截止申报",
                       body=f"贵企业在{item['name']}的申报材料尚在准备中，申报窗口将于{item['window_closes']}关闭"
                            f"（还有{item['days_left']}天），请抓紧提交。",
                       window_opens=dt.date.fromisoformat(item["window_opens"]),
                       window_closes=dt.date.fromisoformat(item["window_closes"]),
                       criteria_url=item["url"], target={"usccs": usccs})
            s.add(n)
            s.flush()
            audit.record(s, actor, "notice.create", "notice", n.id, after=notice_dict(n))
        elif set(usccs) - set(n.target.get("usccs", [])):
            n.target = {**n.target, "usccs": sorted(set(usccs) | set(n.target.get("usccs", [])))}
            s.flush()
        out.append({"programme_id": item["id"], "notice_id": n.id, **send_notice(s, actor, n.id)})
    return {"on": on.isoformat(), "reminders": out, "param": ps["outreach.programme.reminder_channels"].cite()}
