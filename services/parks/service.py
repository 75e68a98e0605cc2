"""Parks use cases. They write through the caller's session and never commit."""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.parks import events, rules
from services.parks.models import (Designation, Enterprise, IncubateePromotion, Incubation, Intermediary, Park,
                                   ServiceRecord)
from services.parks.schemas import (DesignationIn, GraduationIn, IncubationIn, IntermediaryIn, ParkIn,
                                    ParkPatch, ServiceRecordIn)
from shared import audit, params, projection
from shared.contracts.registry import EnterprisePromoted, EnterpriseRecord
from shared.errors import Problem, field_error
from shared.tables import RegistryRecord
from shared.tiers import Tier, rank

DETAIL_ENTERPRISES = 500  # a park's detail lists this many; GET /parks/{id}/enterprises pages the rest


def _iso(d: dt.date | None) -> str | None:
    return d and d.isoformat()


# -- parks ----------------------------------------------------------------------------------------
def park_dict(p: Park) -> dict:
    return {"id": p.id, "name": p.name, "operator_org": p.operator_org,
            "area_mu": None if p.area_mu is None else float(p.area_mu), "township": p.township,
            "created_at": p.created_at.isoformat() + "Z"}


def enterprise_dict(r: EnterpriseRecord, on: dt.date) -> dict:
    """An enterprise as the registry's newest record says, with its tier on `on` (today by default)."""
    return {"uscc": r.uscc, "name": r.name, "park_id": r.park_id, "tier": r.tier_on(on),
            "relocated_on": _iso(r.relocated_on), "introducer": r.introducer, "enterprise_version": r.version,
            "township": r.township, "tier_on": on.isoformat()}


# -- the registry's records (handlers.py calls these inside the bus's transaction) ------------------
def learn(s: Session, record: EnterpriseRecord) -> bool:
    """Keep the registry's record when it is newer than the one held (shared.projection), and the
    facts index with it; a stale or repeated record changes nothing. True when it was newer."""
    if projection.remember(s, record) is record:
        return False
    row = s.get(Enterprise, record.uscc)
    if row is None:
        row = Enterprise(uscc=record.uscc)
        s.add(row)
    row.name, row.park_id, row.enterprise_version = record.name, record.park_id, record.version
    row.relocated_on, row.introducer = record.relocated_on, record.introducer and record.introducer[:200]
    s.flush()
    return True


def on_promoted(s: Session, event_id: str, data: EnterprisePromoted) -> None:
    """Keep the record, then announce the promotion of an enterprise the park incubated (the
    summary's rule: a promotion on or after its first entry into the park), once per (park, uscc,
    to_tier): the incubatee_promotion row with its unique key is the guard, so a redelivered,
    replayed or re-published promotion, or a later renewal at the same tier, announces nothing
    again. Only the park the registry places the enterprise in is credited (an incubation counts
    for a park only while the enterprise is the park's). Incubations recorded after the promotion
    has arrived are not announced retroactively."""
    learn(s, data.record)
    if rank(data.to_tier) <= rank(data.from_tier):
        return
    record = projection.record_of(s, data.uscc)  # the newest held: this one, or a newer one already here
    if record is None or record.park_id is None:
        return
    park_id, to_tier = record.park_id, Tier(data.to_tier).value
    rows = list(s.scalars(select(Incubation).where(Incubation.park_id == park_id, Incubation.uscc == data.uscc)
                          .order_by(Incubation.id)))
    stay = rules.crediting_stay([_stay(i) for i in rows], data.recognized_on)
    if stay is None:
        return
    if s.scalars(select(IncubateePromotion.id).where(
            IncubateePromotion.park_id == park_id, IncubateePromotion.uscc == data.uscc,
            IncubateePromotion.to_tier == to_tier)).first() is not None:
        return
    incubation_id = next(i.id for i in rows if _stay(i) == stay)
    p = IncubateePromotion(park_id=park_id, uscc=data.uscc, to_tier=to_tier, recognized_on=data.recognized_on,
                           incubation_id=incubation_id, event_id=event_id)
    s.add(p)
    s.flush()
    events.incubatee_promoted(s, p)


def _stay(i: Incubation) -> rules.Stay:
    return rules.Stay(i.uscc, i.entered_on, i.graduated_on)


