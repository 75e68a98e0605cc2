"""Parks use cases: register and edit parks, their enterprises with tiers on a date, and keeping the
registry's records (handlers.py calls `learn` inside the bus's transaction). Never commit."""
from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy.orm import Session

from services.parks import events, rules
from services.parks.designations import repository as designations
from services.parks.designations.schemas import DesignationSummary
from services.parks.parks import repository
from services.parks.parks.schemas import EnterprisePublic, ParkDetail, ParkIn, ParkPatch, ParkPublic
from services.parks.tables import Park
from shared import audit, projection
from shared.auth import Principal
from shared.contracts.registry import EnterpriseRecord
from shared.db import insert
from shared.errors import Problem

DETAIL_ENTERPRISES = 500  # a park's detail lists this many; GET /parks/{id}/enterprises pages the rest
BATCH = 200  # records read at a time when filtering a page by tier


def learn(s: Session, record: EnterpriseRecord) -> bool:
    """Keep the registry's record when it is newer than the one held (shared.projection), and the
    facts index with it; a stale or repeated record changes nothing. True when it was newer."""
    if projection.remember(s, record) is record:
        return False
    repository.index(s, record)
    return True


def public(p: Park) -> dict:
    """The park as answered and audited."""
    return ParkPublic.model_validate(p).model_dump(mode="json")


def _name_taken(s: Session, name: str, other_than: str | None = None) -> None:
    same = repository.named(s, name, other_than)
    if same is not None:
        raise Problem(409, "park-exists", f"园区已存在：{name}（{same.id}）",
                      f"A park named {name} exists already ({same.id})", existing=public(same))


def new_park_id(s: Session) -> str:
    while True:
        candidate = f"park-{secrets.token_hex(4)}"
        if not repository.exists(s, candidate):
            return candidate


def create_park(s: Session, actor: str, body: ParkIn) -> Park:
    _name_taken(s, body.name)
    # the unique name refuses a park registered meanwhile by a racing request: the same 409
    p = insert(s, Park(id=new_park_id(s), **body.model_dump()),
               Problem(409, "park-exists", f"园区已存在：{body.name}", f"A park named {body.name} exists already"))
    audit.record(s, actor, "park.create", "park", p.id, None, public(p))
    events.recorded(s, p)  # the registry learns the parks an enterprise may be placed in
    return p


def update_park(s: Session, actor: str, p: Park, body: ParkPatch) -> Park:
    """Change a park's register entry (the fields given); the name stays unique. A change bumps
    the version; a new name or township is announced (park.recorded.v1) in the same transaction.
    The same values again change nothing."""
    changes = {k: v for k, v in body.model_dump(include=body.model_fields_set).items() if getattr(p, k) != v}
    if not changes:
        return p
    if "name" in changes:
        _name_taken(s, changes["name"], other_than=p.id)
    before = public(p)
    for k, v in changes.items():
        setattr(p, k, v)
    p.version += 1
    s.flush()
    audit.record(s, actor, "park.update", "park", p.id, before, public(p))
    if changes.keys() & ANNOUNCED:
        events.recorded(s, p)
    return p


ANNOUNCED = {"name", "township"}  # what park.recorded.v1 carries


def announce_parks(s: Session, actor: str) -> int:
    """Re-announce every park as it stands (park.recorded.v1 at its current version): the registry
    learns the parks that existed before it listened. It keeps the newest version, so a repeat
    changes nothing there."""
    n = 0
    for p in repository.every(s):
        events.recorded(s, p)
        n += 1
    audit.record(s, actor, "park.announce", "park", "*", None, {"announced": n})
    return n


def park_detail(s: Session, who: Principal, p: Park, on: dt.date) -> ParkDetail:
    """The park with the enterprises the registry places in it, each with its tier on `on`; one
    that moved out of the district or closed by `on` no longer counts (rules.present_on)."""
    held = {u: r for u, r in repository.members(s, p.id).items() if rules.present_on(r, on)}
    counts = rules.tier_counts(r.tier_on(on) for r in held.values())
    listed = [EnterprisePublic.of(r, on) for _, r in zip(range(DETAIL_ENTERPRISES), held.values())]
    return ParkDetail.model_validate({
        **ParkPublic.model_validate(p).model_dump(), "enterprise_count": sum(counts.values()), "counts": counts,
        "counts_on": on, "enterprises": listed,
        "designations": [DesignationSummary.of(d) for d in designations.of_park(s, who, p.id)]})


def park_enterprises(s: Session, p: Park, on: dt.date, tier: str | None, after: str | None,
                     limit: int) -> list[EnterprisePublic]:
    """One page (limit + 1 items, by USCC) of the park's enterprises, with their tiers on `on`;
    `tier` keeps those at that tier on that date (computed from each record, so read in batches).
    One that moved out of the district or closed by `on` is not listed (rules.present_on)."""
    out: list[EnterprisePublic] = []
    while len(out) <= limit:
        rows = repository.member_batch(s, p.id, after, max(limit + 1, BATCH))
        if not rows:
            break
        for uscc, raw in rows:
            r = EnterpriseRecord.model_validate_json(raw)
            if rules.present_on(r, on) and (tier is None or r.tier_on(on) == tier):
                out.append(EnterprisePublic.of(r, on))
            after = uscc
    return out[:limit + 1]


def enterprises(s: Session, usccs: list[str], on: dt.date) -> list[EnterprisePublic]:
    """The enterprises of `usccs` whose records are held, in that order, with their tiers on `on`."""
    held = repository.records_of(s, usccs)
    return [EnterprisePublic.of(held[u], on) for u in usccs if u in held]

