"""Talent use cases. They write through the caller's session and never commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from services.talent import events, pii, rules
from services.talent.models import CertificationRevocation, Nomination, QuotaEntitlement, QuotaGrant
from services.talent.pii import IdCipher, PersonKey
from services.talent.schemas import NominationIn
from shared import audit, params, projection
from shared.contracts.registry import CertificationRevoked, EnterprisePromoted, EnterpriseRecord
from shared.db import for_update
from shared.errors import Problem, field_error, not_found
from shared.tiers import TIER_ZH as TIERS_ZH
from shared.validators import resident_id_facts

RULE = {"zh": "同一企业同一年度只享受一次落户指标，两个层级同时符合时取较高者（不重复享受）",
        "en": "one grant per enterprise and year: the largest entitlement, never a sum"}


# Quotas ------------------------------------------------------------------------------------
def _grant_locked(s: Session, uscc: str, year: int, create: bool = False) -> QuotaGrant | None:
    """The year's grant, locked for this transaction (created empty when asked)."""
    g = s.scalars(for_update(s, select(QuotaGrant).where(QuotaGrant.uscc == uscc, QuotaGrant.year == year))).first()
    if g is None and create:
        g = QuotaGrant(uscc=uscc, year=year, granted=0, used=0)
        s.add(g)
        s.flush()
    return g


def _entitlements(s: Session, grant_ids: list[int]) -> dict[int, list[QuotaEntitlement]]:
    out: dict[int, list[QuotaEntitlement]] = {gid: [] for gid in grant_ids}
    if grant_ids:
        for e in s.scalars(select(QuotaEntitlement).where(QuotaEntitlement.grant_id.in_(grant_ids))
                           .order_by(QuotaEntitlement.recognized_on, QuotaEntitlement.id)):
            out[e.grant_id].append(e)
    return out


def entitlement_dict(e: QuotaEntitlement) -> dict:
    return {"certification_id": e.certification_id, "tier": e.tier, "recognized_on": e.recognized_on.isoformat(),
            "count": e.count, "state": e.state, "params": e.params, "event_id": e.event_id,
            "cancelled_on": e.cancelled_on and e.cancelled_on.isoformat(), "cancel_reason": e.cancel_reason}


def basis_of(g: QuotaGrant, ents: list[QuotaEntitlement]) -> dict:
    """How the year's grant was decided: the entitlement it rests on, every entitlement of the
    year (active or cancelled), the parameter rows used, and the rule."""
    active = [e for e in ents if e.state == "active"]
    best = max(active, key=lambda e: e.count, default=None)  # the earliest of equal ones
    basis = {"rule": RULE, "tier": None, "certification_id": None, "recognized_on": None, "params": [],
             "entitlements": [entitlement_dict(e) for e in ents]}
    if best:
        basis.update(tier=best.tier, certification_id=best.certification_id,
                     recognized_on=best.recognized_on.isoformat(), params=best.params)
    if g.granted > (best.count if best else 0):  # cancelled entitlements whose quotas are in use
        basis["kept_in_use"] = g.granted - (best.count if best else 0)
    return basis


def settle(s: Session, g: QuotaGrant, actor: str) -> None:
    """Recompute a (locked) year's grant from its entitlements; announce a rise or a fall."""
    ents = _entitlements(s, [g.id])[g.id]
    new = rules.granted([e.count for e in ents if e.state == "active"], g.used)
    before = g.granted
    if new == before:
        return
    g.granted = new
    s.flush()
    basis = basis_of(g, ents)
    if new > before:
        events.quota_granted(s, g.uscc, g.year, new, basis)
    else:
        events.quota_cancelled(s, g.uscc, g.year, new, before - new, basis)
    audit.record(s, actor, "quota.grant" if new > before else "quota.cancel", "quota_grant",
                 f"{g.uscc}/{g.year}", {"granted": before, "used": g.used}, {"granted": new, "used": g.used})


