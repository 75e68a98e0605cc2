"""产业链合同 and 奖励申领 (issue 17): econ records an up/down-stream contract (bad input beside its field with
what was typed, the same contract twice refused with the first one linked), claims its award once the
supplier is eligible on the signing date (refused in words before), sees the award computed with its
explanation and finds it in the award queue by company name; a second claim shows the award already
standing, not a double. A listing the finance office recorded is claimed by choosing the enterprise.
Readers see without forms and their POSTs are refused."""
from __future__ import annotations

import datetime as dt
import html as htmllib
import re

from services.portal.tests.helpers import promote
from services.portal.tests.test_words import no_raw_code
from shared.clock import today
from shared.testing import make_uscc

SUPPLIER_NAME = "北京链上供方精工有限公司"
BUYER_NAME = "北京链上需方装备有限公司"


async def _register(suite, uscc: str, name: str) -> None:
    """An enterprise in the registry with no title yet (an ecosystem award is not due to it)."""
    r = await suite.client("registry").post("/api/v1/enterprises", json={"uscc": uscc, "name": name})
    assert r.status_code == 201, r.text


async def _awards(suite, uscc: str, program: str) -> list[dict]:
    r = await suite.client("awards").get("/api/v1/awards", params={"uscc": uscc, "program": program})
    return r.json()["items"]


