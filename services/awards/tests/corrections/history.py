"""An enterprise's record as the registry would publish it, version by version, delivered to awards
through the real bus (the registry's own correction routes are other work; the events are the
contract)."""
from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import func, select

from services.awards.tables import AwardTransition, LedgerEntry
from services.awards.tests.test_flow import held, publish
from shared.contracts.registry import CertificationRecord, EnterprisePromoted, EnterpriseRecord
from shared.events import Event, new_event
from shared.tables import Outbox
from shared.testing import make_uscc, registry_event

ids = itertools.count(970_001)


def title(tier: str, on: str, **more) -> CertificationRecord:
    day = dt.date.fromisoformat(on)
    return CertificationRecord(id=next(ids), tier=tier, recognized_on=day,
                               expires_on=day.replace(year=day.year + 3) - dt.timedelta(days=1), **more)


class Enterprise:
    """One enterprise's record; every `send` publishes the next version with the event around it."""

    def __init__(self, **facts):
        self.uscc = make_uscc()
        self.version = 0
        self.certs: list[CertificationRecord] = []
        self.facts = facts
        self.sent: list[Event] = []

    def record(self) -> EnterpriseRecord:
        return EnterpriseRecord(uscc=self.uscc, name=f"北京更正测试{self.uscc[-4:]}科技有限公司", version=self.version,
                                certifications=tuple(self.certs), **self.facts)

    async def send(self, suite, model, **flat) -> Event:
        self.version += 1
        extra = {k: self.facts[k] for k in ("status", "status_on") if k in self.facts}
        event = registry_event(model, self.record(), **{**extra, **flat})
        await publish(suite, event)
        self.sent.append(event)
        await suite.wait_for(lambda: (r := held(suite, self.uscc)) is not None and r.version >= self.version,
                             f"awards to hold version {self.version} of {self.uscc}")
        return event

    async def promote(self, suite, cert: CertificationRecord, from_tier: str = "sme") -> Event:
        self.certs.append(cert)
        return await self.send(suite, EnterprisePromoted, from_tier=from_tier, to_tier=cert.tier,
                               certification_id=cert.id, recognized_on=cert.recognized_on,
                               expires_on=cert.expires_on, first_time_at_tier=True)

    def replace(self, cert: CertificationRecord, **changes) -> CertificationRecord:
        new = cert.model_copy(update=changes)
        self.certs = [new if c.id == cert.id else c for c in self.certs]
        return new


async def again(suite, event: Event) -> None:
    """The same event delivered once more past JetStream's de-duplication (the inbox must hold)."""
    js = suite.apps["awards"].state.bus.js
    import orjson
    await js.publish(event.nats_subject, orjson.dumps(event.envelope()), headers={"Nats-Msg-Id": f"again-{event.id}"})


async def replayed(suite, event: Event) -> Event:
    """The same facts under a new event id (a replay of the registry's stream): the natural keys must hold."""
    name = event.nats_subject.removeprefix("srdi.registry.")
    copy = new_event("registry", name, event.subject, event.data)
    await publish(suite, copy)
    return copy


def footprint(suite, uscc: str) -> tuple[int, int, int]:
    """(transitions, ledger entries, award.changed events) about an enterprise's awards: what an
    effect leaves; a redelivery must leave nothing more."""
    from services.awards.tables import Award
    with suite.db("awards").reader() as s:
        ids_ = select(Award.id).where(Award.uscc == uscc)
        moves = s.scalar(select(func.count()).select_from(AwardTransition).where(AwardTransition.award_id.in_(ids_)))
        entries = s.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.uscc == uscc))
        published = s.scalar(select(func.count()).select_from(Outbox).where(
            Outbox.subject == "srdi.awards.award.changed.v1", Outbox.payload.contains(uscc)))
    return moves, entries, published


def changed_states(suite, award_id: int) -> list[str]:
    """The states award.changed announced for one award, in order."""
    import orjson
    with suite.db("awards").reader() as s:
        rows = s.scalars(select(Outbox.payload).where(Outbox.subject == "srdi.awards.award.changed.v1")
                         .order_by(Outbox.created_at, Outbox.id))
        return [d["state"] for p in rows if (d := orjson.loads(p)["data"])["award_id"] == award_id]
