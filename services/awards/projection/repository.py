"""Every query of the projection: the registry's records this service holds (shared.projection), the
awards decided from them, and the facts parks announced."""
from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from services.awards.tables import Award, IncubateePromotion, ParkDesignation
from shared import projection
from shared.contracts.registry import EnterpriseRecord


def locked_record(s: Session, uscc: str) -> EnterpriseRecord | None:
    """The newest record held of an enterprise, its row locked: one enterprise's awards are decided
    one at a time (None: the registry never told us of it, so it is not in the district)."""
    return projection.record_of(s, uscc, lock=True)


def family(s: Session, base: str, uscc: str | None = None) -> list[Award]:
    """The awards under a natural key: the first (`base`) and those made after a take-back (`base:n`).

    `uscc`: the enterprise the key names (tier, tier_renewal, relocation, introducer keys are built
    from the record's USCC, and their awards are created with it: projection.service). The query
    then walks the enterprise's few awards by ix_award_uscc_program instead of scanning the whole
    award table for the LIKE (issue 15: a scan per award decided, growing with every import). The
    award_key unique key still refuses any key taken (workflow.service.create), whatever this finds."""
    key = (Award.award_key == base) | Award.award_key.like(f"{base}:%")
    stmt = select(Award).where(key) if uscc is None else select(Award).where(Award.uscc == uscc, key)
    return list(s.scalars(stmt.order_by(Award.id)))


def awards_of(s: Session, uscc: str) -> list[Award]:
    """Every award about the enterprise, in the order made (ix_award_uscc_program): what deciding one
    title reads once, instead of a query for the held tier awards and one per award key (issue 15).
    Read ahead for a batch (`read_ahead`), the first asking takes the batch's read. (On PostgreSQL a
    bureau's transition committed meanwhile, a rejection say, is then seen from the next batch on,
    where one event at a time would see it from the next statement: no award is created without the
    enterprise's record row, which the batch holds locked, and a key taken stays taken.)"""
    ahead = s.info.get(_AWARDS_AHEAD)
    if ahead is not None and uscc in ahead:
        return ahead.pop(uscc)
    return list(s.scalars(_AWARDS_OF, {"uscc": uscc}))


def read_ahead(s: Session, usccs: set[str], incubatees_of: set[str]) -> None:
    """For a consumer's batch (projection.service.read_ahead): the awards of its enterprises, and
    whether parks announced an incubatee of those of `incubatees_of`, each in one query instead of one
    an event. The others' announcements are read per event: an announcement another replica commits
    meanwhile must still be found (PostgreSQL; the caller names only enterprises whose record row the
    batch has held locked from its start, which such a replica's handler waits on)."""
    if not usccs:
        return
    ahead: dict[str, list[Award]] = {u: [] for u in usccs}
    for a in s.scalars(_AWARDS_AMONG, {"usccs": sorted(usccs)}):
        ahead[a.uscc].append(a)
    s.info[_AWARDS_AHEAD] = ahead
    if incubatees_of:
        announced = set(s.scalars(_INCUBATEES_AMONG, {"usccs": sorted(incubatees_of)}))
        s.info[_INCUBATEES_AHEAD] = {u: u in announced for u in incubatees_of}


def forget_ahead(s: Session, uscc: str | None) -> None:
    """An award of `uscc` was made: its awards read ahead are no longer all of them."""
    ahead = s.info.get(_AWARDS_AHEAD)
    if ahead:
        ahead.pop(uscc, None)


_AWARDS_OF = select(Award).where(Award.uscc == bindparam("uscc")).order_by(Award.id)
_AWARDS_AMONG = select(Award).where(Award.uscc.in_(bindparam("usccs", expanding=True))).order_by(Award.id)
_AWARDS_AHEAD = "awards_ahead"  # Session.info: a batch's enterprises' awards, until first asked for
_INCUBATEES_AHEAD = "incubatees_ahead"  # Session.info: whether parks announced an incubatee, by USCC


def in_family(awards: list[Award], base: str) -> list[Award]:
    """Those of `awards` under the natural key `base` (as `family` finds them in the table)."""
    return [a for a in awards if a.award_key == base or a.award_key.startswith(f"{base}:")]


def resting_on(s: Session, uscc: str, certification_id: int) -> list[Award]:
    """The awards a certification earned."""
    return list(s.scalars(select(Award).where(Award.certification_id == certification_id, Award.uscc == uscc)
                          .order_by(Award.id)))


def certification_awards(s: Session, uscc: str) -> list[Award]:
    """Every tier, relocation and introducer award of an enterprise."""
    return list(s.scalars(select(Award).where(Award.uscc == uscc,
                                              Award.program.in_(("tier", "relocation", "introducer")))))


def designation(s: Session, designation_id: int) -> ParkDesignation | None:
    return s.get(ParkDesignation, designation_id)


def incubatee_promotions(s: Session, uscc: str, tier: str, on) -> list[IncubateePromotion]:
    """Parks' announcements that this enterprise, incubated by a park, reached `tier` on `on`."""
    values = {"uscc": uscc, "tier": tier, "on": on}
    if s.info.get(_INCUBATEES_AHEAD, {}).get(uscc) is False:  # read ahead for the batch: none
        return []
    if s.execute(_ANY_INCUBATEE_PROMOTION, values).first() is None:  # the common case, one cheap read
        return []
    return list(s.scalars(_INCUBATEE_PROMOTIONS, values))


# Built once (issue 15): every promotion asks, and parks have usually announced nothing.
_INCUBATEE = IncubateePromotion.__table__.c
_ANY_INCUBATEE_PROMOTION = select(_INCUBATEE.id).where(
    _INCUBATEE.uscc == bindparam("uscc"), _INCUBATEE.to_tier == bindparam("tier"),
    _INCUBATEE.recognized_on == bindparam("on")).limit(1)
_INCUBATEES_AMONG = select(_INCUBATEE.uscc).where(_INCUBATEE.uscc.in_(bindparam("usccs", expanding=True))).distinct()
_INCUBATEE_PROMOTIONS = select(IncubateePromotion).where(
    IncubateePromotion.uscc == bindparam("uscc"), IncubateePromotion.to_tier == bindparam("tier"),
    IncubateePromotion.recognized_on == bindparam("on")).order_by(IncubateePromotion.id)


def incubatee_known(s: Session, park_id: str, uscc: str, tier: str) -> bool:
    return s.scalars(select(IncubateePromotion.id).where(
        IncubateePromotion.park_id == park_id, IncubateePromotion.uscc == uscc,
        IncubateePromotion.to_tier == tier)).first() is not None