async def test_record_a_contract_claim_it_once_and_find_it_in_the_queue(portal, suite):
    supplier, buyer = make_uscc(), make_uscc()
    await _register(suite, supplier, SUPPLIER_NAME)
    await promote(suite, buyer, name=BUYER_NAME)
    signed = today() - dt.timedelta(days=10)
    evidence = f"GX-{supplier[-6:]}"
    await portal.login("econ")
    page = (await portal.http.get("/contracts")).text
    assert "登记上下游合同" in page and "产业链合同" in page

    # Bad input, each beside its field, what was typed kept, nothing recorded.
    future = (today() + dt.timedelta(days=3)).isoformat()
    r = await portal.post("/contracts", {"supplier_uscc": "91110111ABC", "buyer_uscc": buyer, "contract_wan": "0",
                                         "signed_on": future, "evidence": evidence}, page="/contracts")
    assert r.status_code == 422
    for field in ("supplier_uscc", "contract_wan", "signed_on"):
        assert f'id="ct-{field}-error"' in r.text, field
    assert "统一社会信用代码无效" in r.text and "须大于 0" in r.text and "不能晚于今天" in r.text
    assert 'value="91110111ABC"' in r.text and f'value="{future}"' in r.text and f'value="{evidence}"' in r.text
    r = await portal.post("/contracts", {"supplier_uscc": supplier, "buyer_uscc": supplier, "contract_wan": "-5",
                                         "signed_on": signed.isoformat(), "evidence": evidence}, page="/contracts")
    assert r.status_code == 422 and 'id="ct-buyer_uscc-error"' in r.text and 'id="ct-contract_wan-error"' in r.text
    assert "同一家企业" in r.text and 'value="-5"' in r.text
    r = await portal.post("/contracts", {"supplier_uscc": make_uscc(), "buyer_uscc": buyer, "contract_wan": "86",
                                         "signed_on": signed.isoformat(), "evidence": evidence}, page="/contracts")
    assert r.status_code == 422 and 'id="ct-supplier_uscc-error"' in r.text and "不在" in r.text  # outreach's words
    assert not (await suite.client("outreach").get("/api/v1/contracts", params={"uscc": supplier})).json()["items"]

    r = await portal.post("/contracts", {"supplier_uscc": supplier.lower(), "buyer_uscc": buyer, "contract_wan": "86",
                                         "signed_on": signed.isoformat(), "evidence": evidence,
                                         "form_id": f"ct{supplier}"}, page="/contracts")
    assert r.status_code == 303, r.text
    (contract,) = (await suite.client("outreach").get("/api/v1/contracts", params={"uscc": supplier})).json()["items"]
    assert (contract["kind"], contract["buyer_uscc"], contract["contract_yuan"]) == ("ecosystem", buyer, 860_000)
    cid = contract["id"]
    # Recorded once: the same contract again is refused beside its number, the first one linked.
    r = await portal.post("/contracts", {"supplier_uscc": supplier, "buyer_uscc": buyer, "contract_wan": "86",
                                         "signed_on": signed.isoformat(), "evidence": evidence.lower()},
                          page="/contracts")
    assert r.status_code == 422 and 'id="ct-evidence-error"' in r.text and f'href="#contract-{cid}"' in r.text
    await suite.settled()
    assert not await _awards(suite, supplier, "ecosystem")  # no title on the signing day: nothing raised

    # The list: parties by name, 万元 and 元 with separators, the date and number; filtered by enterprise.
    page = (await portal.http.get("/contracts", params={"uscc": buyer})).text
    row = page[page.index(f'id="contract-{cid}"'):]
    row = row[:row.index("</tr>")]
    assert SUPPLIER_NAME in row and BUYER_NAME in row and "86 万元" in row and "860,000 元" in row
    assert signed.isoformat() in row and evidence in row
    assert f'href="/claims?contract_id={cid}#claim-contract"' in row  # 申领奖励, prefilled
    no_raw_code(page, "/contracts")
    assert f'id="contract-{cid}"' not in (await portal.http.get("/contracts", params={"uscc": make_uscc()})).text
    r = await portal.http.get("/contracts", params={"uscc": "NOT-A-CODE"})
    assert r.status_code == 422 and 'id="f-uscc-error"' in r.text

    # Not eligible on the signing date: awards' refusal in words beside the form, nothing raised.
    page = (await portal.http.get(f"/claims?contract_id={cid}")).text
    assert re.search(rf'<option value="{cid}" selected>[^<]*{SUPPLIER_NAME}', page), "the contract chosen by name"
    r = await portal.post("/claims/contract", {"contract_id": str(cid)}, page="/claims")
    assert r.status_code == 422 and 'id="cl-contract-error"' in r.text and "不符合申领条件" in r.text
    assert "中小企业（中小企业）" not in r.text  # the tier it held, said once
    assert not await _awards(suite, supplier, "ecosystem")

    # The registry back-dates the supplier's title: the claim now raises the award, shown with its explanation.
    assert (await suite.client("registry").post(f"/api/v1/enterprises/{supplier}/certifications",
                                                json={"tier": "municipal_srdi", "recognized_on": "2025-03-01"})
            ).status_code == 201
    await suite.settled()
    r = await portal.post("/claims/contract", {"contract_id": str(cid), "form_id": f"cl{supplier}"}, page="/claims")
    assert r.status_code == 303, r.text
    (award,) = await _awards(suite, supplier, "ecosystem")
    assert r.headers["location"] == f"/claims?award={award['id']}#result"
    page = (await portal.http.get(r.headers["location"])).text
    assert f"核定结果：奖励 {award['id']}" in page and SUPPLIER_NAME in page and "产业生态奖励" in page
    assert award["amount_yuan"] == 43_000 and "4.3 万元" in page and "43,000 元" in page
    assert "合同额 860,000 元" in page and "= 43,000 元" in page  # the basis's sentence, amounts with separators
    no_raw_code(page, "/claims")

    # The award queue names the company.
    queue = (await portal.http.get("/awards", params={"uscc": supplier})).text
    assert f'id="award-{award["id"]}"' in queue and SUPPLIER_NAME in queue and "产业生态奖励" in queue

    # A second claim shows the award standing, not a double.
    r = await portal.post("/claims/contract", {"contract_id": str(cid), "form_id": f"again{supplier}"}, page="/claims")
    assert r.status_code == 409 and "不能重复申领" in r.text and f'href="/awards/{award["id"]}"' in r.text
    assert "4.3 万元" in r.text
    assert len(await _awards(suite, supplier, "ecosystem")) == 1
    page = (await portal.http.get("/contracts")).text
    row = page[page.index(f'id="contract-{cid}"'):]
    row = row[:row.index("</tr>")]
    assert f'href="/awards/{award["id"]}"' in row and "申领奖励" not in row


