"""The reminder sweep: one reminder (one row, one reminder.due.v1) per enterprise and cycle, however
often it runs, also two at once; the list; who may run and read it."""
import asyncio
import datetime as dt

from sqlalchemy import func, select

from services.registry.reminders import service
from services.registry.screening.rules import add_months
from shared.clock import today
from shared.tables import Outbox
from shared.testing import make_uscc

DUE = "srdi.registry.reminder.due.v1"


def announced(suite, uscc: str) -> int:
    """reminder.due.v1 events written for the enterprise (the outbox keeps them once published)."""
    with suite.db("registry").reader() as s:
        return s.scalar(select(func.count()).select_from(Outbox).where(
            Outbox.subject == DUE, Outbox.payload.contains(uscc)))


async def enterprise(suite, tier: str, recognized_on: dt.date) -> tuple[str, dict]:
    econ = suite.client("registry")
    uscc = make_uscc()
    assert (await econ.post("/api/v1/enterprises", json={"uscc": uscc, "name": f"提醒测试{uscc[-4:]}"})).status_code == 201
    r = await econ.post(f"/api/v1/enterprises/{uscc}/certifications",
                        json={"tier": tier, "recognized_on": recognized_on.isoformat()})
    assert r.status_code == 201, r.text
    return uscc, r.json()


async def test_a_title_lapsing_is_reminded_once_however_often_the_sweep_runs(suite):
    econ = suite.client("registry")
    # Recognised three years less a month ago: its last valid day is within the 3 months' notice.
    uscc, cert = await enterprise(suite, "municipal_srdi", add_months(today(), -36) + dt.timedelta(days=30))
    first = await econ.post("/api/v1/admin/reminders/run")
    assert first.status_code == 200, first.text
    assert first.json()["basis"]["title_lapse_months"]["value"] == 3
    again = (await econ.post("/api/v1/admin/reminders/run")).json()
    assert again["title_lapse"] == 0 and again["already_sent"] >= 1
    items = (await econ.get("/api/v1/reminders", params={"uscc": uscc})).json()["items"]
    assert [(i["kind"], i["cycle"], i["due_on"], i["tier"], i["certification_id"]) for i in items] == [
        ("title_lapse", f"title_lapse:{cert['id']}", cert["expires_on"], "municipal_srdi", cert["id"])]
    assert announced(suite, uscc) == 1
    # Renewed (复核): a later reminder run finds nothing new for it.
    await econ.post(f"/api/v1/enterprises/{uscc}/certifications",
                    json={"tier": "municipal_srdi", "recognized_on": today().isoformat()})
    await econ.post("/api/v1/admin/reminders/run")
    assert announced(suite, uscc) == 1


async def test_annual_update_reminders_once_per_year_also_when_two_sweeps_race(suite):
    db = suite.db("registry")
    holder, _ = await enterprise(suite, "municipal_srdi", dt.date(2025, 6, 1))
    filed, _ = await enterprise(suite, "national_little_giant", dt.date(2025, 6, 1))
    small, _ = await enterprise(suite, "innovative", dt.date(2025, 6, 1))
    econ = suite.client("registry")
    await econ.post(f"/api/v1/enterprises/{filed}/annual-updates", json={"year": 2026, "submitted_on": "2026-04-02"})
    on = dt.date(2026, 4, 10)  # within a month of the 30 April deadline

    def sweep():
        with db.transaction() as s:
            return service.sweep(s, on)
    results = await asyncio.gather(asyncio.to_thread(sweep), asyncio.to_thread(sweep))
    assert sum(r["annual_update"] for r in results) >= 1
    sweep()
    assert (announced(suite, holder), announced(suite, filed), announced(suite, small)) == (1, 0, 0)
    [item] = (await econ.get("/api/v1/reminders", params={"uscc": holder.lower(), "kind": "annual_update"})).json()["items"]
    assert (item["cycle"], item["due_on"], item["tier"], item["sent_on"]) == (
        "annual_update:2026", "2026-04-30", "municipal_srdi", "2026-04-10")
    # Before the window, nothing; the next year's cycle is a reminder of its own.
    with db.transaction() as s:
        service.sweep(s, dt.date(2027, 3, 29))
    assert announced(suite, holder) == 1
    with db.transaction() as s:
        service.sweep(s, dt.date(2027, 4, 1))
    assert announced(suite, holder) == 2


async def test_who_may_run_and_read_reminders(suite):
    assert (await suite.client("registry", role="auditor").get("/api/v1/reminders")).status_code == 200
    for role, org in (("treasury", None), ("park", "P-1"), ("platform", None)):
        assert (await suite.client("registry", role=role, org=org).get("/api/v1/reminders")).status_code == 403
    for role in ("auditor", "platform"):
        assert (await suite.client("registry", role=role).post("/api/v1/admin/reminders/run")).status_code == 403
    assert (await suite.client("registry", role=None).get("/api/v1/reminders")).status_code == 401
    econ = suite.client("registry")
    assert (await econ.get("/api/v1/reminders", params={"kind": "visit"})).status_code == 422
    assert (await econ.get("/api/v1/reminders", params={"cursor": "!!"})).status_code == 422
    page = (await econ.get("/api/v1/reminders", params={"limit": 1})).json()
    if page["next_cursor"]:
        nxt = (await econ.get("/api/v1/reminders", params={"limit": 1, "cursor": page["next_cursor"]})).json()
        assert nxt["items"][0]["id"] > page["items"][0]["id"]
    await suite.settled()
