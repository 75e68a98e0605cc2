"""Validity reminders: srdi.registry.reminder.due.v1 becomes one notice to the one enterprise per
cycle, queued on the reminder channels, however often the event is delivered."""
import datetime as dt

from sqlalchemy import func, select

from services.outreach.handlers import handlers
from services.outreach.notices import validity
from services.outreach.tables import Delivery, Notice
from services.outreach.tests.helpers import district_enterprise
from services.registry.screening.rules import add_months
from shared.clock import today
from shared.contracts.registry import ReminderDue
from shared.events import new_event
from shared.testing import make_uscc


def due(uscc: str, cycle: str = "title_lapse:3051", **over) -> ReminderDue:
    return ReminderDue.model_validate({"uscc": uscc, "name": "北京燕山精工科技有限公司", "kind": "title_lapse",
                                       "cycle": cycle, "due_on": today() + dt.timedelta(days=80),
                                       "tier": "municipal_srdi", "certification_id": 3051, **over})


def deliver(suite, data: ReminderDue, event=None):
    event = event or new_event(data.SERVICE, data.NAME, data.uscc, data.model_dump(mode="json"))
    with suite.db("outreach").transaction() as s:
        handlers.get(ReminderDue.subject())(s, event)
    return event


def notices_of(suite, uscc: str) -> list[tuple[Notice, int]]:
    with suite.db("outreach").reader() as s:
        rows = s.scalars(select(Notice).where(Notice.reminder_key.startswith(f"validity:{uscc}:"))
                         .order_by(Notice.id)).all()
        return [(n, s.scalar(select(func.count()).select_from(Delivery).where(Delivery.notice_id == n.id)))
                for n in rows]


async def test_one_notice_per_enterprise_and_cycle_under_redelivery(suite):
    uscc = make_uscc()
    data = due(uscc)
    event = deliver(suite, data)
    deliver(suite, data, event)               # the same event again
    deliver(suite, due(uscc))                 # another event for the same cycle
    [(n, deliveries)] = notices_of(suite, uscc)
    assert n.reminder_key == f"validity:{uscc}:title_lapse:3051" and n.target == {"usccs": [uscc]}
    assert deliveries == 2 and n.channels == ["inbox", "email"]  # outreach.validity.reminder_channels
    assert "北京市专精特新中小企业" in n.title and str(data.due_on) in n.title and "复核" in n.body
    # Another cycle is another reminder; the annual update names its year and deadline.
    deliver(suite, due(uscc, "annual_update:2027", kind="annual_update", certification_id=None,
                       due_on=today() + dt.timedelta(days=20)))
    titles = [n.title for n, _ in notices_of(suite, uscc)]
    assert len(titles) == 2 and "2027年度数据更新" in titles[1]
    # A reminder whose date has passed (outreach was down past it) is not sent.
    deliver(suite, due(uscc, "title_lapse:9", due_on=today() - dt.timedelta(days=1)))
    assert len(notices_of(suite, uscc)) == 2
    assert validity.key_of(data) == f"validity:{uscc}:title_lapse:3051"


async def test_from_the_registry_sweep_to_the_inbox(suite):
    recognized = add_months(today(), -36) + dt.timedelta(days=20)
    uscc = await district_enterprise(suite, tier=("innovative", recognized.isoformat()))
    assert (await suite.client("registry").post("/api/v1/admin/reminders/run")).status_code == 200
    await suite.wait_for(lambda: notices_of(suite, uscc), "outreach to write the reminder")
    await suite.settled()
    [(n, deliveries)] = notices_of(suite, uscc)
    assert deliveries == 2 and "创新型中小企业" in n.title
    econ = suite.client("outreach")
    assert (await econ.post(f"/api/v1/notices/{n.id}/dispatch")).status_code == 200
    inbox = (await econ.get(f"/api/v1/enterprises/{uscc}/inbox")).json()["items"]
    assert [(i["notice"]["id"], i["state"]) for i in inbox] == [(n.id, "sent")]
    # The sweep again: still one notice.
    await suite.client("registry").post("/api/v1/admin/reminders/run")
    await suite.settled()
    assert len(notices_of(suite, uscc)) == 1