class FutureFact(ValueError):
    """A registry fact dated after today. Talent grants and cancels nothing ahead of a fact's date
    (the registry refuses such dates; this is the second line): the event is the handler's own
    error, so it becomes a visible dead letter, to be replayed once its date has come."""


def _not_after_today(on: dt.date, today: dt.date, what: str) -> None:
    if on > today:
        raise FutureFact(f"{what} {on} is after today ({today}): no quota is granted or cancelled before its date")


def on_record(s: Session, event_id: str, record: EnterpriseRecord, today: dt.date) -> EnterpriseRecord:
    """Any registry event: keep the newest record seen (a stale one changes nothing) and apply
    the revocations for cause it shows. Returns the newest record held."""
    projection.remember(s, record)
    newest = projection.record_of(s, record.uscc)
    _apply_revocations(s, newest, today, f"event:{event_id}")
    return newest


def _apply_revocations(s: Session, record: EnterpriseRecord, today: dt.date, actor: str) -> None:
    for c in rules.revoked_for_cause(record.certifications, today):
        _cancel_later_years(s, record.uscc, c.id, c.revoked_on, actor)


def on_promotion(s: Session, event_id: str, data: EnterprisePromoted, today: dt.date) -> None:
    """srdi.registry.enterprise.promoted.v1: grant what a first recognition at a tier entitles.

    Idempotent and order-free: one entitlement per (year, certification), a year's grant is the
    largest of them, and a revocation the newest record shows (whichever event brought it) is
    applied at once. A recognition dated after today grants nothing (FutureFact)."""
    _not_after_today(data.recognized_on, today, "recognized_on")
    uscc, tier, cert_id, on = data.uscc, data.to_tier.value, data.certification_id, data.recognized_on
    projection.remember(s, data.record)
    newest = projection.record_of(s, data.record.uscc)
    revoked_on = next((c.revoked_on for c in rules.revoked_for_cause(newest.certifications, today)
                       if c.id == cert_id), None)
    years = rules.entitlements(tier, on, data.first_time_at_tier, params.in_force(s, on, rules.PREFIX))
    for ye in years:  # ascending years: every writer locks grants in the same order
        g = _grant_locked(s, uscc, ye.year, create=True)
        exists = s.scalar(select(QuotaEntitlement.id).where(QuotaEntitlement.grant_id == g.id,
                                                            QuotaEntitlement.certification_id == cert_id))
        if exists is not None:
            continue  # the same facts again, under another event id
        e = QuotaEntitlement(grant_id=g.id, certification_id=cert_id, tier=tier, recognized_on=on, count=ye.count,
                             params=[p.cite() for p in ye.params], event_id=event_id, state="active")
        if revoked_on and rules.cancels(ye.year, revoked_on, True):
            _cancel(s, e, cert_id, revoked_on)
        s.add(e)
        s.flush()
        settle(s, g, f"event:{event_id}")
    _apply_revocations(s, newest, today, f"event:{event_id}")  # any other revocation it shows


def _cancel(s: Session, e: QuotaEntitlement, cert_id: int, revoked_on: dt.date) -> None:
    r = s.get(CertificationRevocation, cert_id)  # the revocation event's reason, when it has come
    e.state, e.cancelled_on = "cancelled", revoked_on
    e.cancel_reason = f"认定撤销（{(r and r.reason) or '-'}）/ certification {cert_id} revoked for cause"[:500]


def _cancel_later_years(s: Session, uscc: str, cert_id: int, revoked_on: dt.date, actor: str) -> None:
    """Cancel a certification's active entitlements of the years after the year of its revocation
    for cause; each year's grant is settled again (never below the quotas in use)."""
    years = s.scalars(select(QuotaGrant.year).join(QuotaEntitlement, QuotaEntitlement.grant_id == QuotaGrant.id)
                      .where(QuotaGrant.uscc == uscc, QuotaEntitlement.certification_id == cert_id,
                             QuotaEntitlement.state == "active")
                      .order_by(QuotaGrant.year)).all()
    for year in years:
        if not rules.cancels(year, revoked_on, True):
            continue
        g = _grant_locked(s, uscc, year)
        for e in _entitlements(s, [g.id])[g.id]:
            if e.certification_id == cert_id and e.state == "active":
                _cancel(s, e, cert_id, revoked_on)
        s.flush()
        settle(s, g, actor)


