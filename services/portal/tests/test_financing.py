"""The financial office's programme pages: matchmaking events (政银企对接) recorded by the office and read
by the banks that attended, each bank seeing only its own events and cases; the listing pipeline
(上市培育) recorded stage by stage. Bad input and the finance service's refusals are said beside the
field with 422 and nothing recorded."""
from __future__ import annotations

from services.portal.tests.helpers import promote
from services.portal.tests.test_words import no_raw_code
from shared.testing import make_uscc


async def test_the_office_records_a_matchmaking_event_and_each_bank_sees_only_its_own(portal, suite):
    u = make_uscc()
    await promote(suite, u, name="北京对接门户测试有限公司")
    fin = suite.client("finance", role="finance")
    before = len((await fin.get("/api/v1/matchmaking-events", params={"limit": 500})).json()["items"])
    await portal.login("finance")
    page = (await portal.http.get("/matchmaking")).text
    assert "登记对接活动" in page and 'href="/matchmaking"' in page
    bad = u[:-1] + ("0" if u[-1] != "0" else "1")
    r = await portal.post("/matchmaking", {"title": "", "held_on": "2025-06-18", "enterprises": bad},
                          page="/matchmaking")
    assert r.status_code == 422, r.text
    assert 'id="title-error"' in r.text and 'id="banks-error"' in r.text and 'id="enterprises-error"' in r.text
    assert "统一社会信用代码无效" in r.text and bad in r.text
    r = await portal.post("/matchmaking", {"title": "对接会", "held_on": "2999-01-01", "banks": "BOB"},
                          page="/matchmaking")  # a date ahead: the finance service refuses, said on the form
    assert r.status_code == 422 and 'id="form-error"' in r.text and "对接会" in r.text
    assert len((await fin.get("/api/v1/matchmaking-events", params={"limit": 500})).json()["items"]) == before

    r = await portal.post("/matchmaking", {"title": "房山区专精特新政银企对接会", "held_on": "2025-06-18",
                                           "venue": "区政务服务中心", "banks": "BOB", "enterprises": u,
                                           "form_id": "m1"}, page="/matchmaking")
    assert r.status_code == 303, r.text
    event = int(r.headers["location"].rsplit("-", 1)[1])
    got = (await fin.get(f"/api/v1/matchmaking-events/{event}")).json()
    assert (got["banks"], got["enterprises"], got["venue"]) == (["BOB"], [u], "区政务服务中心")
    bob = suite.client("finance", role="bank", org="BOB")
    r = await bob.post("/api/v1/loans", json={"uscc": u, "applied_yuan": 3_000_000, "applied_on": "2025-06-20",
                                              "matchmaking_event_id": event})
    assert r.status_code == 201, r.text
    loan = r.json()["id"]
    page = (await portal.http.get("/matchmaking")).text
    assert f'id="event-{event}"' in page and "北京对接门户测试有限公司" in page and u in page and "北京银行" in page
    assert "300 万元" in page
    no_raw_code(page, "/matchmaking")
    r = await portal.http.post("/matchmaking", data={"title": "伪造", "held_on": "2025-06-18", "banks": "BOB",
                                                      "csrf_token": "forged"})
    assert r.status_code == 403 and "表单校验失败" in r.text

    await portal.login("bank", "BOB")
    page = (await portal.http.get("/matchmaking")).text
    assert f'id="event-{event}"' in page and f'href="/loans/{loan}"' in page and "登记对接活动" not in page
    r = await portal.post("/matchmaking", {"title": "银行自办", "held_on": "2025-06-18", "banks": "BOB"},
                          page="/matchmaking")
    assert r.status_code == 403
    await portal.login("bank", "ICBC")  # did not attend: sees neither the event nor the case
    page = (await portal.http.get("/matchmaking")).text
    assert f'id="event-{event}"' not in page and f'href="/loans/{loan}"' not in page
    assert (await portal.http.get("/listings")).status_code == 403  # the pipeline is not a bank's


