"""The showcase: Chinese partial-word search, interest, ecosystem contracts between district enterprises."""
from services.outreach import rules
from services.outreach.tests.helpers import district_enterprise, stream_events
from shared.testing import make_uscc


def product(uscc, **over):
    return {"uscc": uscc, "name": "新型储能系统", "kind": "product", "category": "新能源",
            "maturity": "mass_production", "certifications": ["CE", "国家重点新产品"],
            "references": ["房山区某数据中心"], "description": "磷酸铁锂电池储能集装箱，支持峰谷套利", **over}


def test_normalise_and_terms():
    assert rules.normalise("新型 储能系统", ["ＡＢＣ"]) == "新型储能系统|abc"
    assert rules.search_terms(" 储能  ＣＥ ") == ["储能", "ce"]
    assert rules.like_pattern("50%_x") == "%50\\%\\_x%"


async def test_search_finds_chinese_partial_words(suite):
    econ = suite.client("outreach")
    u = await district_enterprise(suite)
    ids = {}
    for name, cat, desc in (("新型储能系统", "新能源", "磷酸铁锂电池储能集装箱"),
                            ("工业机器人减速器", "智能制造", "谐波减速器，精度 1 弧分"),
                            ("氢燃料电池电堆", "新能源", "100% 国产化膜电极")):
        r = await econ.post("/api/v1/products", json=product(u, name=name, category=cat, description=desc))
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]

    async def found(q, **params):
        r = await econ.get("/api/v1/products", params={"q": q, **params})
        assert r.status_code == 200, r.text
        return {i["name"] for i in r.json()["items"] if i["id"] in ids.values()}

    assert await found("储能") == {"新型储能系统"}
    assert await found("储能 集装箱") == {"新型储能系统"}
    assert await found("电池") == {"新型储能系统", "氢燃料电池电堆"}
    assert await found("减速") == {"工业机器人减速器"}
    assert await found("新能源", maturity="mass_production") == {"新型储能系统", "氢燃料电池电堆"}
    assert await found("国家重点") == {"新型储能系统", "工业机器人减速器", "氢燃料电池电堆"}
    assert await found("100%") == {"氢燃料电池电堆"}
    assert await found("1%") == set()  # LIKE wildcards in the query are literal
    assert await found("_") == set()
    assert await found("太阳能") == set()
    assert await found("储能", category="智能制造") == set()
    r = await econ.get("/api/v1/products", params={"q": "x" * 101})
    assert r.status_code == 422


async def test_product_and_interest_validation(suite):
    econ = suite.client("outreach")
    assert (await econ.post("/api/v1/products", json=product(make_uscc()))).status_code == 422
    u = await district_enterprise(suite)
    buyer = await district_enterprise(suite)
    assert (await econ.post("/api/v1/products", json=product(u, maturity="nope"))).status_code == 422
    assert (await econ.post("/api/v1/products", json=product(u, certifications="CE"))).status_code == 422
    assert (await suite.client("outreach", role="park", org="P1").post("/api/v1/products",
                                                                       json=product(u))).status_code == 403
    p = (await econ.post("/api/v1/products", json=product(u))).json()
    assert (await econ.post(f"/api/v1/products/{p['id']}/interests", json={})).status_code == 422
    assert (await econ.post(f"/api/v1/products/{p['id']}/interests",
                            json={"buyer_uscc": u})).status_code == 422  # its own product
    assert (await econ.post(f"/api/v1/products/{p['id']}/interests",
                            json={"buyer_uscc": make_uscc()})).status_code == 422
    assert (await econ.post("/api/v1/products/2147483647/interests",
                            json={"buyer_department": "区水务局"})).status_code == 404
    platform = suite.client("outreach", role="platform")
    r = await platform.post(f"/api/v1/products/{p['id']}/interests", json={"buyer_uscc": buyer, "note": "询价"})
    assert r.status_code == 201, r.text
    r = await econ.post(f"/api/v1/products/{p['id']}/interests", json={"buyer_department": "区水务局"})
    assert r.status_code == 201
    got = (await econ.get(f"/api/v1/products/{p['id']}")).json()
    assert [i["buyer_uscc"] for i in got["interests"]] == [buyer, None]


