"""Trust the record (issue 13): the banks' service list follows the registry's record of each
enterprise, whatever order its titles were recognised in and its events arrive in.

The acceptance scenario (../shared/acceptance/titles-out-of-order) in process, then the registry's
events handed to finance's handlers directly, out of order and repeated."""
import datetime as dt
import json
import random

from sqlalchemy import select

from services.finance import handlers as h
from services.finance import rules
from services.finance.service_list import service
from services.finance.tests.helpers import (
    added,
    all_items,
    cert,
    certify,
    demoted,
    entry,
    promoted,
    record,
    register,
    registered,
    registry_event,
    revoked,
    wait_entry,
)
from shared.clock import today
from shared.tables import Outbox
from shared.testing import make_uscc

D = dt.date
SRDI, MLG, NLG = "municipal_srdi", "municipal_little_giant", "national_little_giant"
async def test_titles_out_of_order_acceptance(suite):
    """A lapsed municipal SRDI title, then a national little giant; a little giant, then a back-dated
    innovative title. After the registry's expiry sweep, the list shows each on the registry's tier."""
    a = await register(suite, "北京示例氢能科技有限公司")
    b = await register(suite, "北京示例数控装备有限公司")
    for u, tier, on in ((a, SRDI, "2020-11-20"), (a, NLG, "2025-03-15"), (b, MLG, "2024-06-01"),
                        (b, "innovative", "2023-02-01")):
        await certify(suite, u, tier, on)
    assert (await suite.client("registry").post("/api/v1/admin/expire")).status_code == 200
    await suite.settled()
    bank = suite.client("finance", role="bank", org="B1")
    on_list = {i["uscc"]: i for i in await all_items(bank)}
    for u, tier, since in ((a, NLG, "2025-03-15"), (b, MLG, "2024-06-01")):
        assert (await suite.client("registry").get(f"/api/v1/enterprises/{u}")).json()["current_tier"] == tier
        e = await wait_entry(suite, u, f"{u} listed at {tier}", listed=True, tier=tier)
        assert (e["since"], e["removed_on"]) == (since, None)
        assert on_list[u]["tier"] == tier and on_list[u]["since"] == since
        r = await bank.post("/api/v1/loans", json={"uscc": u, "applied_yuan": 1_000_000,
                                                   "applied_on": today().isoformat()})
        assert r.status_code == 201, r.text  # not `not-on-service-list`
    # the lapsed SRDI period is history: the entry on a day inside it, and the day after it ended
    fin = suite.client("finance", role="finance")
    then = (await fin.get(f"/api/v1/service-list/{a}", params={"on": "2023-11-19"})).json()
    assert (then["listed"], then["tier"], then["since"]) == (True, SRDI, "2020-11-20")
    gap = (await fin.get(f"/api/v1/service-list/{a}", params={"on": "2023-11-20"})).json()
    assert (gap["listed"], gap["removed_on"]) == (False, "2023-11-20")


def deliver_directly(suite, data) -> None:
    """One event through finance's own handler, in a transaction of its own (as the bus does)."""
    with suite.db("finance").transaction() as s:
        h.handlers.get(data.subject())(s, registry_event(data))


def announced(suite, uscc) -> list[dict]:
    with suite.db("finance").reader() as s:
        rows = s.scalars(select(Outbox).where(Outbox.subject == "srdi.finance.service_list.changed.v1")
                         .order_by(Outbox.created_at)).all()
    return [d for d in (json.loads(r.payload)["data"] for r in rows) if d["uscc"] == uscc]