async def test_the_office_records_listing_stages_in_order(portal, suite):
    u = make_uscc()
    await promote(suite, u, name="北京上市门户测试有限公司")
    await portal.login("finance")
    page = (await portal.http.get("/listings"))
    assert page.status_code == 200 and "登记上市进展" in page.text
    r = await portal.post("/listings", {"uscc": "123", "stage": "", "on": ""}, page="/listings")
    assert r.status_code == 422
    assert 'id="uscc-error"' in r.text and 'id="stage-error"' in r.text and 'id="on-error"' in r.text
    r = await portal.post("/listings", {"uscc": u, "stage": "coaching_filed", "on": "2025-03-20"}, page="/listings")
    assert r.status_code == 422 and 'id="form-error"' in r.text  # 辅导备案 before 股改: the service refuses
    fin = suite.client("finance", role="finance")
    assert (await fin.get(f"/api/v1/listings/{u}")).status_code == 404
    r = await portal.post("/listings", {"uscc": u, "stage": "shareholding_reform", "on": "2025-01-10",
                                        "sponsor": "中信建投证券股份有限公司", "form_id": "s1"}, page="/listings")
    assert r.status_code == 303, r.text
    r = await portal.post("/listings", {"uscc": u, "stage": "coaching_filed", "on": "2025-03-20", "board": "bse",
                                        "form_id": "s2"}, page="/listings")
    assert r.status_code == 303, r.text
    got = (await fin.get(f"/api/v1/listings/{u}")).json()
    assert (got["stage"], got["board"], got["sponsor"]) == ("coaching_filed", "bse", "中信建投证券股份有限公司")
    page = (await portal.http.get("/listings")).text
    row = page[page.find(f'id="listing-{u}"'):][:1500]
    assert "北京上市门户测试有限公司" in row and "辅导备案" in row and "北交所" in row and "股改 2025-01-10" in row
    assert "coaching_filed" not in row and "bse" not in row
    no_raw_code(page, "/listings")
    # The year's progress for the targets: the stages reached in 2025, still coached at its end.
    page = (await portal.http.get("/listings", params={"year": "2025"})).text
    progress = page[page.find('id="progress"'):page.find('id="newstage"')]
    assert "2025 年上市培育进展" in progress and "北京上市门户测试有限公司" in progress
    assert "已辅导备案、年末尚未上市" in progress
    got = (await fin.get("/api/v1/listings/progress", params={"year": 2025})).json()
    assert u in got["in_pipeline_usccs"] and f"年末尚未上市 {got['in_pipeline']} 家" in progress
    await portal.login("econ")  # reads, records nothing
    page = (await portal.http.get("/listings")).text
    assert f'id="listing-{u}"' in page and "登记上市进展" not in page
    assert (await portal.post("/listings", {"uscc": u, "stage": "application_accepted", "on": "2025-05-01"},
                              page="/listings")).status_code == 403


async def test_the_office_records_a_guidance_fund_and_its_investments(portal, suite):
    import uuid
    u = make_uscc()
    await promote(suite, u, name="北京基金门户测试有限公司")
    name = f"房山区专精特新引导基金{uuid.uuid4().hex[:6]}"
    await portal.login("finance")
    r = await portal.post("/guidance-funds", {"name": ""}, page="/guidance-funds")
    assert r.status_code == 422 and 'id="name-error"' in r.text
    r = await portal.post("/guidance-funds", {"name": name, "manager": "北京门户基金管理有限公司", "form_id": "f1"},
                          page="/guidance-funds")
    assert r.status_code == 303, r.text
    fund = int(r.headers["location"].rsplit("-", 1)[1])
    r = await portal.post("/guidance-funds", {"name": name, "form_id": "f2"}, page="/guidance-funds")
    assert r.status_code == 422 and 'id="fund-form-error"' in r.text  # the same name: the service refuses
    fin = suite.client("finance", role="finance")
    r = await portal.post("/guidance-funds/investments", {"fund_id": str(fund), "uscc": u, "invested_on": "",
                                                          "amount_wan": "一千"}, page="/guidance-funds")
    assert r.status_code == 422 and 'id="invested_on-error"' in r.text and 'id="amount_wan-error"' in r.text
    unknown = make_uscc()  # valid, but the registry never announced it: finance refuses
    r = await portal.post("/guidance-funds/investments", {"fund_id": str(fund), "uscc": unknown,
                                                          "invested_on": "2025-05-01", "amount_wan": "1000"},
                          page="/guidance-funds")
    assert r.status_code == 422 and 'id="investment-form-error"' in r.text
    assert (await fin.get(f"/api/v1/guidance-funds/{fund}")).json()["investments"] == []
    r = await portal.post("/guidance-funds/investments", {"fund_id": str(fund), "uscc": u, "invested_on": "2025-05-01",
                                                          "amount_wan": "1,000", "form_id": "i1"},
                          page="/guidance-funds")
    assert r.status_code == 303, r.text
    got = (await fin.get(f"/api/v1/guidance-funds/{fund}")).json()["investments"]
    assert [(i["uscc"], i["amount_yuan"]) for i in got] == [(u, 10_000_000)]
    page = (await portal.http.get("/guidance-funds")).text
    section = page[page.find(f'id="fund-{fund}"'):][:3000]
    assert name in section and "北京基金门户测试有限公司" in section and "1,000 万元" in section
    assert "北京市专精特新中小企业" in section and "占比 100.00%" in section and "municipal_srdi" not in section
    no_raw_code(page, "/guidance-funds")
    await portal.login("econ")
    page = (await portal.http.get("/guidance-funds")).text
    assert f'id="fund-{fund}"' in page and "登记引导基金" not in page
    await portal.login("bank", "BOB")  # not a bank's page
    assert (await portal.http.get("/guidance-funds")).status_code == 403
    assert (await portal.post("/guidance-funds", {"name": "银行基金"}, page="/matchmaking")).status_code == 403