async def test_a_listing_the_finance_office_recorded_is_claimed_by_name(portal, suite):
    u = make_uscc()
    await promote(suite, u, name="北京上市申领测试股份有限公司")
    f = suite.client("finance", "finance")
    day = today() - dt.timedelta(days=60)
    for i, stage in enumerate(("shareholding_reform", "coaching_filed", "application_accepted", "registered",
                               "listed")):
        r = await f.put(f"/api/v1/listings/{u}/stages",
                        json={"stage": stage, "on": (day + dt.timedelta(days=10 * i)).isoformat(), "board": "star"})
        assert r.status_code in (200, 201), r.text
    await suite.settled()
    await portal.login("econ")
    page = (await portal.http.get("/claims")).text
    assert re.search(rf'<option value="{u}">北京上市申领测试股份有限公司（科创板', page)
    r = await portal.post("/claims/listing", {"uscc": u, "municipal_wan": "abc", "municipal_award_ref": ""},
                          page="/claims")
    assert r.status_code == 422
    assert 'id="cl-municipal_wan-error"' in r.text and 'id="cl-municipal_award_ref-error"' in r.text
    assert 'value="abc"' in r.text and f'<option value="{u}" selected>' in r.text
    r = await portal.post("/claims/listing", {"uscc": u, "municipal_wan": "300", "municipal_award_ref": "京经信〔2026〕7号",
                                              "form_id": f"ls{u}"}, page="/claims")
    assert r.status_code == 303, r.text
    (award,) = await _awards(suite, u, "listing")
    page = (await portal.http.get(r.headers["location"])).text
    assert "上市奖励" in page and "北京上市申领测试股份有限公司" in page and "科创板" in page
    no_raw_code(page, "/claims")
    r = await portal.post("/claims/listing", {"uscc": u, "municipal_wan": "300", "municipal_award_ref": "京经信〔2026〕7号",
                                              "form_id": f"ls2{u}"}, page="/claims")
    assert r.status_code == 409 and f'href="/awards/{award["id"]}"' in r.text and 'id="cl-uscc-error"' in r.text
    assert len(await _awards(suite, u, "listing")) == 1
    # The award page says the amounts in its explanation as /claims does (it said 3000000 元), and the
    # claim's audit row names its inputs in words (it showed them as JSON with English keys).
    page = (await portal.http.get(f"/awards/{award['id']}")).text
    assert "市级奖励 3,000,000 元" in page and "3000000" not in page
    await portal.login("auditor")
    page = (await portal.http.get("/audit-log", params={"service": "awards", "object_type": "award",
                                                        "object_id": str(award["id"])})).text
    row = page[page.index("奖励 申领"):]
    row = htmllib.unescape(row[:row.index("</tr>")])
    for said in ("上市板块：科创板", "市级奖励（元）：3,000,000", "市级奖励文件：京经信〔2026〕7号", "上市记录来源：区金融服务办登记"):
        assert said in row, (said, row)
    assert "{" not in row and '"board"' not in row and "listing_id" not in row, row
    no_raw_code(page, "/audit-log award.claimed")


async def test_readers_see_without_forms_and_their_posts_are_refused(portal, suite):
    supplier, buyer = make_uscc(), make_uscc()
    await promote(suite, supplier, name="北京只读供方有限公司")
    await promote(suite, buyer, name="北京只读需方有限公司")
    r = await suite.client("outreach").post("/api/v1/contracts", json={
        "supplier_uscc": supplier, "buyer_uscc": buyer, "contract_yuan": 1_200_000,
        "signed_on": (today() - dt.timedelta(days=5)).isoformat(), "evidence": f"RD-{supplier[-6:]}"})
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    await suite.settled()

    await portal.login("auditor")
    page = (await portal.http.get("/contracts")).text
    assert f'id="contract-{cid}"' in page and "北京只读供方有限公司" in page and "120 万元" in page
    assert "登记上下游合同" not in page and "申领奖励</a>" not in page
    assert (await portal.post("/contracts", {"supplier_uscc": supplier, "buyer_uscc": buyer, "contract_wan": "1",
                                             "signed_on": today().isoformat(), "evidence": "X"},
                              page="/contracts")).status_code == 403
    page = (await portal.http.get("/claims")).text
    assert 'action="/claims/contract"' not in page and "北京只读供方有限公司" in page  # the award the event raised
    assert (await portal.post("/claims/contract", {"contract_id": str(cid)}, page="/claims")).status_code == 403
    no_raw_code(page, "/claims")

    await portal.login("treasury")
    page = (await portal.http.get("/claims")).text
    assert 'action="/claims/' not in page and "北京只读供方有限公司" in page
    assert (await portal.post("/claims/contract", {"contract_id": str(cid)}, page="/claims")).status_code == 403
    assert (await portal.post("/claims/listing", {"uscc": supplier, "municipal_wan": "1",
                                                  "municipal_award_ref": "X"}, page="/claims")).status_code == 403
    assert (await portal.http.get("/contracts")).status_code == 403  # outreach's contracts are not the treasury's