def on_revocation(s: Session, event_id: str, data: CertificationRevoked, today: dt.date) -> None:
    """srdi.registry.certification.revoked.v1: keep its reason; for cause, cancel the unused
    quotas of later years that this certification produced. A revocation dated after today
    cancels nothing (FutureFact)."""
    _not_after_today(data.revoked_on, today, "revoked_on")
    if s.get(CertificationRevocation, data.certification_id) is None:
        s.add(CertificationRevocation(certification_id=data.certification_id, uscc=data.uscc, tier=data.tier.value,
                                      revoked_on=data.revoked_on, for_cause=data.for_cause,
                                      reason=(data.reason or "")[:500], event_id=event_id))
        s.flush()
    newest = on_record(s, event_id, data.record, today)
    if newest.certification(data.certification_id) is None and data.for_cause:
        # Not the registry's way (its records hold every certification), but then the event's own fields.
        _cancel_later_years(s, data.uscc, data.certification_id, data.revoked_on, f"event:{event_id}")


def quota_dict(g: QuotaGrant, ents: list[QuotaEntitlement], today: dt.date,
               record: EnterpriseRecord | None = None) -> dict:
    """A year's quotas; `tier_today` is the enterprise's tier today by the newest registry record
    held (None when talent has not heard of the enterprise), for the reader's information only:
    the grant rests on its entitlements, not on today's tier."""
    return {"uscc": g.uscc, "year": g.year, "granted": g.granted, "used": g.used,
            "available": rules.available(g.granted, g.used, g.year, today), "lapsed": rules.lapsed(g.year, today),
            "tier_today": record.tier_on(today) if record else None, "basis": basis_of(g, ents)}


def list_quotas(s: Session, today: dt.date, limit: int, after: tuple[str, int] | None = None,
                uscc: str | None = None, year: int | None = None, scope: str | None = None) -> list[dict]:
    """Grants ordered by (uscc, year); fetches limit + 1 for the pager. `scope`: an enterprise
    liaison's own USCC (it reads only its enterprise's quotas)."""
    stmt = select(QuotaGrant).order_by(QuotaGrant.uscc, QuotaGrant.year).limit(limit + 1)
    if scope:
        stmt = stmt.where(QuotaGrant.uscc == scope)
    if uscc:
        stmt = stmt.where(QuotaGrant.uscc == uscc)
    if year:
        stmt = stmt.where(QuotaGrant.year == year)
    if after:
        uscc_after, year_after = after
        stmt = stmt.where(or_(QuotaGrant.uscc > uscc_after,
                              and_(QuotaGrant.uscc == uscc_after, QuotaGrant.year > year_after)))
    grants = list(s.scalars(stmt))
    ents = _entitlements(s, [g.id for g in grants])
    held = projection.records(s, {g.uscc for g in grants}) if grants else {}
    return [quota_dict(g, ents[g.id], today, held.get(g.uscc)) for g in grants]


