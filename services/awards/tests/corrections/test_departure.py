"""An enterprise that moved out or closed: its unpaid awards (and its introducer's) are withheld with
the reason; a paid one stays paid; nothing new is awarded for a fact dated on or after it left, and an
award for an earlier fact that arrives later is withheld at once."""
import datetime as dt

from sqlalchemy import select

from services.awards.tables import LedgerEntry
from services.awards.tests.corrections.history import Enterprise, again, changed_states, footprint, replayed, title
from services.awards.tests.test_claims import signed
from services.awards.tests.test_flow import awards_of, fund
from shared import clock
from shared.contracts.registry import EnterpriseDeparted, EnterpriseRecorded
from shared.tables import AuditLog

WHY = "整体迁往河北省涿州市"


def refusals(suite, action: str, code: str) -> int:
    with suite.db("awards").reader() as s:
        return sum(1 for a in s.scalars(select(AuditLog).where(AuditLog.action == action)) if a.after["code"] == code)


async def test_departure_withholds_unpaid_awards_and_stops_new_ones(suite):
    e = Enterprise(relocated_on=dt.date(2023, 5, 1), relocated_from="河北省保定市", relocated_from_code="130600",
                   introducer="北京某咨询有限公司")
    await e.promote(suite, title("municipal_srdi", "2024-03-01"))
    awards = {a["program"]: a for a in await suite.wait_for(lambda: awards_of(suite, e.uscc), "the awards")}
    assert set(awards) == {"tier", "relocation", "introducer"}
    await fund(suite)
    await fund(suite, "relocation")
    econ, treasury = suite.client("awards"), suite.client("awards", role="treasury")
    for program in ("tier", "relocation"):
        path = f"/api/v1/awards/{awards[program]['id']}"
        assert (await econ.post(path + "/review")).status_code == 200
        assert (await treasury.post(path + "/approve")).status_code == 200
    paid = f"/api/v1/awards/{awards['relocation']['id']}"
    assert (await treasury.post(paid + "/disburse", json={"voucher": f"D-{e.uscc}"})).status_code == 200

    e.facts |= {"status": "moved_out", "status_on": dt.date(2025, 10, 31)}
    departed = await e.send(suite, EnterpriseDeparted, on=dt.date(2025, 10, 31), reason=WHY)

    async def withheld():
        return {a["program"]: a for a in await awards_of(suite, e.uscc, state="withheld")}
    held = await suite.wait_for(lambda: withheld(), "the unpaid awards withheld")
    assert set(held) == {"tier", "introducer"}
    assert all(a["flag"] == "enterprise_departed" and WHY in a["flag_reason"] for a in held.values())
    assert (await awards_of(suite, e.uscc, program="relocation"))[0]["state"] == "disbursed"
    tier = f"/api/v1/awards/{awards['tier']['id']}"
    r = await treasury.post(tier + "/disburse", json={"voucher": "late"})
    assert r.status_code == 409 and "迁出" in r.json()["detail_zh"] and "withheld" in r.json()["detail_en"]
    with suite.db("awards").reader() as s:
        kinds = [x.kind for x in s.scalars(select(LedgerEntry).where(LedgerEntry.award_id == awards["tier"]["id"])
                                           .order_by(LedgerEntry.id))]
    assert kinds == ["awarded", "reserved", "released", "reversed"]  # its reservation released
    assert changed_states(suite, awards["introducer"]["id"]) == ["computed", "withheld"]
    mark = footprint(suite, e.uscc)
    await again(suite, departed)
    await replayed(suite, departed)
    await suite.settled()
    assert footprint(suite, e.uscc) == mark

    # A title recognised after it left earns nothing; one recognised before, arriving late, is withheld.
    refused = refusals(suite, "award.refused", "departed")
    await e.promote(suite, title("national_little_giant", "2025-11-15"), from_tier="municipal_srdi")
    await suite.settled()
    assert refusals(suite, "award.refused", "departed") == refused + 1
    assert await awards_of(suite, e.uscc, state="computed") == []
    await e.promote(suite, title("municipal_little_giant", "2025-06-01"), from_tier="municipal_srdi")

    async def late():
        return [a for a in await awards_of(suite, e.uscc, program="tier") if a["tier"] == "municipal_little_giant"]
    [top_up] = await suite.wait_for(late, "the earlier title's award")
    assert (top_up["amount_yuan"], top_up["state"]) == (200_000, "withheld")
    assert changed_states(suite, top_up["id"]) == ["computed", "withheld"]
    # Claims likewise: a contract signed while it was here is recorded and withheld; one after, refused.
    before = refusals(suite, "award.claim_refused", "departed")
    await signed(suite, "scenario", uscc=e.uscc, on="2025-06-10", contract_yuan=1_000_000)
    await signed(suite, "scenario", uscc=e.uscc, on=str(min(clock.today(), dt.date(2025, 12, 1))),
                 contract_yuan=1_000_000, scenario_id=8)
    assert [a["state"] for a in await awards_of(suite, e.uscc, program="scenario")] == ["withheld"]
    assert refusals(suite, "award.claim_refused", "departed") > before


async def test_a_record_showing_it_closed_withholds_whatever_event_carries_it(suite):
    e = Enterprise()
    await e.promote(suite, title("municipal_srdi", "2024-03-01"))
    [award] = await suite.wait_for(lambda: awards_of(suite, e.uscc), "the award")
    e.facts |= {"status": "closed", "status_on": dt.date(2026, 1, 15)}
    await e.send(suite, EnterpriseRecorded)

    async def withheld():
        return (await awards_of(suite, e.uscc))[0]["state"] == "withheld"
    await suite.wait_for(withheld, "the award withheld")
    detail = (await suite.client("awards", role="treasury").get(f"/api/v1/awards/{award['id']}")).json()
    assert "注销" in detail["history"][-1]["reason"] and detail["flag"] == "enterprise_departed"
