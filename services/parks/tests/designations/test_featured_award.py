"""Designations end to end (its own module: a fresh awards database): however many parks are
designated, even at the same moment, the awards service pays the featured-park award once; and
the services dimension of the assessment counts the park's service records."""
import asyncio

from services.parks.tests.helpers import enterprise_in, new_park
from shared.testing import make_uscc


def featured(on="2025-06-30"):
    return {"designation": "srdi_featured", "designated_on": on, "reason": "区政府决定"}


async def featured_awards(suite):
    r = await suite.client("awards").get("/api/v1/awards", params={"program": "featured_park"})
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def test_two_parks_designated_at_once_get_one_award(suite):
    econ = suite.client("parks")
    a, b = await new_park(suite), await new_park(suite)
    assert await featured_awards(suite) == []
    both = await asyncio.gather(*(econ.post(f"/api/v1/parks/{p['id']}/designations", json=featured())
                                  for p in (a, b)))
    assert [r.status_code for r in both] == [201, 201], [r.text for r in both]

    async def one_award():
        return len(await featured_awards(suite)) == 1
    await suite.wait_for(one_award, "the featured-park award")
    # and the same park designated twice at once: one designation, one event
    c = await new_park(suite)
    twice = await asyncio.gather(*(econ.post(f"/api/v1/parks/{c['id']}/designations", json=featured())
                                   for _ in range(2)))
    assert sorted(r.status_code for r in twice) == [201, 409], [r.text for r in twice]
    await suite.settled()
    [award] = await featured_awards(suite)
    assert award["amount_yuan"] == 3_000_000 and award["payee"] in {a["id"], b["id"]}, award
    designated = [(await econ.get(f"/api/v1/parks/{p['id']}/designations")).json()["items"] for p in (a, b, c)]
    assert [len(d) for d in designated] == [1, 1, 1]


async def test_the_services_dimension_counts_the_parks_service_records(suite):
    econ = suite.client("parks")
    park, other = await new_park(suite), await new_park(suite)
    member, second = await enterprise_in(suite, park["id"]), await enterprise_in(suite, park["id"])
    await suite.settled()
    imd = (await econ.post("/api/v1/intermediaries", json={"name": f"服务机构-{park['id']}"})).json()
    path = f"/api/v1/intermediaries/{imd['id']}/services"
    for body in ({"uscc": second, "served_on": "2025-03-01", "category": "ip", "park_id": park["id"]},
                 {"uscc": member, "served_on": "2025-04-01", "category": "finance"},  # no park: its member's
                 {"uscc": make_uscc(), "served_on": "2025-04-01", "category": "finance"},  # neither
                 {"uscc": make_uscc(), "served_on": "2025-04-02", "category": "ip", "park_id": park["id"]},  # not its firm
                 {"uscc": second, "served_on": "2025-05-01", "category": "ip", "park_id": other["id"]},
                 {"uscc": second, "served_on": "2024-12-31", "category": "ip", "park_id": park["id"]}):
        assert (await econ.post(path, json=body)).status_code == 201
    result = (await econ.get(f"/api/v1/parks/{park['id']}/assessment", params={"year": 2025})).json()
    [dim] = [d for d in result["dimensions"] if d["dimension"] == "services_delivered"]
    assert (dim["measure"], dim["value"], dim["records"], dim["weight"], dim["points"]) == ("services", 2, 2, 0, 0)
    assert member in dim["enterprises"] and dim["param"]["effective_from"] == "2022-01-01"
    assert result["max_score"] == 100  # weight 0 until the district sets one
    early = (await econ.get(f"/api/v1/parks/{park['id']}/assessment", params={"on": "2025-03-31"})).json()
    assert [d["value"] for d in early["dimensions"] if d["dimension"] == "services_delivered"] == [1]