# Nominations -------------------------------------------------------------------------------
def nomination_dict(n: Nomination, whole_id: str | None = None, birth_date: bool = False,
                    same_person: list[dict] | None = None) -> dict:
    """A nomination. The resident ID whole only when the caller passes it (talent, audited); the
    birth date only when asked (the talent office's reads: with the birth date, the old mask gave
    the number back, so it goes nowhere else, and never into a stored answer or the audit log);
    `same_person`: the person's other nominations, found by the keyed hash (None: not shown)."""
    person = {"name": n.person_name, "id_number": whole_id or n.id_masked, "id_number_masked": n.id_masked,
              "gender": n.gender, "education": n.education, "post": n.post}
    if birth_date:
        person["birth_date"] = n.birth_date.isoformat()
    out = {"id": n.id, "uscc": n.uscc, "year": n.year, "category": n.category, "state": n.state,
           "state_reason": n.state_reason, "holds_quota": rules.holds_quota(n.state), "person": person,
           "documents": n.documents, "created_by": n.created_by,
           "created_at": n.created_at.isoformat() + "Z", "updated_at": n.updated_at.isoformat() + "Z"}
    if same_person is not None:
        out["repeat"] = bool(same_person)
        out["same_person"] = same_person
    return out


def same_person(s: Session, ns: list[Nomination], scope: str | None = None) -> dict[int, list[dict]]:
    """Each nomination's other nominations of the same person (another year, another enterprise,
    or again after a rejection), matched by the keyed hash of the resident ID, never the number.
    `scope`: an enterprise liaison's USCC, which learns only of its own enterprise's."""
    keys = {n.person_key for n in ns if n.person_key}
    by_key: dict[str, list[dict]] = {}
    if keys:
        stmt = (select(Nomination.id, Nomination.person_key, Nomination.uscc, Nomination.year, Nomination.category,
                       Nomination.state).where(Nomination.person_key.in_(keys)).order_by(Nomination.id))
        if scope:
            stmt = stmt.where(Nomination.uscc == scope)
        for nid, key, uscc, year, category, state in s.execute(stmt):
            by_key.setdefault(key, []).append({"id": nid, "uscc": uscc, "year": year, "category": category,
                                               "state": state})
    return {n.id: [o for o in by_key.get(n.person_key, []) if o["id"] != n.id] for n in ns}


def nomination_answer(s: Session, n: Nomination, scope: str | None = None, whole_id: str | None = None,
                      birth_date: bool = False) -> dict:
    """One nomination as a caller sees it, with its repeat flag."""
    return nomination_dict(n, whole_id, birth_date, same_person(s, [n], scope)[n.id])


def nominate(s: Session, actor: str, body: NominationIn, cipher: IdCipher, keyer: PersonKey, today: dt.date,
             scope: str | None = None) -> Nomination:
    """Nominate a person on one of the enterprise's quotas of a year; refused when none is left.
    `scope`: an enterprise liaison's own USCC, the only enterprise it may nominate for."""
    if scope and body.uscc != scope:
        raise Problem(403, "not-your-enterprise", "企业联络员只能为本企业提名",
                      "An enterprise liaison nominates only on its own enterprise's quotas")
    if rules.lapsed(body.year, today):
        raise Problem(409, "quota-lapsed", f"{body.year}年度的落户指标已于年末失效",
                      f"Quotas of {body.year} lapsed at the end of that year", uscc=body.uscc, year=body.year)
    g = _grant_locked(s, body.uscc, body.year)  # held until commit: racing nominations queue here
    granted, used = (g.granted, g.used) if g else (0, 0)
    if g is None or rules.available(g.granted, g.used, g.year, today) <= 0:
        raise Problem(409, "no-quota-available",
                      f"企业 {body.uscc} 在 {body.year} 年度没有可用的落户指标（已授予 {granted}，已使用 {used}）",
                      f"Enterprise {body.uscc} has no quota left for {body.year} (granted {granted}, used {used})",
                      uscc=body.uscc, year=body.year, granted=granted, used=used)
    number = body.person.id_number
    born, gender = resident_id_facts(number)
    n = Nomination(grant_id=g.id, uscc=body.uscc, year=body.year, category=body.category,
                   person_name=body.person.name, id_cipher=cipher.seal(number), id_masked=pii.mask(number),
                   person_key=keyer.of(number), gender=gender, birth_date=born, education=body.person.education,
                   post=body.person.post, documents=list(body.documents), state="submitted", created_by=actor)
    g.used += 1
    s.add(n)
    s.flush()
    events.nomination_changed(s, n)
    audit.record(s, actor, "nomination.submit", "nomination", str(n.id), None, nomination_dict(n))
    return n


