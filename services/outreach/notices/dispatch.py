"""Notice delivery: claim due deliveries (one transaction), send each through its channel
outside any transaction, then record the outcome (one transaction per delivery).

A claimed delivery is `sending` with a lease (next_attempt_at = now + lease): if the process dies
mid-send, the lease runs out and the delivery is claimed again. Inbox deliveries are the stored
row itself, so they are exactly-once; an e-mail resent after such a crash carries the same
Message-ID (the delivery key), which mail systems de-duplicate. A delivery that is `sent` is never
claimed again, so a resend of a notice or a rerun of the dispatcher sends nothing twice."""
from __future__ import annotations

import datetime as dt

import structlog

from services.outreach import registry, rules
from services.outreach.notices import repository
from services.outreach.notices.channels import NO_CHANNEL, Message, channels_of
from services.outreach.notices.errors import ChannelError, Skipped
from shared import params
from shared.clock import today
from shared.db import Database, utcnow

log = structlog.get_logger()


def _claim(db: Database, now: dt.datetime, notice_id: int | None) -> tuple[list[tuple[int, Message, str]], dict]:
    with db.transaction() as s:
        ps = params.in_force(s, today(), "outreach.notice.")
        lease = dt.timedelta(seconds=int(ps["outreach.notice.lease_s"].value))
        claimed = []
        for d in repository.due(s, now, notice_id, int(ps["outreach.notice.batch_size"].value)):
            n, c = repository.notice(s, d.notice_id), repository.contact(s, d.uscc)
            d.state, d.attempts, d.next_attempt_at = "sending", d.attempts + 1, now + lease
            claimed.append((d.id, message(n, d.uscc, registry.name_of(s, d.uscc), c, d.channel), d.channel))
        return claimed, ps


def message(n, uscc: str, name: str, c, channel: str) -> Message:
    """What one delivery carries: the notice's text and the enterprise's addresses (contact `c`)."""
    return Message(key=f"notice-{n.id}-{uscc}-{channel}", uscc=uscc, enterprise_name=name, title=n.title,
                   body=n.body, programme=n.programme,
                   window=f"{n.window_opens.isoformat()} 至 {n.window_closes.isoformat()}",
                   criteria_url=n.criteria_url, email=c and c.email, wechat_openid=c and c.wechat_openid,
                   phone=c and c.phone)


def _settle(db: Database, delivery_id: int, error: str | None, ps: dict, outcome: str = "retry") -> str:
    """Record one send: `error` None → sent; else `outcome` skip → skipped, give_up → abandoned,
    retry → failed with back-off (abandoned past outreach.notice.max_attempts)."""
    with db.transaction() as s:
        d = repository.delivery(s, delivery_id)
        if d is None or d.state != "sending":
            return d.state if d else "gone"  # read meanwhile: nothing to record
        now = utcnow()
        if error is None:
            d.state, d.sent_at, d.last_error = "sent", now, None
        elif outcome == "skip":  # nothing was tried: the attempt is not counted
            d.state, d.last_error, d.attempts = "skipped", error, d.attempts - 1
        elif outcome == "give_up" or rules.gives_up(d.attempts, ps):
            d.state, d.last_error = "abandoned", error
        else:
            d.state, d.last_error, d.next_attempt_at = "failed", error, now + rules.backoff(d.attempts, ps)
        return d.state


def dispatch_once(app, notice_id: int | None = None, now: dt.datetime | None = None) -> dict:
    """One pass: claim what is due and send it. Returns counts by outcome."""
    db, channels = app.state.db, channels_of(app)
    claimed, ps = _claim(db, now or utcnow(), notice_id)
    counts: dict[str, int] = {}
    for delivery_id, message, channel in claimed:
        ch = channels.get(channel)
        error, outcome = None, "retry"
        try:
            if ch is None:
                raise Skipped(f"{NO_CHANNEL}: {channel}")
            ch.send(message)
        except Skipped as e:
            error, outcome = str(e)[:400], "skip"
        except ChannelError as e:
            error, outcome = str(e), "give_up" if e.permanent else "retry"
        except Exception as e:  # noqa: BLE001 - a channel bug is a failed send, visible and retried
            log.exception("channel failed", channel=channel)
            error = f"{type(e).__name__}: {e}"[:400]
        state = _settle(db, delivery_id, error, ps, outcome)
        counts[state] = counts.get(state, 0) + 1
    return {"claimed": len(claimed), **counts}
