"""Parks use cases. They write through the caller's session and never commit."""
from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services.parks import events, rules
from services.parks.models import (Designation, Enterprise, Incubation, Intermediary, Park, ServiceRecord,
                                   TierChange)
from services.parks.schemas import (DesignationIn, GraduationIn, IncubationIn, IntermediaryIn, ParkIn,
                                    ParkPatch, ServiceRecordIn)
from shared import audit, params
from shared.errors import Problem, field_error

DETAIL_ENTERPRISES = 500  # a park's detail lists this many; GET /parks/{id}/enterprises pages the rest


def _iso(d: dt.date | None) -> str | None:
    return d and d.isoformat()


# -- parks ----------------------------------------------------------------------------------------
def park_dict(p: Park) -> dict:
    return {"id": p.id, "name": p.name, "operator_org": p.operator_org,
            "area_mu": None if p.area_mu is None else float(p.area_mu), "township": p.township,
            "created_at": p.created_at.isoformat() + "Z"}


def enterprise_dict(e: Enterprise) -> dict:
    return {"uscc": e.uscc, "name": e.name, "park_id": e.park_id, "tier": e.tier,
            "relocated_on": _iso(e.relocated_on), "introducer": e.introducer,
            "enterprise_version": e.enterprise_version}


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


def park_detail(s: Session, p: Park) -> dict:
    counts = rules.tier_counts([])
    for tier, n in s.execute(select(Enterprise.tier, func.count()).where(Enterprise.park_id == p.id)
                             .group_by(Enterprise.tier)):
        counts[tier] = n
    listed = s.scalars(select(Enterprise).where(Enterprise.park_id == p.id)
                       .order_by(Enterprise.uscc).limit(DETAIL_ENTERPRISES))
    designations = s.scalars(select(Designation).where(Designation.park_id == p.id).order_by(Designation.id))
    return {**park_dict(p), "enterprise_count": sum(counts.values()), "counts": counts,
            "enterprises": [enterprise_dict(e) for e in listed],
            "designations": [designation_dict(d, with_assessment=False) for d in designations]}


# -- assessment and designations --------------------------------------------------------------------
def _changes(s: Session, usccs: set[str]) -> dict[str, list[rules.Change]]:
    out: dict[str, list[rules.Change]] = defaultdict(list)
    if not usccs:
        return out
    for c in s.scalars(select(TierChange).where(TierChange.uscc.in_(sorted(usccs)))):
        out[c.uscc].append(rules.Change(c.enterprise_version, c.changed_on, c.from_tier, c.to_tier))
    return out


def _stays(s: Session, park_id: str) -> list[rules.Stay]:
    return [rules.Stay(i.uscc, i.entered_on, i.graduated_on)
            for i in s.scalars(select(Incubation).where(Incubation.park_id == park_id))]


def _services(s: Session, park_id: str, until: dt.date) -> tuple[tuple[str, dt.date], ...]:
    """(uscc, served_on) of the service records that count for a park in `until`'s year: those
    recorded for the park or district-wide (no park), for an enterprise the registry has in the park.
    A record about an enterprise the registry does not place there counts for nothing, so a park
    cannot raise its own score with services to firms that are not its own."""
    in_park = select(Enterprise.uscc).where(Enterprise.park_id == park_id)
    rows = s.execute(select(ServiceRecord.uscc, ServiceRecord.served_on).where(
        or_(ServiceRecord.park_id == park_id, ServiceRecord.park_id.is_(None)), ServiceRecord.uscc.in_(in_park),
        ServiceRecord.served_on >= dt.date(until.year, 1, 1), ServiceRecord.served_on <= until))
    return tuple((u, d) for u, d in rows)


def facts_of(s: Session, park_id: str, on: dt.date) -> rules.ParkFacts:
    members = frozenset(s.scalars(select(Enterprise.uscc).where(Enterprise.park_id == park_id)))
    incubated = rules.first_entries(_stays(s, park_id))
    services = _services(s, park_id, on)
    return rules.ParkFacts(members, _changes(s, set(members) | set(incubated) | {u for u, _ in services}),
                           incubated, services)


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
    if body.designated_on > today:
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


def names_of(s: Session, usccs: set[str]) -> dict[str, str]:
    if not usccs:
        return {}
    rows = s.execute(select(Enterprise.uscc, Enterprise.name).where(Enterprise.uscc.in_(sorted(usccs))))
    return {uscc: name for uscc, name in rows}


def add_incubation(s: Session, actor: str, park: Park, body: IncubationIn) -> Incubation:
    new = rules.Stay(body.uscc, body.entered_on, body.graduated_on)
    for st in s.scalars(select(Incubation).where(Incubation.park_id == park.id, Incubation.uscc == body.uscc)):
        if rules.overlaps(rules.Stay(st.uscc, st.entered_on, st.graduated_on), new):
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
    stays = _stays(s, park.id)
    usccs = {st.uscc for st in stays}
    summary = rules.incubation_summary(year, stays, _changes(s, usccs))
    names = names_of(s, usccs)
    for p in summary["promotions"]:
        p["name"] = names.get(p["uscc"])
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
    """The enterprises whose registry `introducer` names this intermediary: its name, or its USCC."""
    names = [m.name] + ([m.uscc] if m.uscc else [])
    return select(Enterprise).where(Enterprise.introducer.in_(names))


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