def fill_person_keys(s: Session, cipher: IdCipher, keyer: PersonKey, limit: int = 500) -> int:
    """Give nominations made before the keyed hash existed theirs; returns how many were filled."""
    rows = s.scalars(for_update(s, select(Nomination).where(Nomination.person_key.is_(None))
                                .order_by(Nomination.id).limit(limit))).all()
    for n in rows:
        n.person_key = keyer.of(cipher.open(n.id_cipher))
    return len(rows)


def get_nomination(s: Session, nomination_id: int, lock: bool = False, scope: str | None = None) -> Nomination:
    """One nomination; with `scope` (an enterprise liaison's USCC) another enterprise's is not found."""
    stmt = select(Nomination).where(Nomination.id == nomination_id)
    if scope:
        stmt = stmt.where(Nomination.uscc == scope)
    n = s.scalars(for_update(s, stmt) if lock else stmt).first()
    if n is None:
        raise not_found("提名", "Nomination", str(nomination_id))
    return n


def read_whole_id(s: Session, actor: str, n: Nomination, cipher: IdCipher) -> str:
    """Decrypt a nomination's resident ID; every such read is written to the audit log."""
    audit.record(s, actor, "nomination.id_number.read", "nomination", str(n.id), None,
                 {"field": "person.id_number"})
    return cipher.open(n.id_cipher)


ACTION_ZH = {"review": "区级审核", "recommend": "推荐至市级", "approve": "批准", "reject": "驳回", "withdraw": "撤回"}


def act(s: Session, actor: str, nomination_id: int, action: str, reason: str | None,
        scope: str | None = None) -> Nomination:
    """Move a nomination on; a rejection or withdrawal gives its quota back. An enterprise liaison
    (`scope`) only withdraws its own; the talent office decides."""
    if scope and action != "withdraw":
        raise Problem(403, "forbidden", "企业联络员只能撤回本企业的提名，审核由人才办办理",
                      "An enterprise liaison may only withdraw its own nominations; the talent office decides")
    n = get_nomination(s, nomination_id, lock=True, scope=scope)
    target = rules.transition(n.state, action)
    if target is None:
        raise Problem(409, "invalid-transition", f"提名当前状态为 {n.state}，不能{ACTION_ZH[action]}",
                      f"A nomination in state {n.state} does not allow '{action}'", state=n.state, action=action)
    if action == "reject" and not reason:
        raise field_error("reason", "驳回须说明理由", "a rejection needs a reason")
    before = nomination_dict(n)
    if rules.holds_quota(n.state) and not rules.holds_quota(target):
        g = _grant_locked(s, n.uscc, n.year)
        g.used -= 1
        s.flush()
        settle(s, g, actor)  # a cancelled entitlement kept only for this use goes now
    n.state, n.state_reason = target, reason
    s.flush()
    events.nomination_changed(s, n)
    audit.record(s, actor, f"nomination.{action}", "nomination", str(n.id), before, nomination_dict(n))
    return n


def list_nominations(s: Session, limit: int, after: int | None = None, uscc: str | None = None,
                     year: int | None = None, state: str | None = None, scope: str | None = None,
                     birth_date: bool = False) -> list[dict]:
    """Nominations by id, ID numbers masked for every reader, each with its repeat flag; the birth
    date only when asked (the talent office); fetches limit + 1 for the pager."""
    stmt = select(Nomination).order_by(Nomination.id).limit(limit + 1)
    if scope:
        stmt = stmt.where(Nomination.uscc == scope)
    if after is not None:
        stmt = stmt.where(Nomination.id > after)
    if uscc:
        stmt = stmt.where(Nomination.uscc == uscc)
    if year:
        stmt = stmt.where(Nomination.year == year)
    if state:
        stmt = stmt.where(Nomination.state == state)
    ns = list(s.scalars(stmt))
    others = same_person(s, ns, scope)
    return [nomination_dict(n, birth_date=birth_date, same_person=others[n.id]) for n in ns]


