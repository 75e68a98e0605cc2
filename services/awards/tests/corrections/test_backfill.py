"""A list from before go-live back-filled into the registry: its titles earn awards recorded as
settled outside the system (系统外已兑付), never payable, outside the ledger's money, but counted as
already paid when a later live promotion is topped up (晋级补差)."""
import datetime as dt

from sqlalchemy import select

from services.awards.tables import LedgerEntry
from services.awards.tests.corrections.history import Enterprise, again, changed_states, footprint, replayed, title
from services.awards.tests.test_flow import awards_of, fund

AGENT = "北京京西科技服务有限公司"


async def test_a_backfilled_history_pays_nothing_and_a_live_promotion_only_the_top_up(suite):
    e = Enterprise(relocated_on=dt.date(2022, 1, 15), relocated_from="河北省保定市", relocated_from_code="130600",
                   introducer=AGENT)
    past = [title("municipal_srdi", "2022-03-01", backfilled=True),
            title("municipal_little_giant", "2023-06-01", backfilled=True),
            title("municipal_srdi", "2024-12-20", backfilled=True)]  # a renewal (复核) in the list too
    sent = [await e.promote(suite, c) for c in past]
    await suite.settled()
    before = await awards_of(suite, e.uscc)
    assert sorted((a["program"], a["amount_yuan"], a["state"]) for a in before) == [
        ("introducer", 200_000, "settled_outside"), ("relocation", 200_000, "settled_outside"),
        ("tier", 200_000, "settled_outside"), ("tier", 300_000, "settled_outside")]
    assert all(a["basis"]["settled_outside"] and "系统外兑付" in a["explanation"] for a in before)
    assert await awards_of(suite, e.uscc, state="computed") == []
    # Never payable: every step of the workflow is refused, in Chinese and English, and changes nothing.
    await fund(suite)
    econ, treasury = suite.client("awards"), suite.client("awards", role="treasury")
    tier = next(a for a in before if a["program"] == "tier" and a["amount_yuan"] == 300_000)
    for client, action, body in ((econ, "review", None), (treasury, "approve", None),
                                 (treasury, "disburse", {"voucher": "BF-1"}), (econ, "reject", {"reason": "x"})):
        r = await client.post(f"/api/v1/awards/{tier['id']}/{action}", json=body)
        assert r.status_code == 409 and "系统外已兑付" in r.json()["detail_zh"] and r.json()["detail_en"], r.text
    # Not the ledger's money, nor the budgets', nor the enterprise's totals in the system.
    with suite.db("awards").reader() as s:
        assert list(s.scalars(select(LedgerEntry).where(LedgerEntry.uscc == e.uscc))) == []
    totals = (await econ.get(f"/api/v1/enterprises/{e.uscc}/awards")).json()
    assert totals["total_yuan"] == 0
    assert changed_states(suite, tier["id"]) == ["settled_outside"]
    # The same list delivered again, and imported again as new events: nothing more.
    mark = footprint(suite, e.uscc)
    for event in sent:
        await again(suite, event)
        await replayed(suite, event)
    await suite.settled()
    assert footprint(suite, e.uscc) == mark and len(await awards_of(suite, e.uscc)) == 4

    # Live: national little giant in 2025 pays 1,000,000 less the 500,000 settled outside.
    live = title("national_little_giant", "2025-08-01")
    await e.promote(suite, live, from_tier="municipal_srdi")
    [top_up] = await suite.wait_for(lambda: awards_of(suite, e.uscc, state="computed"), "the live top-up")
    assert (top_up["amount_yuan"], top_up["tier"]) == (500_000, "national_little_giant")
    assert top_up["basis"]["already_awarded_yuan"] == 500_000
    settled_tier = sorted(a["id"] for a in before if a["program"] == "tier")
    assert sorted(d["award_id"] for d in top_up["basis"]["deductions"]) == settled_tier
    await suite.settled()
    assert len(await awards_of(suite, e.uscc, program="relocation")) == 1  # not paid again
    with suite.db("awards").reader() as s:
        kinds = [x.kind for x in s.scalars(select(LedgerEntry).where(LedgerEntry.uscc == e.uscc))]
    assert kinds == ["top_up"]
    path = f"/api/v1/awards/{top_up['id']}"
    assert (await econ.post(path + "/review")).json()["state"] == "reviewed"
    assert (await treasury.post(path + "/approve")).json()["state"] == "approved"
