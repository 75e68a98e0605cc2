"""An enterprise signed in (its USCC): its own record, its own awards and requests, and requests it
opens for itself; nothing of another enterprise, and none of the district's lists."""
from shared.testing import make_uscc


async def test_an_enterprise_sees_and_acts_for_itself_only(suite):
    own, other = make_uscc(), make_uscc()
    econ = suite.client("registry")
    for u in (own, other):
        assert (await econ.post("/api/v1/enterprises", json={"uscc": u, "name": f"自助企业{u[-4:]}"})).status_code == 201
        r = await econ.post(f"/api/v1/enterprises/{u}/certifications",
                            json={"tier": "municipal_srdi", "recognized_on": "2025-03-01"})
        assert r.status_code == 201, r.text
    await suite.settled()
    me = suite.client("registry", role="enterprise", org=own)
    r = await me.get(f"/api/v1/enterprises/{own}")
    assert r.status_code == 200 and r.json()["uscc"] == own and r.json()["certifications"]
    assert (await me.get(f"/api/v1/enterprises/{other}")).status_code == 404
    assert (await me.get("/api/v1/enterprises")).status_code == 403  # the district's list is not its to read
    assert (await me.get("/api/v1/stats/tiers")).status_code == 403

    # Requests: opened for itself (routed as any), refused for another, listed its own only.
    body = {"uscc": own, "category": "finance", "summary": "申请首贷对接"}
    r = await me.post("/api/v1/service-requests", json=body)
    assert r.status_code == 201, r.text
    mine = r.json()
    r = await me.post("/api/v1/service-requests", json={**body, "uscc": other})
    assert r.status_code == 403 and r.json()["errors"][0]["loc"] == ["body", "uscc"]
    assert (await econ.post("/api/v1/service-requests", json={**body, "uscc": other})).status_code == 201
    listed = (await me.get("/api/v1/service-requests")).json()["items"]
    assert [x["id"] for x in listed] == [mine["id"]]
    r = await me.post(f"/api/v1/service-requests/{mine['id']}/transition", json={"state": "resolved", "note": "自己办结"})
    assert r.status_code == 403  # the owning department resolves it

    # Awards: its own (paid to it), never another's.
    awards = suite.client("awards", role="enterprise", org=own)
    items = (await awards.get("/api/v1/awards")).json()["items"]
    assert items and {a["payee"] for a in items} == {own}
    others = (await suite.client("awards").get("/api/v1/awards", params={"uscc": other})).json()["items"]
    assert (await awards.get(f"/api/v1/awards/{others[0]['id']}")).status_code == 404
    assert (await awards.get("/api/v1/awards/totals")).json()["count"] == len(items)
    assert (await awards.post(f"/api/v1/awards/{items[0]['id']}/review")).status_code == 403


async def test_the_registrys_batch_lookup_by_uscc(suite):
    """`GET /enterprises?uscc=…` (repeated, at most 100): the portal's names for a page of codes in one call."""
    firms = [make_uscc() for _ in range(3)]
    econ = suite.client("registry")
    for u in firms:
        assert (await econ.post("/api/v1/enterprises", json={"uscc": u, "name": f"批量{u[-4:]}"})).status_code == 201
    unknown = make_uscc()
    r = await econ.get("/api/v1/enterprises", params=[("uscc", u) for u in [*firms, unknown]])
    assert r.status_code == 200 and sorted(e["uscc"] for e in r.json()["items"]) == sorted(firms)
    assert (await econ.get("/api/v1/enterprises", params=[("uscc", make_uscc()) for _ in range(101)])).status_code == 422
    assert (await econ.get("/api/v1/enterprises", params={"uscc": "X" * 19})).status_code == 422
    # scoped as every read: an enterprise finds only itself
    me = suite.client("registry", role="enterprise", org=firms[0])
    assert (await me.get("/api/v1/enterprises", params=[("uscc", u) for u in firms])).status_code == 403
