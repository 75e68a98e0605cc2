"""Incubation use cases: entries, graduations, the yearly summary, and the announcement of an
incubatee's promotion (handlers.py calls `on_promoted` inside the bus's transaction). Never commit."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from services.parks import events, rules
from services.parks.incubation import repository
from services.parks.incubation.schemas import GraduationIn, IncubationIn, IncubationPublic, IncubationSummary
from services.parks.parks import repository as parks
from services.parks.parks import service as park_service
from services.parks.tables import IncubateePromotion, Incubation, Park
from shared import audit, projection
from shared.contracts.registry import EnterprisePromoted
from shared.errors import Problem, field_error
from shared.tiers import Tier, rank


def names_of(s: Session, park_id: str, usccs: set[str]) -> dict[str, str]:
    """Names the registry gives the enterprises it places in the park; nothing about any other."""
    if not usccs:
        return {}
    return {u: r.name for u, r in parks.records_of(s, sorted(usccs)).items() if r.park_id == park_id}


def public(s: Session, rows: list[Incubation], park_id: str) -> list[IncubationPublic]:
    """The records as answered, each with the registry's name of an enterprise placed in the park."""
    names = names_of(s, park_id, {i.uscc for i in rows})
    return [IncubationPublic.model_validate(i).model_copy(update={"name": names.get(i.uscc)}) for i in rows]


def _audited(i: Incubation) -> dict:
    return IncubationPublic.model_validate(i).model_dump(mode="json")


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
    if parks.placed_in(s, park.id, body.uscc) is None:
        raise not_in_park(park.id)
    new = rules.Stay(body.uscc, body.entered_on, body.graduated_on)
    for st in repository.of_enterprise(s, park.id, body.uscc):
        if rules.overlaps(repository.stay(st), new):
            raise Problem(409, "incubation-overlaps", f"该企业在此期间已有入孵记录（自 {st.entered_on} 起）",
                          f"The enterprise has an incubation record in this period (from {st.entered_on})",
                          existing=_audited(st))
    i = repository.add(s, Incubation(park_id=park.id, **body.model_dump()))
    audit.record(s, actor, "incubation.add", "incubation", str(i.id), None, _audited(i))
    return i


def graduate(s: Session, actor: str, i: Incubation, body: GraduationIn) -> Incubation:
    if i.graduated_on is not None:
        raise Problem(409, "already-graduated", f"该企业已于 {i.graduated_on} 出孵",
                      f"The enterprise graduated on {i.graduated_on} already")
    if body.graduated_on < i.entered_on:
        raise field_error("graduated_on", "出孵日期早于入孵日期", "is before entered_on")
    before = _audited(i)
    i.graduated_on = body.graduated_on
    s.flush()
    audit.record(s, actor, "incubation.graduate", "incubation", str(i.id), before, _audited(i))
    return i


def summary(s: Session, park: Park, year: int) -> IncubationSummary:
    """The year's incubation of the enterprises the registry places in the park; one that moved out
    or closed before the year began no longer counts (it still does for the years it was here)."""
    held = {u: r for u, r in parks.members(s, park.id).items() if rules.present_on(r, dt.date(year, 1, 1))}
    stays = repository.stays(s, park.id, set(held))
    result = rules.incubation_summary(year, stays, {u: r.certifications for u, r in held.items()})
    for p in result["promotions"]:
        p["name"] = held[p["uscc"]].name
    return IncubationSummary.model_validate({"park_id": park.id, **result})


def on_promoted(s: Session, event_id: str, data: EnterprisePromoted) -> None:
    """Keep the record, then announce the promotion of an enterprise the park incubated (the
    summary's rule: a promotion on or after its first entry into the park), once per (park, uscc,
    to_tier): the incubatee_promotion row with its unique key is the guard, so a redelivered,
    replayed or re-published promotion, or a later renewal at the same tier, announces nothing
    again. Only the park the registry places the enterprise in is credited (an incubation counts
    for a park only while the enterprise is the park's). Incubations recorded after the promotion
    has arrived are not announced retroactively."""
    park_service.learn(s, data.record)
    if rank(data.to_tier) <= rank(data.from_tier):
        return
    record = projection.record_of(s, data.uscc)  # the newest held: this one, or a newer one already here
    if record is None or record.park_id is None or not rules.present_on(record, data.recognized_on):
        return  # in no park, or no longer in the district on the day of the title
    park_id, to_tier = record.park_id, Tier(data.to_tier).value
    rows = repository.of_enterprise(s, park_id, data.uscc)
    stay = rules.crediting_stay([repository.stay(i) for i in rows], data.recognized_on)
    if stay is None or repository.announced(s, park_id, data.uscc, to_tier):
        return
    incubation_id = next(i.id for i in rows if repository.stay(i) == stay)
    p = repository.add(s, IncubateePromotion(park_id=park_id, uscc=data.uscc, to_tier=to_tier,
                                             recognized_on=data.recognized_on, incubation_id=incubation_id,
                                             event_id=event_id))
    events.incubatee_promoted(s, p)
