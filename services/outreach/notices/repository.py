"""Every query of notices, their deliveries and the contacts they go to."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from services.outreach.access import one, scoped
from services.outreach.tables import Contact, Delivery, Notice
from shared.auth import Principal
from shared.db import for_update
from shared.pagination import keyset


def readable(who: Principal) -> Select:
    """The notices `who` may read: every read of a notice starts here."""
    return scoped(who, select(Notice))


def readable_deliveries(who: Principal) -> Select:
    """The deliveries `who` may read (a notice's list, an enterprise's inbox): every read starts here.
    An enterprise signed in reads its own deliveries (its inbox) and nothing else."""
    if who.role == "enterprise":
        return select(Delivery).where(Delivery.uscc == who.org)
    return scoped(who, select(Delivery))


def get(s: Session, who: Principal, notice_id: int, lock: bool = False) -> Notice:
    return one(s, readable(who).where(Notice.id == notice_id), "通知", "Notice", notice_id, lock)


def listing(s: Session, who: Principal, after: int | None, limit: int) -> list[Notice]:
    return list(s.scalars(keyset(readable(who), Notice.id, after, limit)))


def deliveries(s: Session, who: Principal, notice_id: int, state: str | None, after: int | None,
               limit: int) -> list[Delivery]:
    stmt = readable_deliveries(who).where(Delivery.notice_id == notice_id)
    if state:
        stmt = stmt.where(Delivery.state == state)
    return list(s.scalars(keyset(stmt, Delivery.id, after, limit)))


def inbox(s: Session, who: Principal, uscc: str, after: int | None, limit: int) -> list[tuple[Delivery, Notice]]:
    stmt = (readable_deliveries(who).add_columns(Notice).join(Notice, Notice.id == Delivery.notice_id)
            .where(Delivery.uscc == uscc, Delivery.channel == "inbox"))
    return [tuple(row) for row in s.execute(keyset(stmt, Delivery.id, after, limit))]


def delivery_states(s: Session, notice_id: int) -> list[tuple[str, str, dt.datetime | None]]:
    """(channel, state, read_at) of each of the notice's deliveries."""
    return [tuple(r) for r in s.execute(select(Delivery.channel, Delivery.state, Delivery.read_at)
                                        .where(Delivery.notice_id == notice_id))]


def queued_pairs(s: Session, notice_id: int) -> set[tuple[str, str]]:
    """(uscc, channel) of the deliveries the notice already has."""
    return {(u, ch) for u, ch in s.execute(select(Delivery.uscc, Delivery.channel)
                                            .where(Delivery.notice_id == notice_id))}


def delivery_state_of(s: Session, notice_id: int) -> dict[tuple[str, str], str]:
    """(uscc, channel) → state of the notice's deliveries."""
    return {(u, ch): st for u, ch, st in s.execute(select(Delivery.uscc, Delivery.channel, Delivery.state)
                                                    .where(Delivery.notice_id == notice_id))}


def requeue_skipped(s: Session, notice_id: int, now: dt.datetime) -> int:
    """The notice's skipped deliveries back to pending (a resend tries them again); how many."""
    r = s.execute(update(Delivery).where(Delivery.notice_id == notice_id, Delivery.state == "skipped")
                  .values(state="pending", next_attempt_at=now).execution_options(synchronize_session=False))
    return r.rowcount or 0


def contacts(s: Session, usccs: list[str]) -> dict[str, Contact]:
    """The contacts of these enterprises, by USCC (in chunks: a long list of bound parameters)."""
    out = {}
    for i in range(0, len(usccs), 500):
        out.update({c.uscc: c for c in s.scalars(select(Contact).where(Contact.uscc.in_(usccs[i:i + 500])))})
    return out


def of_enterprise(s: Session, who: Principal, notice_id: int, uscc: str) -> list[Delivery]:
    """The notice's deliveries to one enterprise, locked for a write."""
    stmt = readable_deliveries(who).where(Delivery.notice_id == notice_id, Delivery.uscc == uscc)
    return list(s.scalars(for_update(s, stmt)))


def reminder(s: Session, key: str) -> Notice | None:
    """The reminder notice of a programme window (its reminder_key), locked for a write."""
    return s.scalars(for_update(s, select(Notice).where(Notice.reminder_key == key))).first()


def due(s: Session, now: dt.datetime, notice_id: int | None, batch: int) -> list[Delivery]:
    """Deliveries due (pending, failed whose retry time has come, or sending whose lease ran out),
    locked, the oldest first."""
    stmt = (select(Delivery).where(Delivery.state.in_(("pending", "failed", "sending")),
                                   Delivery.next_attempt_at <= now)
            .order_by(Delivery.next_attempt_at, Delivery.id).limit(batch))
    if notice_id is not None:
        stmt = stmt.where(Delivery.notice_id == notice_id)
    return list(s.scalars(for_update(s, stmt)))


def delivery(s: Session, delivery_id: int) -> Delivery | None:
    """One delivery, locked for a write."""
    return s.scalars(for_update(s, select(Delivery).where(Delivery.id == delivery_id))).first()


def notice(s: Session, notice_id: int) -> Notice | None:
    return s.get(Notice, notice_id)


def contact(s: Session, uscc: str) -> Contact | None:
    return s.get(Contact, uscc)