async def test_the_office_adds_a_product_and_every_bank_reads_the_catalogue(portal, suite):
    import uuid
    name = f"专精特新险门户测试{uuid.uuid4().hex[:6]}"
    fin = suite.client("finance", role="finance")
    before = len((await fin.get("/api/v1/products", params={"limit": 500})).json()["items"])
    await portal.login("finance")
    r = await portal.post("/financial-products", {"kind": "insurance", "name": "", "provider_org": "PICC"},
                          page="/financial-products")
    assert r.status_code == 422 and 'id="name-error"' in r.text and 'id="insurance_type-error"' in r.text
    r = await portal.post("/financial-products", {"kind": "loan", "name": name, "provider_org": "BOB",
                                                  "insurance_type": "first_batch"}, page="/financial-products")
    assert r.status_code == 422 and 'id="form-error"' in r.text  # a loan has no insurance type: the service says so
    assert len((await fin.get("/api/v1/products", params={"limit": 500})).json()["items"]) == before
    r = await portal.post("/financial-products", {"kind": "insurance", "name": name, "provider_org": "PICC",
                                                  "insurance_type": "first_batch", "form_id": "p1"},
                          page="/financial-products")
    assert r.status_code == 303, r.text
    product = int(r.headers["location"].rsplit("-", 1)[1])
    got = (await fin.get(f"/api/v1/products/{product}")).json()
    assert (got["kind"], got["provider_org"], got["insurance_type"]) == ("insurance", "PICC", "first_batch")
    await portal.login("bank", "ICBC")  # the catalogue is every bank's, without the form
    page = (await portal.http.get("/financial-products")).text
    row = page[page.find(f'id="product-{product}"'):][:800]
    assert name in row and "中国人民财产保险" in row and "新技术首批次保险" in row and "first_batch" not in row
    assert "登记金融产品" not in page and 'href="/financial-products"' in page
    no_raw_code(page, "/financial-products")
    assert (await portal.post("/financial-products", {"kind": "loan", "name": "x", "provider_org": "ICBC"},
                              page="/financial-products")).status_code == 403


async def test_the_office_adds_attendees_to_an_event_listed_by_year(portal, suite):
    """政银企对接 lists every event the caller may read (Api.all: every page, not the first 100),
    newest first, by year if asked; the financial office adds attending enterprises to an event (bad codes beside the field,
    nothing recorded); a bank has no such form and its post is refused."""
    u, v = make_uscc(), make_uscc()
    await promote(suite, u, name="北京对接补录甲有限公司")
    await promote(suite, v, name="北京对接补录乙有限公司")
    fin = suite.client("finance", role="finance")
    tag = u[-6:]
    made = []
    for n in range(3):
        r = await fin.post("/api/v1/matchmaking-events", json={"title": f"补录对接会{n}-{tag}", "held_on": "2024-05-0%d" % (n + 1),
                                                               "banks": ["BOB"], "enterprises": [u]})
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
    await portal.login("finance")
    page = (await portal.http.get("/matchmaking")).text
    assert all(f"补录对接会{n}-{tag}" in page for n in range(3))
    assert page.index(f"补录对接会2-{tag}") < page.index(f"补录对接会0-{tag}")  # newest first
    assert f"补录对接会0-{tag}" not in (await portal.http.get("/matchmaking", params={"year": "2025"})).text
    assert f"补录对接会0-{tag}" in (await portal.http.get("/matchmaking", params={"year": "2024"})).text

    event = made[0]
    r = await portal.post(f"/matchmaking/{event}/enterprises", {"enterprises": "91110111ABCDEFGH12"}, page="/matchmaking")
    assert r.status_code == 422 and f'id="add-{event}-error"' in r.text and "91110111ABCDEFGH12" in r.text
    r = await portal.post(f"/matchmaking/{event}/enterprises", {"enterprises": f"{u}\n{v}", "form_id": f"add{tag}"},
                          page="/matchmaking")
    assert r.status_code == 303, r.text
    got = (await fin.get(f"/api/v1/matchmaking-events/{event}")).json()
    assert sorted(got["enterprises"]) == sorted([u, v])  # the one already there kept once
    assert "北京对接补录乙有限公司" in (await portal.http.get("/matchmaking")).text

    await portal.login("bank", "BOB")
    page = (await portal.http.get("/matchmaking")).text
    assert f"补录对接会0-{tag}" in page and f'action="/matchmaking/{event}/enterprises"' not in page
    r = await portal.post(f"/matchmaking/{event}/enterprises", {"enterprises": u}, page="/matchmaking")
    assert r.status_code == 403