def placed_in(s: Session, park_id: str, uscc: str) -> EnterpriseRecord | None:
    """The registry's record of the enterprise when the registry places it in the park, else None."""
    r = projection.record_of(s, uscc)
    return r if r is not None and r.park_id == park_id else None


def members(s: Session, park_id: str) -> dict[str, EnterpriseRecord]:
    """The records of the enterprises the registry places in the park, by USCC."""
    return projection.records(s, park_id=park_id)


def new_park_id(s: Session) -> str:
    while True:
        candidate = f"park-{secrets.token_hex(4)}"
        if s.get(Park, candidate) is None:
            return candidate


def create_park(s: Session, actor: str, body: ParkIn) -> Park:
    same = s.scalars(select(Park).where(Park.name == body.name)).first()
    if same is not None:
        raise Problem(409, "park-exists", f"园区已存在：{body.name}（{same.id}）",
                      f"A park named {body.name} exists already ({same.id})", existing=park_dict(same))
    p = Park(id=new_park_id(s), **body.model_dump())
    s.add(p)
    s.flush()
    audit.record(s, actor, "park.create", "park", p.id, None, park_dict(p))
    return p


def update_park(s: Session, actor: str, p: Park, body: ParkPatch) -> Park:
    """Change a park's register entry (the fields given); the name stays unique."""
    changes = body.model_dump(include=body.model_fields_set)
    if "name" in changes and changes["name"] != p.name:
        same = s.scalars(select(Park).where(Park.name == changes["name"], Park.id != p.id)).first()
        if same is not None:
            raise Problem(409, "park-exists", f"园区已存在：{changes['name']}（{same.id}）",
                          f"A park named {changes['name']} exists already ({same.id})", existing=park_dict(same))
    before = park_dict(p)
    for k, v in changes.items():
        setattr(p, k, v)
    s.flush()
    audit.record(s, actor, "park.update", "park", p.id, before, park_dict(p))
    return p


def park_detail(s: Session, p: Park, on: dt.date) -> dict:
    """The park with the enterprises the registry places in it, each with its tier on `on`."""
    held = members(s, p.id)
    counts = rules.tier_counts(r.tier_on(on) for r in held.values())
    listed = [enterprise_dict(r, on) for _, r in zip(range(DETAIL_ENTERPRISES), held.values())]
    designations = s.scalars(select(Designation).where(Designation.park_id == p.id).order_by(Designation.id))
    return {**park_dict(p), "enterprise_count": sum(counts.values()), "counts": counts, "counts_on": on.isoformat(),
            "enterprises": listed, "designations": [designation_dict(d, with_assessment=False) for d in designations]}


def park_enterprises(s: Session, p: Park, on: dt.date, tier: str | None, after: str | None, limit: int) -> list[dict]:
    """One page (limit + 1 items, by USCC) of the park's enterprises, with their tiers on `on`;
    `tier` keeps those at that tier on that date (computed from each record, so read in batches)."""
    out: list[dict] = []
    while len(out) <= limit:
        stmt = (select(RegistryRecord.uscc, RegistryRecord.record).where(RegistryRecord.park_id == p.id)
                .order_by(RegistryRecord.uscc).limit(max(limit + 1, 200)))
        if after:
            stmt = stmt.where(RegistryRecord.uscc > after)
        rows = list(s.execute(stmt))
        if not rows:
            break
        for uscc, raw in rows:
            r = EnterpriseRecord.model_validate_json(raw)
            if tier is None or r.tier_on(on) == tier:
                out.append(enterprise_dict(r, on))
            after = uscc
    return out[:limit + 1]


def enterprise_dicts(s: Session, usccs: list[str], on: dt.date) -> list[dict]:
    held = projection.records(s, usccs=usccs)
    return [enterprise_dict(held[u], on) for u in usccs if u in held]


# -- assessment and designations --------------------------------------------------------------------
def _stays(s: Session, park_id: str, placed: set[str]) -> list[rules.Stay]:
    """The park's incubation records of enterprises the registry places in it (an incubation counts
    for a park only while the enterprise is the park's)."""
    return [_stay(i) for i in s.scalars(select(Incubation).where(Incubation.park_id == park_id))
            if i.uscc in placed]


