"""Notice use cases: draft a notice, preview whom it would reach, send it (queue its deliveries),
mark it read, keep an enterprise's contact. They write through the caller's session and never
commit. Sending the queued deliveries through the channels is dispatch.py."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.outreach import registry, rules
from services.outreach.access import dump, save
from services.outreach.notices import repository
from services.outreach.notices.channels import Channel, skip_reason
from services.outreach.notices.dispatch import message
from services.outreach.notices.schemas import ContactIn, ContactPublic, NoticeIn, NoticePublic
from services.outreach.tables import Contact, Delivery, Notice
from shared import audit
from shared.auth import Principal
from shared.clock import today
from shared.db import utcnow
from shared.errors import Problem, not_found

EMPTY_TARGET = (("通知对象为空：请至少给出一个条件（梯度、乡镇街道、园区、企业、行业或筛选结果），或明确选择 audience 为 all "
                 "发给全区企业"),
                ("the target is empty: give at least one criterion (tiers, townships, park_ids, usccs, industries "
                 "or a screening), or choose audience all to reach every district enterprise"))


def refuse_aimless(target: dict) -> None:
    """422 `empty-target` for a target naming no one (rules.aimless): never a notice to everyone by
    omission."""
    if rules.aimless(target):
        raise Problem(422, "empty-target", *EMPTY_TARGET)


def create(s: Session, who: Principal, body: NoticeIn, screening: dict | None = None) -> Notice:
    """`screening`: the target's screening selector already resolved to USCCs (screening.resolve)."""
    target = body.target.model_dump(mode="json")
    refuse_aimless(target)
    if body.target.screening is not None:
        if screening is None:
            raise ValueError("a screening selector must be resolved before the notice is created")
        target["screening"] = screening
    return write(s, who, Notice(**body.model_dump(exclude={"target"}), target=target, created_by=who.actor))


def write(s: Session, who: Principal, n: Notice) -> Notice:
    """Store a new notice (a draft, or a reminder the service writes itself) and audit it."""
    save(s, n)
    audit.record(s, who.actor, "notice.create", "notice", n.id, after=dump(NoticePublic, n))
    return n


def detail(s: Session, who: Principal, notice_id: int) -> dict:
    """The notice with its deliveries counted per channel and state (and read)."""
    n = repository.get(s, who, notice_id)
    counts: dict = {}
    for channel, state, read_at in repository.delivery_states(s, n.id):
        c = counts.setdefault(channel, {})
        c[state] = c.get(state, 0) + 1
        if read_at is not None:
            c["read"] = c.get("read", 0) + 1
    return {**n.model_dump(), "deliveries": counts}


def inbox(s: Session, who: Principal, uscc: str, after: int | None, limit: int) -> list[dict]:
    """The enterprise's portal inbox: its inbox deliveries, each with its notice."""
    return [{**d.model_dump(), "notice": n} for d, n in repository.inbox(s, who, uscc, after, limit)]


def send(s: Session, who: Principal, notice_id: int) -> dict:
    """Resolve the notice's targets now and queue one delivery per enterprise × channel. Sending
    again adds deliveries only for newly matching enterprises: the unique key keeps the rest."""
    n = repository.get(s, who, notice_id, lock=True)
    refuse_aimless(n.target)  # a draft from before empty targets were refused
    existing = repository.queued_pairs(s, n.id)
    matched = _matched(s, n)
    added = 0
    for e in matched:
        for ch in n.channels:
            if (e.uscc, ch) not in existing:
                s.add(Delivery(notice_id=n.id, uscc=e.uscc, channel=ch, state="pending", next_attempt_at=utcnow()))
                added += 1
    # A skipped delivery (no address then, channel not configured) is tried again by a resend.
    requeued = repository.requeue_skipped(s, n.id, utcnow())
    if n.sent_at is None:
        n.sent_at = utcnow()
    s.flush()
    audit.record(s, who.actor, "notice.send", "notice", n.id,
                 after={"enterprises": len(matched), "queued": added, "requeued": requeued})
    return {"notice_id": n.id, "enterprises": len(matched), "queued": added,
            "already_queued": len(matched) * len(n.channels) - added, "requeued": requeued}


def _matched(s: Session, n: Notice) -> list:
    """The registry records the notice's target selects, tiers of today (the day it is sent)."""
    on = today()
    candidates = registry.records(s, n.target.get("usccs"))  # a USCC list narrows the read
    return sorted((r for r in candidates.values() if rules.targeted(n.target, registry.facts(r, on))),
                  key=lambda r: r.uscc)


def preview(s: Session, who: Principal, notice_id: int, channels: dict[str, Channel]) -> dict:
    """Whom sending the notice now would reach, per enterprise × channel, and who would be skipped
    and why (no address on file, the channel not configured), without sending or queuing anything.
    A delivery already queued is `queued` (a resend adds nothing), except a skipped one, which a
    resend queues again: it is previewed afresh."""
    n = repository.get(s, who, notice_id)
    refuse_aimless(n.target)
    states, matched = repository.delivery_state_of(s, n.id), _matched(s, n)
    contacts = repository.contacts(s, [r.uscc for r in matched])
    items, counts = [], {ch: {"send": 0, "skip": 0, "queued": 0} for ch in n.channels}
    for r in matched:
        for ch in n.channels:
            state = states.get((r.uscc, ch))
            reason = None
            if state is not None and state != "skipped":
                outcome = "queued"
            else:
                reason = skip_reason(channels.get(ch), message(n, r.uscc, r.name, contacts.get(r.uscc), ch))
                outcome = "send" if reason is None else "skip"
            counts[ch][outcome] += 1
            items.append({"uscc": r.uscc, "name": r.name, "channel": ch, "outcome": outcome, "reason": reason,
                          "state": state})
    return {"notice_id": n.id, "on": today(), "audience": n.target.get("audience", "targeted"),
            "enterprises": len(matched), "channels": counts, "items": items}


def mark_read(s: Session, who: Principal, notice_id: int, uscc: str) -> dict:
    """The enterprise opened the notice: `read_at` on its deliveries (an inbox one is then sent)."""
    rows = repository.of_enterprise(s, who, notice_id, uscc)
    if not rows:
        raise not_found("通知送达记录", "Delivery", f"{notice_id}/{uscc}")
    now = utcnow()
    for d in rows:
        if d.read_at is None:
            d.read_at = now
        if d.channel == "inbox" and d.state in ("pending", "failed", "sending"):
            d.state, d.sent_at = "sent", d.sent_at or now  # opened in the portal: it arrived
    return {"items": rows}


def contact_of(s: Session, uscc: str) -> ContactPublic:
    """The enterprise's contact, or empty values when none was recorded (an enterprise not in the
    registry: 404, the path names it)."""
    registry.known(s, uscc)
    c = repository.contact(s, uscc)
    return ContactPublic.model_validate(c) if c else ContactPublic(uscc=uscc, email=None, wechat_openid=None, phone=None)


def set_contact(s: Session, who: Principal, uscc: str, body: ContactIn) -> Contact:
    registry.district(s, uscc, "uscc")
    c = repository.contact(s, uscc)
    if c is None:
        c = Contact(uscc=uscc, updated_by=who.actor)
        s.add(c)
    c.email, c.wechat_openid, c.phone, c.updated_by = body.email, body.wechat_openid, body.phone, who.actor
    s.flush()
    return c
