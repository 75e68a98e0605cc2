"""The what-if costs every programme (featured park and incubation too) from the facts held, or names
in its answer what it leaves out and why (its own module: a fresh awards database)."""
from services.awards.tests.test_claims import signed
from services.awards.tests.test_flow import awards_of, certify, known, publish_model, register
from shared.contracts.finance import EnterpriseListed
from shared.contracts.parks import IncubateePromoted, ParkDesignated
from shared.testing import make_uscc


async def test_the_what_if_costs_every_programme_and_names_what_it_leaves_out(suite):
    supplier, buyer, moved, listed, incubatee = (make_uscc() for _ in range(5))
    for u in (supplier, buyer, listed, incubatee):
        await register(suite, u)
    await register(suite, moved, relocated_on="2023-05-01", relocated_from_code="130600", relocated_from="河北省保定市",
                   introducer="北京某咨询有限公司")
    for u in (supplier, moved, listed, incubatee):
        await certify(suite, u, "municipal_srdi", "2024-03-01")
    for u in (supplier, moved, listed, incubatee):
        await known(suite, u, 1)
    await known(suite, buyer)
    await signed(suite, "scenario", uscc=supplier, contract_yuan=1_000_000, on="2024-07-01")
    await signed(suite, "ecosystem", uscc=supplier, buyer_uscc=buyer, contract_yuan=1_000_000, on="2024-08-01")
    await publish_model(suite, "park-w", ParkDesignated(park_id="park-w", park_name="测试园区", designation="srdi_featured",
                                                        designated_on="2024-05-01", designation_id=1))
    await publish_model(suite, incubatee, IncubateePromoted(park_id="park-w", uscc=incubatee, to_tier="municipal_srdi",
                                                            recognized_on="2024-03-01", incubation_id=5))
    await publish_model(suite, listed, EnterpriseListed(uscc=listed, board="star", listed_on="2024-09-01"))
    await suite.wait_for(lambda: awards_of(suite, None, program="featured_park"), "the featured-park award")
    await suite.settled()
    assert await awards_of(suite, None, program="incubation") == []  # the amount in force is 0

    period = {"from": "2024-01-01", "to": "2024-12-31"}
    body = {"period": period, "parameters": {"award.incubation.per_enterprise": 80_000}}
    r = await suite.client("awards", role="treasury").post("/api/v1/simulations", json=body)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert set(doc["programs"]) == {"tier", "relocation", "introducer", "scenario", "ecosystem", "listing",
                                    "featured_park", "incubation"}
    proposed, in_force = doc["proposed"]["by_program"], doc["in_force"]["by_program"]
    assert proposed == {"tier": 1_200_000, "relocation": 200_000, "introducer": 200_000, "scenario": 200_000,
                        "ecosystem": 50_000, "featured_park": 3_000_000, "incubation": 80_000}
    assert in_force == {k: v for k, v in proposed.items() if k != "incubation"}  # 0 in force pays nothing
    assert doc["difference"]["by_program"]["incubation"] == 80_000
    assert doc["proposed"]["by_enterprise"]["park-w"] == 3_080_000
    # The listing the finance office recorded has no claim yet: the municipal award is unknown.
    [left] = doc["left_out"]
    assert (left["program"], left["usccs"]) == ("listing", [listed]) and left["reason_zh"] and left["reason_en"]
    # Once claimed, it is costed, and nothing is left out.
    claim = await suite.client("awards").post("/api/v1/claims", json={
        "program": "listing", "uscc": listed, "municipal_award_yuan": 1_000_000, "municipal_award_ref": "京经信〔2024〕7号"})
    assert claim.status_code == 201, claim.text
    doc = (await suite.client("awards", role="auditor").post("/api/v1/simulations", json=body)).json()
    assert doc["proposed"]["by_program"]["listing"] == 1_000_000 and doc["left_out"] == []
    # A period after the designation: the first featured park is not costed again, nor is another.
    later = (await suite.client("awards", role="auditor").post(
        "/api/v1/simulations", json={"period": {"from": "2025-01-01", "to": "2025-12-31"}})).json()
    assert "featured_park" not in later["proposed"]["by_program"]