def _services(s: Session, park_id: str, until: dt.date) -> tuple[tuple[str, dt.date], ...]:
    """(uscc, served_on) of the service records that count for a park in `until`'s year: those
    recorded for the park or district-wide (no park), for an enterprise the registry places in the
    park. A record about an enterprise the registry does not place there counts for nothing, so a
    park cannot raise its own score with services to firms that are not its own."""
    in_park = select(RegistryRecord.uscc).where(RegistryRecord.park_id == park_id)
    rows = s.execute(select(ServiceRecord.uscc, ServiceRecord.served_on).where(
        or_(ServiceRecord.park_id == park_id, ServiceRecord.park_id.is_(None)), ServiceRecord.uscc.in_(in_park),
        ServiceRecord.served_on >= dt.date(until.year, 1, 1), ServiceRecord.served_on <= until))
    return tuple((u, d) for u, d in rows)


def facts_of(s: Session, park_id: str, on: dt.date) -> rules.ParkFacts:
    """What the assessment counts: only enterprises the registry places in the park (members, the
    incubated among them, the served among them), each with its record's certifications."""
    held = members(s, park_id)
    return rules.ParkFacts(frozenset(held), {u: r.certifications for u, r in held.items()},
                           rules.first_entries(_stays(s, park_id, set(held))), _services(s, park_id, on))


def assessment(s: Session, park: Park, on: dt.date) -> dict:
    result = rules.assess(facts_of(s, park.id, on), on, params.in_force(s, on, "parks.assessment."))
    return {"park_id": park.id, **result}


def designation_dict(d: Designation, with_assessment: bool = True) -> dict:
    doc = {"id": d.id, "park_id": d.park_id, "designation": d.designation,
           "designated_on": d.designated_on.isoformat(), "reason": d.reason,
           "assessment_passed": d.assessment.get("passed"), "created_by": d.created_by}
    if with_assessment:
        doc["assessment"] = d.assessment
    return doc


def designate(s: Session, actor: str, park: Park, body: DesignationIn, today: dt.date) -> Designation:
    """Designate a park (one designation of a kind per park), announcing it in the same transaction.
    The park is assessed as of the designation date; designating a park that fails needs a reason."""
    if body.designated_on > today:  # the schema's FactDay refuses it already; kept for callers without it
        raise field_error("designated_on", "不能晚于今天", "must not be in the future")
    held = s.scalars(select(Designation).where(Designation.park_id == park.id,
                                               Designation.designation == body.designation)).first()
    if held is not None:
        raise Problem(409, "designation-exists", f"园区已于 {held.designated_on} 获得该认定",
                      f"The park already holds this designation since {held.designated_on}",
                      existing=designation_dict(held, with_assessment=False))
    result = assessment(s, park, body.designated_on)
    if not result["passed"] and not body.reason:
        raise Problem(422, "assessment-failed",
                      f"园区截至 {body.designated_on} 的考核未达标（{result['score']}/{result['pass_score']}），"
                      "认定须说明理由（reason）",
                      f"The park's assessment as of {body.designated_on} fails ({result['score']} of "
                      f"{result['pass_score']}): a designation needs a reason",
                      errors=[{"loc": ["body", "reason"], "msg": "required when the assessment fails",
                               "type": "assessment-failed"}], assessment=result)
    d = Designation(park_id=park.id, designation=body.designation, designated_on=body.designated_on,
                    reason=body.reason, assessment=result, created_by=actor)
    s.add(d)
    s.flush()
    events.designated(s, park, d)
    audit.record(s, actor, "park.designate", "designation", str(d.id), None, designation_dict(d, False))
    return d


# -- incubation ---------------------------------------------------------------------------------------
def incubation_dict(i: Incubation, names: dict[str, str] | None = None) -> dict:
    return {"id": i.id, "park_id": i.park_id, "uscc": i.uscc, "name": (names or {}).get(i.uscc),
            "entered_on": i.entered_on.isoformat(), "graduated_on": _iso(i.graduated_on), "note": i.note}


def names_of(s: Session, park_id: str, usccs: set[str]) -> dict[str, str]:
    """Names the registry gives the enterprises it places in the park; nothing about any other."""
    if not usccs:
        return {}
    return {u: r.name for u, r in projection.records(s, usccs=sorted(usccs)).items() if r.park_id == park_id}


