"""An enterprise's liaison (role enterprise, org = its USCC) nominates on its own quotas, reads
only its own quotas and nominations (IDs masked), withdraws its own, and decides nothing."""
from services.talent.tests.support import available, body, enterprise_with_quotas
from shared.testing import make_resident_id


async def test_a_liaison_nominates_and_withdraws_only_for_its_own_enterprise(suite):
    mine, theirs = await enterprise_with_quotas(suite), await enterprise_with_quotas(suite)
    liaison = suite.client("talent", role="enterprise", org=mine)
    number = make_resident_id("19900101", 321)

    r = await liaison.post("/api/v1/nominations", json=body(mine, id_number=number))
    assert r.status_code == 201, r.text
    n = r.json()
    assert n["person"]["id_number"] == n["person"]["id_number_masked"] != number  # masked even to its author
    assert await available(suite, mine) == 0

    # Another enterprise's quota: refused, and nothing is used.
    r = await liaison.post("/api/v1/nominations", json=body(theirs))
    assert r.status_code == 403 and r.json()["type"].endswith("not-your-enterprise")
    assert await available(suite, theirs) == 1

    # Reads are its own enterprise's only, whatever it asks for.
    q = (await liaison.get("/api/v1/quotas")).json()["items"]
    assert q and {x["uscc"] for x in q} == {mine}
    assert (await liaison.get("/api/v1/quotas", params={"uscc": theirs})).json()["items"] == []
    other = (await suite.client("talent", role="talent").post("/api/v1/nominations", json=body(theirs))).json()
    assert [x["id"] for x in (await liaison.get("/api/v1/nominations")).json()["items"]] == [n["id"]]
    assert (await liaison.get("/api/v1/nominations", params={"uscc": theirs})).json()["items"] == []
    assert (await liaison.get(f"/api/v1/nominations/{n['id']}")).json()["person"]["id_number"] != number
    assert (await liaison.get(f"/api/v1/nominations/{other['id']}")).status_code == 404
    assert (await liaison.post(f"/api/v1/nominations/{other['id']}/withdraw")).status_code == 404

    # It decides nothing; it may withdraw its own, which gives the quota back.
    for action in ("review", "recommend", "approve"):
        assert (await liaison.post(f"/api/v1/nominations/{n['id']}/{action}")).status_code == 403
    assert (await liaison.get("/api/v1/reports/quotas")).status_code == 403
    r = await liaison.post(f"/api/v1/nominations/{n['id']}/withdraw")
    assert r.status_code == 200 and r.json()["state"] == "withdrawn"
    assert await available(suite, mine) == 1 and await available(suite, theirs) == 0


async def test_a_liaison_is_no_one_elsewhere(suite):
    mine = await enterprise_with_quotas(suite)
    for service, path in (("registry", "/api/v1/enterprises"), ("finance", "/api/v1/service-list"),
                          ("parks", "/api/v1/parks")):
        r = await suite.client(service, role="enterprise", org=mine).get(path)
        assert r.status_code == 403, (service, r.text)
    # awards answers an enterprise its own awards only (its portal page), nobody else's
    r = await suite.client("awards", role="enterprise", org=mine).get("/api/v1/awards")
    assert r.status_code == 200 and {a["payee"] for a in r.json()["items"]} <= {mine}


def test_a_liaison_token_names_a_valid_enterprise():
    import pytest

    from shared.auth import issue_token
    from shared.testing import SECRET, make_uscc, wrong_check
    assert issue_token(SECRET, "enterprise", make_uscc())
    for org in (None, "", wrong_check(make_uscc())):
        with pytest.raises(ValueError):
            issue_token(SECRET, "enterprise", org)
