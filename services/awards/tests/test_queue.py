"""The award queue at scale: sorted pages by amount walked with their cursors, and the totals line of
a filter (the portal's queue shows both)."""
from services.awards.tests.test_flow import certify, register
from shared.testing import make_uscc

AWARDS = "/api/v1/awards"


async def walk(client, **query) -> list[dict]:
    items, cursor = [], None
    while True:
        r = await client.get(AWARDS, params={**query, "limit": 2, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if not cursor:
            return items


async def test_pages_by_amount_and_the_totals_of_a_filter(suite):
    firms = [make_uscc() for _ in range(5)]
    for uscc, tier in zip(firms, ["municipal_srdi", "municipal_little_giant", "national_little_giant",
                                  "municipal_srdi", "municipal_little_giant"], strict=True):
        await register(suite, uscc)
        await certify(suite, uscc, tier, "2024-03-01")
    await suite.settled()
    econ = suite.client("awards")
    ours = lambda items: [a for a in items if a["uscc"] in firms]  # noqa: E731 - the module's suite is shared
    by_id = ours(await walk(econ, program="tier"))
    assert len(by_id) == 5 and [a["id"] for a in by_id] == sorted(a["id"] for a in by_id)
    for sort, reverse in (("-amount", True), ("amount", False)):
        walked = ours(await walk(econ, program="tier", sort=sort))
        assert [a["id"] for a in walked] == [a["id"] for a in sorted(
            by_id, key=lambda a: (-a["amount_yuan"] if reverse else a["amount_yuan"], a["id"]))], sort

    everything = await walk(econ, program="tier", state="computed")
    r = await econ.get(f"{AWARDS}/totals", params={"program": "tier", "state": "computed"})
    assert r.status_code == 200, r.text
    assert r.json() == {"count": len(everything), "amount_yuan": sum(a["amount_yuan"] for a in everything)}
    r = await econ.get(f"{AWARDS}/totals", params={"uscc": firms[2]})
    assert r.json() == {"count": 1, "amount_yuan": ours(by_id)[2]["amount_yuan"]}
    # A park's totals count only what is paid to it; bad input is a problem, not a 500.
    r = await suite.client("awards", role="park", org="park-nobody").get(f"{AWARDS}/totals", params={"program": "tier"})
    assert r.json() == {"count": 0, "amount_yuan": 0}
    assert (await econ.get(AWARDS, params={"sort": "size"})).status_code == 422
    assert (await econ.get(AWARDS, params={"sort": "-amount", "cursor": "bm9wZQ"})).status_code == 422
    for sort in ("id", "amount"):  # an empty cursor is the first page (found by the fuzz test: it was a 500)
        assert (await econ.get(AWARDS, params={"sort": sort, "cursor": ""})).status_code == 200
    assert (await econ.get(f"{AWARDS}/totals", params={"state": "lost"})).status_code == 422
    assert (await suite.client("awards", role="talent").get(f"{AWARDS}/totals")).status_code == 403
    # several states at once (a treasurer's queue: reviewed and approved)
    r = await econ.get(f"{AWARDS}/totals", params=[("program", "tier"), ("state", "computed"), ("state", "reviewed")])
    assert r.json()["count"] >= len(everything)
    many = await walk(econ, program="tier", state=["computed", "reviewed"])
    assert {a["state"] for a in many} <= {"computed", "reviewed"} and len(many) == r.json()["count"]