def not_in_park(park_id: str) -> Problem:
    # One answer for an unregistered USCC and another park's enterprise: it says nothing about either.
    return Problem(422, "not-in-park", f"企业库未将该企业登记在园区 {park_id}（或尚未同步），不能记录入孵",
                   f"The registry does not place this enterprise in park {park_id} (or has not told parks "
                   "yet): no incubation can be recorded",
                   errors=[{"loc": ["body", "uscc"], "msg": "not an enterprise the registry places in this park",
                            "type": "not-in-park"}])


def add_incubation(s: Session, actor: str, park: Park, body: IncubationIn) -> Incubation:
    """A park (or econ) records an incubation only of an enterprise the registry places in that park:
    the registry owns the fact of who is in which park."""
    if placed_in(s, park.id, body.uscc) is None:
        raise not_in_park(park.id)
    new = rules.Stay(body.uscc, body.entered_on, body.graduated_on)
    for st in s.scalars(select(Incubation).where(Incubation.park_id == park.id, Incubation.uscc == body.uscc)):
        if rules.overlaps(_stay(st), new):
            raise Problem(409, "incubation-overlaps", f"该企业在此期间已有入孵记录（自 {st.entered_on} 起）",
                          f"The enterprise has an incubation record in this period (from {st.entered_on})",
                          existing=incubation_dict(st))
    i = Incubation(park_id=park.id, **body.model_dump())
    s.add(i)
    s.flush()
    audit.record(s, actor, "incubation.add", "incubation", str(i.id), None, incubation_dict(i))
    return i


def graduate(s: Session, actor: str, i: Incubation, body: GraduationIn) -> Incubation:
    if i.graduated_on is not None:
        raise Problem(409, "already-graduated", f"该企业已于 {i.graduated_on} 出孵",
                      f"The enterprise graduated on {i.graduated_on} already")
    if body.graduated_on < i.entered_on:
        raise field_error("graduated_on", "早于入孵日期", "is before entered_on")
    before = incubation_dict(i)
    i.graduated_on = body.graduated_on
    s.flush()
    audit.record(s, actor, "incubation.graduate", "incubation", str(i.id), before, incubation_dict(i))
    return i


def incubation_summary(s: Session, park: Park, year: int) -> dict:
    held = members(s, park.id)
    stays = _stays(s, park.id, set(held))
    summary = rules.incubation_summary(year, stays, {u: r.certifications for u, r in held.items()})
    for p in summary["promotions"]:
        p["name"] = held[p["uscc"]].name
    return {"park_id": park.id, **summary}


# -- intermediaries -----------------------------------------------------------------------------------
def intermediary_dict(m: Intermediary) -> dict:
    return {"id": m.id, "name": m.name, "kind": m.kind, "uscc": m.uscc, "contact": m.contact}


def create_intermediary(s: Session, actor: str, body: IntermediaryIn) -> Intermediary:
    same = s.scalars(select(Intermediary).where(Intermediary.name == body.name)).first()
    if same is not None:
        raise Problem(409, "intermediary-exists", f"中介机构已登记：{body.name}",
                      f"An intermediary named {body.name} exists already", existing=intermediary_dict(same))
    m = Intermediary(**body.model_dump())
    s.add(m)
    s.flush()
    audit.record(s, actor, "intermediary.create", "intermediary", str(m.id), None, intermediary_dict(m))
    return m


def introduced_by(m: Intermediary):
    """The USCCs of the enterprises whose registry `introducer` names this intermediary: its name,
    or its USCC (the facts index of the newest records)."""
    names = [m.name] + ([m.uscc] if m.uscc else [])
    return select(Enterprise.uscc).where(Enterprise.introducer.in_(names))


def service_record_dict(r: ServiceRecord) -> dict:
    return {"id": r.id, "intermediary_id": r.intermediary_id, "uscc": r.uscc, "park_id": r.park_id,
            "served_on": r.served_on.isoformat(), "category": r.category, "description": r.description,
            "outcome": r.outcome, "created_by": r.created_by}


def add_service_record(s: Session, actor: str, m: Intermediary, body: ServiceRecordIn,
                       park_id: str | None) -> ServiceRecord:
    if park_id is not None and s.get(Park, park_id) is None:
        raise field_error("park_id", "园区不存在", "no such park", code="unknown-park")
    r = ServiceRecord(intermediary_id=m.id, created_by=actor, **{**body.model_dump(), "park_id": park_id})
    s.add(r)
    s.flush()
    audit.record(s, actor, "service_record.add", "service_record", str(r.id), None, service_record_dict(r))
    return r