# Reports -----------------------------------------------------------------------------------
def _grant_tier(ents: list[QuotaEntitlement]) -> str | None:
    """The tier a year's grant rests on: its largest active entitlement (the earliest of equal
    ones), else its largest entitlement at all (cancelled, quotas kept in use)."""
    active = [e for e in ents if e.state == "active"]
    best = max(active or ents, key=lambda e: e.count, default=None)
    return best.tier if best else None


def quota_report(s: Session, today: dt.date, year: int | None = None) -> dict:
    stmt = select(QuotaGrant).order_by(QuotaGrant.year, QuotaGrant.uscc)
    if year:
        stmt = stmt.where(QuotaGrant.year == year)
    grants = list(s.scalars(stmt))
    ents = _entitlements(s, [g.id for g in grants])
    rows = rules.quota_report([(g.year, _grant_tier(ents[g.id]), g.granted, g.used) for g in grants], today)
    totals = {}
    for r in rows:
        t = totals.setdefault(r["year"], {"year": r["year"], "enterprises": 0, "granted": 0, "used": 0,
                                          "available": 0, "lapsed": 0})
        for k in ("enterprises", "granted", "used", "available", "lapsed"):
            t[k] += r[k]
    return {"on": today.isoformat(), "items": rows, "by_year": [totals[y] for y in sorted(totals)]}


def nomination_report(s: Session, year: int | None = None) -> dict:
    stmt = select(Nomination.year, Nomination.category, Nomination.state)
    if year:
        stmt = stmt.where(Nomination.year == year)
    return {"items": rules.nomination_report(s.execute(stmt).all()), "states": list(rules.STATES),
            "categories": list(rules.CATEGORIES)}


TIER_ZH = {**TIERS_ZH, "cancelled": "（认定已撤销）"}
STATE_ZH = {"submitted": "已提交", "district_reviewed": "区级已审核", "recommended": "已推荐至市级",
            "approved": "已批准", "rejected": "已驳回", "withdrawn": "已撤回"}


def report_xlsx(s: Session, today: dt.date, year: int | None = None) -> bytes:
    """Three sheets, Chinese headers, no personal data: quotas per year and tier, quotas per
    enterprise and year, nominations per category and state."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "落户指标统计"
    ws.append(["年度", "层级", "层级代码", "企业数", "授予", "已使用", "可用", "已失效"])
    for r in quota_report(s, today, year)["items"]:
        ws.append([r["year"], TIER_ZH.get(r["tier"], r["tier"]), r["tier"], r["enterprises"], r["granted"],
                   r["used"], r["available"], r["lapsed"]])
    ws = wb.create_sheet("落户指标明细")
    ws.append(["统一社会信用代码", "年度", "授予", "已使用", "可用", "是否失效", "依据层级"])
    stmt = select(QuotaGrant).order_by(QuotaGrant.year, QuotaGrant.uscc)
    if year:
        stmt = stmt.where(QuotaGrant.year == year)
    grants = list(s.scalars(stmt))
    ents = _entitlements(s, [g.id for g in grants])
    for g in grants:
        tier = _grant_tier(ents[g.id])
        ws.append([g.uscc, g.year, g.granted, g.used, rules.available(g.granted, g.used, g.year, today),
                   "是" if rules.lapsed(g.year, today) else "否", TIER_ZH.get(tier, tier)])
    ws = wb.create_sheet("人才提名统计")
    ws.append(["年度", "人才类别", *[STATE_ZH[st] for st in rules.STATES], "合计"])
    for r in nomination_report(s, year)["items"]:
        ws.append([r["year"], r["category"], *[r["by_state"][st] for st in rules.STATES], r["total"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