async def test_ecosystem_contract(suite):
    econ = suite.client("outreach")
    supplier = await district_enterprise(suite)
    buyer = await district_enterprise(suite)
    p = (await econ.post("/api/v1/products", json=product(supplier))).json()
    body = {"supplier_uscc": supplier, "buyer_uscc": buyer, "product_id": p["id"], "contract_yuan": 1_200_000,
            "signed_on": "2026-04-01", "evidence": "采购合同 CG-7"}
    outsider = make_uscc()
    for bad, field in (({"buyer_uscc": outsider}, "buyer_uscc"), ({"supplier_uscc": outsider}, "supplier_uscc")):
        r = await econ.post("/api/v1/contracts", json={**body, **bad, "product_id": None})
        assert r.status_code == 422 and r.json()["type"].endswith("not-in-registry"), r.text
        assert r.json()["errors"][0]["loc"] == ["body", field]
    assert (await econ.post("/api/v1/contracts", json={**body, "buyer_uscc": supplier})).status_code == 422
    assert (await econ.post("/api/v1/contracts",
                            json={**body, "supplier_uscc": buyer, "buyer_uscc": supplier})).status_code == 422
    assert (await econ.post("/api/v1/contracts", json={**body, "contract_yuan": -5})).status_code == 422
    assert (await suite.client("outreach", role="platform").post("/api/v1/contracts", json=body)).status_code == 403
    r = await econ.post("/api/v1/contracts", json=body, headers={"Idempotency-Key": "eco-1"})
    assert r.status_code == 201, r.text
    c = r.json()
    r2 = await econ.post("/api/v1/contracts", json=body, headers={"Idempotency-Key": "eco-1"})
    assert r2.json()["id"] == c["id"]
    # The same contract typed in again (no Idempotency-Key) is refused: it would raise a second claim.
    r3 = await econ.post("/api/v1/contracts", json={**body, "contract_yuan": 1_300_000})
    assert r3.status_code == 409 and r3.json()["type"].endswith("duplicate-contract"), r3.text
    assert r3.json()["contract_id"] == c["id"] and r3.json()["detail_zh"] and r3.json()["detail_en"]
    # ... also when typed another way: full-width forms, lower case, extra spaces.
    r4 = await econ.post("/api/v1/contracts", json={**body, "evidence": " 采购合同  ｃｇ－７ "})
    assert r4.status_code == 409 and r4.json()["contract_id"] == c["id"], r4.text
    assert c["evidence"] == "采购合同 CG-7"
    # Racing copies: exactly one is recorded.
    import asyncio
    race = {**body, "evidence": "采购合同 CG-8"}
    rs = await asyncio.gather(*(econ.post("/api/v1/contracts", json=race) for _ in range(6)))
    assert sorted(r.status_code for r in rs) == [201] + [409] * 5, [r.text for r in rs]
    # Another contract of the same parties (another number) is its own contract.
    other = await econ.post("/api/v1/contracts", json={**body, "evidence": "采购合同 CG-9"})
    assert other.status_code == 201, other.text
    await suite.settled()
    mine = [e for e in await stream_events(suite) if e["contract_id"] == c["id"] and e["kind"] == "ecosystem"]
    assert mine == [{"contract_id": c["id"], "kind": "ecosystem", "uscc": supplier, "buyer_uscc": buyer,
                     "scenario_id": None, "proposal_id": None, "contract_yuan": 1_200_000, "signed_on": "2026-04-01",
                     "evidence": "采购合同 CG-7"}]
    listed = (await econ.get("/api/v1/contracts", params={"kind": "ecosystem", "uscc": supplier})).json()["items"]
    assert [i["id"] for i in listed] == [c["id"], rs[[r.status_code for r in rs].index(201)].json()["id"],
                                         other.json()["id"]]
    ours = [e for e in await stream_events(suite) if e["uscc"] == supplier]
    assert len(ours) == 3  # one event per recorded contract, none for the refused copies
