"""A certification entered by mistake and voided (作废): unlike a revocation it never counted. The
awards resting on it that are not yet paid are withdrawn (a reservation released), a paid one is
flagged for the treasury, one settled outside is withdrawn; the rest is decided again."""
from sqlalchemy import select

from services.awards.tables import LedgerEntry
from services.awards.tests.corrections.history import Enterprise, again, changed_states, footprint, replayed, title
from services.awards.tests.test_flow import awards_of, fund
from shared import clock
from shared.contracts.registry import CertificationVoided

WHY = "误将培育库企业录为北京市专精特新"


async def void(suite, e: Enterprise, cert):
    voided = e.replace(cert, state="voided")
    return await e.send(suite, CertificationVoided, certification_id=voided.id, tier=voided.tier,
                        recognized_on=voided.recognized_on, reason=WHY)


async def budgets(suite):
    r = await suite.client("awards").get(f"/api/v1/budgets/{clock.today().year}")
    return {i["program"]: i for i in r.json()["items"]}


async def test_unpaid_awards_are_withdrawn_and_the_top_up_completed(suite):
    e = Enterprise()
    wrong, right = title("municipal_srdi", "2024-03-01"), title("municipal_little_giant", "2024-10-01")
    promoted = await e.promote(suite, wrong)
    await e.promote(suite, right, from_tier="municipal_srdi")

    async def both():
        a = await awards_of(suite, e.uscc)
        return a if len(a) == 2 else None
    first, top_up = await suite.wait_for(both, "the awards")
    assert (first["amount_yuan"], top_up["amount_yuan"]) == (300_000, 200_000)
    await fund(suite)
    path = f"/api/v1/awards/{first['id']}"
    assert (await suite.client("awards").post(path + "/review")).status_code == 200
    assert (await suite.client("awards", role="treasury").post(path + "/approve")).status_code == 200
    reserved = (await budgets(suite))["tier"]["reserved_yuan"]

    event = await void(suite, e, wrong)

    async def withdrawn():
        return (await awards_of(suite, e.uscc, state="withdrawn"))
    [gone] = await suite.wait_for(withdrawn, "the award withdrawn")
    assert gone["id"] == first["id"] and gone["flag"] == "certification_voided" and WHY in gone["flag_reason"]
    assert WHY in gone["explanation"]
    detail = (await suite.client("awards", role="auditor").get(path)).json()
    assert [h["to_state"] for h in detail["history"]] == ["computed", "reviewed", "approved", "withdrawn"]
    assert WHY in detail["history"][-1]["reason"]
    assert (await budgets(suite))["tier"]["reserved_yuan"] == reserved - 300_000
    with suite.db("awards").reader() as s:
        kinds = [x.kind for x in s.scalars(select(LedgerEntry).where(LedgerEntry.award_id == first["id"])
                                           .order_by(LedgerEntry.id))]
    assert kinds == ["awarded", "reserved", "released", "reversed"]
    assert changed_states(suite, first["id"]) == ["computed", "reviewed", "approved", "withdrawn"]
    # The little giant title was the first: its top-up deducted an award that never should have been,
    # so it is completed to the full 500,000 (as after a revocation for cause).
    await suite.settled()
    standing = await awards_of(suite, e.uscc, state="computed")
    assert sorted(a["amount_yuan"] for a in standing) == [200_000, 300_000]
    made_good = next(a for a in standing if a["id"] != top_up["id"])
    assert made_good["basis"]["made_good"] == {"earned_yuan": 500_000, "accounted_yuan": 200_000}
    assert "认定作废" in made_good["explanation"]
    assert (await suite.client("awards").post(path + "/review")).status_code == 409
    # The same void again, and as a new event; the promotion of the voided title again: nothing more.
    mark = footprint(suite, e.uscc)
    await again(suite, event)
    await replayed(suite, event)
    await replayed(suite, promoted)
    await suite.settled()
    assert footprint(suite, e.uscc) == mark and len(await awards_of(suite, e.uscc)) == 3


async def test_a_paid_award_is_flagged_for_the_treasury_and_nothing_paid_twice(suite):
    e = Enterprise()
    wrong, right = title("municipal_srdi", "2024-03-01"), title("municipal_little_giant", "2024-10-01")
    await e.promote(suite, wrong)
    [paid] = await suite.wait_for(lambda: awards_of(suite, e.uscc), "the award")
    await fund(suite)
    econ, treasury = suite.client("awards"), suite.client("awards", role="treasury")
    path = f"/api/v1/awards/{paid['id']}"
    await econ.post(path + "/review")
    await treasury.post(path + "/approve")
    assert (await treasury.post(path + "/disburse", json={"voucher": f"V-{e.uscc}"})).status_code == 200
    await e.promote(suite, right, from_tier="municipal_srdi")
    await suite.wait_for(lambda: awards_of(suite, e.uscc, state="computed"), "the top-up")
    event = await void(suite, e, wrong)

    async def flagged():
        return await awards_of(suite, e.uscc, flag="certification_voided")
    [one] = await suite.wait_for(flagged, "the paid award flagged")
    assert (one["id"], one["state"]) == (paid["id"], "disbursed")
    assert "请财政核处" in one["flag_reason"] and WHY in one["explanation"]
    treasury_view = await awards_of(suite, None, role="treasury", state="disbursed", flag="certification_voided")
    assert paid["id"] in [a["id"] for a in treasury_view]
    await suite.settled()
    # The money is out: the top-up is not completed meanwhile (the treasury settles the paid award).
    assert sorted(a["amount_yuan"] for a in await awards_of(suite, e.uscc)) == [200_000, 300_000]
    # The flag is announced (the state unchanged).
    assert changed_states(suite, paid["id"]) == ["computed", "reviewed", "approved", "disbursed", "disbursed"]
    mark = footprint(suite, e.uscc)
    await again(suite, event)
    await replayed(suite, event)
    await suite.settled()
    assert footprint(suite, e.uscc) == mark


async def test_an_award_settled_outside_is_withdrawn(suite):
    e = Enterprise()
    wrong = title("municipal_srdi", "2022-05-01", backfilled=True)
    await e.promote(suite, wrong)
    [settled] = await suite.wait_for(lambda: awards_of(suite, e.uscc), "the award settled outside")
    assert settled["state"] == "settled_outside"
    await void(suite, e, wrong)

    async def withdrawn():
        return (await awards_of(suite, e.uscc))[0]["state"] == "withdrawn"
    await suite.wait_for(withdrawn, "the settled award withdrawn")
    with suite.db("awards").reader() as s:  # it never was the ledger's money, nor is its withdrawal
        assert list(s.scalars(select(LedgerEntry).where(LedgerEntry.uscc == e.uscc))) == []
    assert changed_states(suite, settled["id"]) == ["settled_outside", "withdrawn"]
