"""Validity reminders (srdi.registry.reminder.due.v1): the registry says when a title lapses or an
annual update falls due; outreach tells the one enterprise through its notice channels.

Each reminder is a notice of its own (its text names the enterprise's title and date), keyed by
`reminder_key` = "validity:<uscc>:<cycle>" (unique), with one delivery per channel queued at once;
the dispatcher then sends them like any notice (channels.py, dispatch.py: back-off, abandon). So a
redelivered event, or a second event for the same enterprise and cycle, finds the notice and adds
nothing: one notice per enterprise and cycle. The channels are the dated parameter
`outreach.validity.reminder_channels`. A reminder that arrives after its date (outreach was down
past it) is not sent: "your title lapses on a day already gone" would mislead."""
from __future__ import annotations

import datetime as dt

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.outreach.access import SYSTEM, dump
from services.outreach.notices.schemas import NoticePublic
from services.outreach.tables import Delivery, Notice
from shared import audit, params
from shared.clock import today
from shared.contracts.registry import ReminderDue
from shared.db import insert, utcnow
from shared.tiers import TIER_ZH

log = structlog.get_logger()
CHANNELS_KEY = "outreach.validity.reminder_channels"
PROGRAMME = {"title_lapse": "称号有效期到期提醒", "annual_update": "年度数据更新提醒"}


class _Taken(Exception):
    """Another delivery of the reminder wrote its notice meanwhile."""


def key_of(data: ReminderDue) -> str:
    return f"validity:{data.uscc}:{data.cycle}"


def text(data: ReminderDue) -> tuple[str, str]:
    """The notice's title and body, in the bureau's words: the title held and the date."""
    title_zh = TIER_ZH.get(data.tier or "", "称号")
    if data.kind == "title_lapse":
        return (f"提醒：贵企业的“{title_zh}”称号将于{data.due_on}到期",
                (f"贵企业（{data.name}）的“{title_zh}”称号（认定编号 {data.certification_id}）有效期至{data.due_on}。"
                 f"请在到期前按市经信局要求申请复核；逾期未复核的，称号到期后自动失效，相关区级政策随之停止。"))
    year = data.cycle.rsplit(":", 1)[-1]
    return (f"提醒：请于{data.due_on}前完成{year}年度数据更新",
            (f"贵企业（{data.name}）为“{title_zh}”，须于{data.due_on}前在优质中小企业梯度培育平台完成{year}年度"
             f"数据更新。未按期更新的，将失去称号复核资格。"))


def on_due(s: Session, data: ReminderDue, on: dt.date | None = None) -> Notice | None:
    """Write the enterprise's reminder notice and queue its deliveries, once per enterprise and
    cycle. Returns the notice written now, or None (already written, or past its date)."""
    on = on or today()
    if on > data.due_on:
        log.warning("validity reminder arrived after its date: not sent", uscc=data.uscc, cycle=data.cycle)
        return None
    key = key_of(data)
    if s.scalar(select(Notice.id).where(Notice.reminder_key == key)) is not None:
        return None
    channels = list(params.in_force(s, on, "outreach.validity.")[CHANNELS_KEY].value)
    title, body = text(data)
    n = Notice(programme=PROGRAMME.get(data.kind, "到期提醒"), title=title, body=body, window_opens=on,
               window_closes=data.due_on, target={"usccs": [data.uscc]}, channels=channels, sent_at=utcnow(),
               reminder_key=key, created_by=SYSTEM.actor)
    try:
        insert(s, n, _Taken())
    except _Taken:
        return None
    for ch in channels:
        s.add(Delivery(notice_id=n.id, uscc=data.uscc, channel=ch, state="pending", next_attempt_at=utcnow()))
    s.flush()
    audit.record(s, SYSTEM.actor, "notice.create", "notice", n.id, after=dump(NoticePublic, n))
    return n