async def test_records_out_of_order_and_repeated_through_the_handlers(suite):
    """The registry's events of one enterprise, each carrying the record at its version, reach the
    handlers in random order with repeats: after each one the entry is what the newest record seen
    says, and at the end the newest of all (a national little giant; then its title revoked)."""
    rng = random.Random(13)
    with suite.db("finance").reader() as s:
        history = service.thresholds(s)
    for _ in range(6):
        uscc = make_uscc()
        srdi = cert(1, SRDI, D(2020, 11, 20))  # last valid day 2023-11-19
        giant = cert(2, NLG, D(2025, 3, 15))
        lower = cert(3, "innovative", D(2023, 2, 1))  # recorded last, dated earlier (lapsed 2026-02-01)
        events = [registered(record(uscc, 1)), promoted(record(uscc, 2, srdi), srdi),
                  demoted(record(uscc, 3, srdi), srdi, SRDI, D(2023, 11, 20)),
                  promoted(record(uscc, 4, srdi, giant), giant), added(record(uscc, 5, srdi, giant, lower), lower)]
        deliveries = events + rng.sample(events, 3)
        rng.shuffle(deliveries)
        newest = None
        for data in deliveries:
            deliver_directly(suite, data)
            if newest is None or data.record.version > newest.version:
                newest = data.record
            want = rules.listing_on(newest.certifications, history, today())
            got = await entry(suite, uscc)
            if want.since is None:
                assert got is None, (newest.version, got)
            else:
                assert (got["listed"], got["tier"], got["since"], got["removed_on"]) == (
                    want.listed, want.tier, want.since.isoformat(), want.removed_on and want.removed_on.isoformat())
        e = await entry(suite, uscc)
        assert (e["listed"], e["tier"], e["since"], e["removed_on"]) == (True, NLG, "2025-03-15", None)
        # what the banks were last told is the same
        last = announced(suite, uscc)[-1]
        assert (last["listed"], last["tier"], last["since"]) == (True, NLG, "2025-03-15")

        # the little giant title revoked (version 6), then every older event once more
        gone = cert(2, NLG, D(2025, 3, 15), revoked_on=D(2026, 6, 1))
        told = len(announced(suite, uscc))
        for data in [revoked(record(uscc, 6, srdi, gone, lower), gone)] + rng.sample(events, len(events)):
            deliver_directly(suite, data)
        e = await entry(suite, uscc)
        assert (e["listed"], e["tier"], e["since"], e["removed_on"]) == (False, "sme", "2025-03-15",
                                                                         "2026-06-01")
        assert len(announced(suite, uscc)) == told + 1  # the revocation, announced once; stale ones nothing
        assert announced(suite, uscc)[-1]["listed"] is False


async def test_a_title_lapses_off_the_list_with_no_event_and_no_sweep(suite):
    """A record whose title's last valid day is yesterday, as if nobody had swept: off the list today;
    one whose last day is today: on it today, off it tomorrow."""
    yesterday, now = today() - dt.timedelta(days=1), today()
    lapsed, last_day = make_uscc(), make_uscc()
    for uscc, last in ((lapsed, yesterday), (last_day, now)):
        c = cert(1, SRDI, D(2024, 1, 1), expires_on=last)
        deliver_directly(suite, promoted(record(uscc, 2, c), c))
    fin = suite.client("finance", role="finance")
    e = await entry(suite, lapsed)
    assert (e["listed"], e["removed_on"], e["tier"]) == (False, now.isoformat(), "sme")
    assert (await entry(suite, last_day))["listed"] is True
    tomorrow = (now + dt.timedelta(days=1)).isoformat()
    e = (await fin.get(f"/api/v1/service-list/{last_day}", params={"on": tomorrow})).json()
    assert (e["listed"], e["removed_on"]) == (False, tomorrow)
    listed = {i["uscc"] for i in await all_items(fin)}
    assert last_day in listed and lapsed not in listed
    synced = {i["uscc"]: i for i in await all_items(fin, changed_since=now.isoformat())}
    assert synced[lapsed]["removed_on"] == now.isoformat() and synced[lapsed]["listed"] is False
    r = await suite.client("finance", role="bank", org="B1").post("/api/v1/loans", json={
        "uscc": lapsed, "applied_yuan": 1_000_000, "applied_on": now.isoformat()})
    assert r.status_code == 422 and r.json()["type"].endswith("not-on-service-list")
