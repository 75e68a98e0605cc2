"""A bank's loan case end to end in the portal: application (bad input beside the field), approval,
draw (万元 and a percent rate sent as whole 元 and basis points), a repayment record, repaid; another
bank sees none of it; the financial office reads it."""
from __future__ import annotations

from services.portal.tests.helpers import promote
from shared.testing import make_uscc


async def test_a_bank_takes_a_loan_from_application_to_repaid(portal, suite):
    u = make_uscc()
    await promote(suite, u, name="北京贷款门户测试有限公司")
    await portal.login("bank", "BOB")
    page = (await portal.http.get("/loans")).text
    assert "登记贷款申请" in page
    r = await portal.post("/loans", {"uscc": u[:-1] + ("0" if u[-1] != "0" else "1"), "applied_wan": "abc",
                                     "applied_on": ""}, page="/loans")
    assert r.status_code == 422 and 'id="uscc-error"' in r.text and 'id="applied_wan-error"' in r.text
    assert 'id="applied_on-error"' in r.text and "abc" in r.text
    r = await portal.post("/loans", {"uscc": u, "applied_wan": "500", "applied_on": "2025-07-01", "first_loan": "1",
                                     "form_id": "l1"}, page="/loans")
    assert r.status_code == 303, r.text
    loan_path = r.headers["location"]
    loan_id = int(loan_path.rsplit("/", 1)[1])
    case = (await suite.client("finance", role="bank", org="BOB").get(f"/api/v1/loans/{loan_id}")).json()
    assert (case["applied_yuan"], case["state"]) == (5_000_000, "applied")

    page = (await portal.http.get(loan_path)).text
    assert "北京贷款门户测试有限公司" in page and 'action="/loans/%d/decision"' % loan_id in page
    assert "尚未放款，放款后判定是否首贷" in page and "not-drawn" not in page  # a code said in words
    # Left unreported, the case does not claim the bank reported an earlier loan.
    r = await portal.post("/loans", {"uscc": u, "applied_wan": "100", "applied_on": "2025-07-02", "first_loan": "",
                                     "form_id": "l2"}, page="/loans")
    assert r.status_code == 303, r.text
    other = (await suite.client("finance", role="bank", org="BOB").get(
        f"/api/v1/loans/{int(r.headers['location'].rsplit('/', 1)[1])}")).json()
    assert other["prior_loan_declared"] is False
    r = await portal.post(f"/loans/{loan_id}/decision", {"approved": "1", "decided_on": "2025-07-10"}, page=loan_path)
    assert r.status_code == 303
    r = await portal.post(f"/loans/{loan_id}/draw", {"drawn_wan": "500", "drawn_on": "2025-07-15", "rate_pct": "3.4x",
                                                     "due_on": "2026-07-14"}, page=loan_path)
    assert r.status_code == 422 and 'id="draw-rate_pct-error"' in r.text
    r = await portal.post(f"/loans/{loan_id}/draw", {"drawn_wan": "500", "drawn_on": "2025-07-15", "rate_pct": "3.45",
                                                     "due_on": "2026-07-14"}, page=loan_path)
    assert r.status_code == 303
    r = await portal.post(f"/loans/{loan_id}/repayments", {"paid_on": "2025-09-21", "period_from": "2025-07-15",
                                                           "period_to": "2025-09-20", "interest_yuan": "99999"},
                          page=loan_path)  # more than the rate gives: the finance service says so, in words
    assert r.status_code == 422 and "超过按贷款利率计算的该期利息（32,137 元）（支付利息）" in r.text
    r = await portal.post(f"/loans/{loan_id}/repayments", {"paid_on": "2025-09-21", "period_from": "2025-07-15",
                                                           "period_to": "2025-09-20", "interest_yuan": "32137"},
                          page=loan_path)
    assert r.status_code == 303, r.text
    r = await portal.post(f"/loans/{loan_id}/repay", {"repaid_on": "2026-07-14"}, page=loan_path)
    case = (await suite.client("finance", role="bank", org="BOB").get(f"/api/v1/loans/{loan_id}")).json()
    assert (case["drawn_yuan"], case["rate_bp"], case["state"]) == (5_000_000, 345, "repaid")
    assert [x["interest_yuan"] for x in case["repayments"]] == [32137]
    page = (await portal.http.get(loan_path)).text
    assert "已结清" in page and "32,137 元" in page and "年利率 3.45%" in page

    assert "本行贷款案件：" in (await portal.http.get("/")).text  # its home page leads to its cases
    await portal.login("bank", "ICBC")  # another bank: not its case
    assert (await portal.http.get(loan_path)).status_code == 404
    assert f'id="loan-{loan_id}"' not in (await portal.http.get("/loans")).text
    await portal.login("finance")
    assert f'id="loan-{loan_id}"' in (await portal.http.get("/loans")).text
    assert (await portal.post(f"/loans/{loan_id}/repay", {"repaid_on": "2026-07-14"}, page="/loans")).status_code == 403


async def test_the_financial_office_asks_the_treasury_to_pay_a_subsidy_quarter(portal, suite):
    """首贷贴息 in the portal: the loan's page shows the schedule; the financial office asks for a quarter
    (a bank and the treasury see no button, and a POST from them is refused); the request is listed with
    its state, and the treasury finds the award in its queue with the programme's name."""
    u = make_uscc()
    await promote(suite, u, name="北京贴息门户测试有限公司")
    bank = suite.client("finance", role="bank", org="BOB")
    r = await bank.post("/api/v1/loans", json={"uscc": u, "applied_yuan": 10_000_000, "applied_on": "2025-07-01",
                                               "first_loan": True})
    loan = r.json()["id"]
    await bank.post(f"/api/v1/loans/{loan}/decision", json={"approved": True, "decided_on": "2025-07-10"})
    await bank.post(f"/api/v1/loans/{loan}/draw", json={"drawn_yuan": 10_000_000, "drawn_on": "2025-07-15",
                                                        "rate_bp": 365, "due_on": "2026-07-14"})
    r = await bank.post(f"/api/v1/loans/{loan}/repayments", json={
        "paid_on": "2025-09-30", "period_from": "2025-07-15", "period_to": "2025-09-30", "interest_yuan": 78_000})
    assert r.status_code == 201, r.text
    path = f"/loans/{loan}"
    await portal.login("bank", "BOB")
    page = (await portal.http.get(path)).text
    assert "首贷贴息" in page and "31,200 元" in page and f'action="/loans/{loan}/ask/2025Q3"' not in page
    assert (await portal.post(f"/loans/{loan}/ask/2025Q3", {}, page=path)).status_code == 403
    await portal.login("finance")
    page = (await portal.http.get(path)).text
    assert f'action="/loans/{loan}/ask/2025Q3"' in page
    r = await portal.post(f"/loans/{loan}/ask/2025Q3", {"form_id": "s1"}, page=path)
    assert r.status_code == 303, r.text
    page = (await portal.http.get(path)).text
    assert "向区财政局申请的拨付" in page and "待财政局批准" in page and f'action="/loans/{loan}/ask/2025Q3"' not in page
    r = await portal.post(f"/loans/{loan}/ask/2025Q3", {"form_id": "s2"}, page=path)  # asked already: said on the page
    assert r.status_code == 422 and 'id="ask-error"' in r.text and "已申请" in r.text
    await suite.settled()
    await portal.login("treasury")
    page = (await portal.http.get("/awards", params={"state": "reviewed"})).text
    assert "首贷贴息" in page and "北京贴息门户测试有限公司" in page and "first_loan_subsidy" not in page


async def test_a_bank_names_the_product_and_the_matchmaking_event_of_an_application(portal, suite):
    from services.portal.tests.test_words import no_raw_code
    u = make_uscc()
    await promote(suite, u, name="北京贷款产品门户测试有限公司")
    fin = suite.client("finance", role="finance")
    tag = u[-6:]
    made = {}
    for key, body in (("ours", {"kind": "loan", "name": f"京行专精特新贷{tag}", "provider_org": "BOB"}),
                      ("theirs", {"kind": "loan", "name": f"工行专精特新贷{tag}", "provider_org": "ICBC"})):
        r = await fin.post("/api/v1/products", json={**body, "description": "门户测试产品"})
        assert r.status_code == 201, r.text
        made[key] = r.json()["id"]
    for key, banks in (("met", ["BOB"]), ("elsewhere", ["ICBC"])):
        r = await fin.post("/api/v1/matchmaking-events", json={"title": f"对接会{key}{tag}", "held_on": "2025-06-18",
                                                               "banks": banks, "enterprises": [u]})
        assert r.status_code == 201, r.text
        made[key] = r.json()["id"]

    await portal.login("bank", "BOB")
    page = (await portal.http.get("/loans")).text
    assert f"京行专精特新贷{tag}" in page and f"对接会met{tag}" in page  # its own product, the event it attended
    assert f"工行专精特新贷{tag}" not in page and f"对接会elsewhere{tag}" not in page
    no_raw_code(page, "/loans")

    # Another bank's product (typed past the list): the finance service's refusal beside the select.
    form = {"uscc": u, "applied_wan": "300", "applied_on": "2025-07-01", "product_id": str(made["theirs"])}
    r = await portal.post("/loans", form, page="/loans")
    assert r.status_code == 422 and 'id="product_id-error"' in r.text and "不属于本行" in r.text, r.text[-1500:]
    assert f'value="{u}"' in r.text and 'value="300"' in r.text  # what was typed is kept, the refused choice too
    assert f'<option value="{made["theirs"]}" selected>工行专精特新贷{tag}' in r.text
    # An event it did not attend (typed past the list): refused beside that select, the product kept.
    r = await portal.post("/loans", {**form, "product_id": str(made["ours"]),
                                     "matchmaking_event_id": str(made["elsewhere"])}, page="/loans")
    assert r.status_code == 422 and 'id="matchmaking_event_id-error"' in r.text and "未参加" in r.text, r.text[-1500:]
    assert 'id="product_id-error"' not in r.text and f'<option value="{made["ours"]}" selected>' in r.text
    assert f"对接会elsewhere{tag}" not in r.text
    assert not (await suite.client("finance", role="bank", org="BOB").get(f"/api/v1/loans?uscc={u}")).json()["items"]
    r = await portal.post("/loans", {**form, "product_id": str(made["ours"]), "matchmaking_event_id": str(made["met"]),
                                     "form_id": "lp1"}, page="/loans")
    assert r.status_code == 303, r.text
    loan_id = int(r.headers["location"].rsplit("/", 1)[1])
    case = (await suite.client("finance", role="bank", org="BOB").get(f"/api/v1/loans/{loan_id}")).json()
    assert (case["product_id"], case["matchmaking_event_id"]) == (made["ours"], made["met"])
    page = (await portal.http.get(r.headers["location"])).text
    assert f"京行专精特新贷{tag}（贷款，北京银行）" in page and f"2025-06-18 对接会met{tag}" in page
    no_raw_code(page, r.headers["location"])

    def row(html: str) -> str:  # the case's row in the list
        start = html.index(f'<tr id="loan-{loan_id}">')
        return html[start:html.index("</tr>", start)]
    for role in ("bank", "finance"):  # the bank's list and the financial office's: both by name
        if role == "finance":
            await portal.login("finance")
            page = (await portal.http.get(f"/loans/{loan_id}")).text
            assert f"京行专精特新贷{tag}（贷款，北京银行）" in page and f"2025-06-18 对接会met{tag}" in page
        page = (await portal.http.get("/loans")).text
        assert f"京行专精特新贷{tag}（贷款）" in row(page) and f"2025-06-18 对接会met{tag}" in row(page), row(page)
        no_raw_code(page, "/loans")
    # The treasury reads loans but neither the catalogue nor the events: said in words, no number.
    await portal.login("treasury")
    page = (await portal.http.get(f"/loans/{loan_id}")).text
    assert "已指定（本角色不能查看金融产品目录）" in page and "来自政银企对接活动（本角色不能查看对接活动）" in page
    assert f"京行专精特新贷{tag}" not in page and f"<dd>产品 {made['ours']}" not in page
    page = (await portal.http.get("/loans")).text
    assert "已指定产品" in row(page) and "来自政银企对接活动" in row(page), row(page)


async def test_the_guarantor_of_a_cases_product_records_its_decision(portal, suite):
    """The provider of a guarantee product (专精特新保) sees the case and records whether it covers it,
    once; its decision is shown by name on the case; the lending bank has no such form."""
    from services.portal.tests.test_words import no_raw_code
    u = make_uscc()
    await promote(suite, u, name="北京担保门户测试有限公司")
    tag = u[-6:]
    r = await suite.client("finance", role="finance").post("/api/v1/products", json={
        "kind": "guarantee", "name": f"专精特新保{tag}", "provider_org": "BJ-GUARANTEE", "description": "门户测试担保产品"})
    assert r.status_code == 201, r.text
    await portal.login("bank", "BOB")
    r = await portal.post("/loans", {"uscc": u, "applied_wan": "200", "applied_on": "2025-07-01",
                                     "product_id": str(r.json()["id"]), "form_id": f"g{tag}"}, page="/loans")
    assert r.status_code == 303, r.text
    loan_path = r.headers["location"]
    loan_id = int(loan_path.rsplit("/", 1)[1])
    assert f'action="/loans/{loan_id}/provider-decision"' not in (await portal.http.get(loan_path)).text  # the lender

    await portal.login("bank", "BJ-GUARANTEE")
    page = (await portal.http.get(loan_path)).text
    assert f'action="/loans/{loan_id}/provider-decision"' in page and f"专精特新保{tag}" in page
    assert f'action="/loans/{loan_id}/decision"' not in page  # the lending bank's step is not its own
    r = await portal.post(f"/loans/{loan_id}/provider-decision", {"approved": "1", "decided_on": ""}, page=loan_path)
    assert r.status_code == 422 and 'id="provider-decision-decided_on-error"' in r.text and "请填写决定日期" in r.text
    r = await portal.post(f"/loans/{loan_id}/provider-decision",  # before the application: finance refuses, in words
                          {"approved": "1", "decided_on": "2025-06-01"}, page=loan_path)
    assert r.status_code == 422 and "申请日期" in r.text
    assert not (await suite.client("finance", role="finance").get(f"/api/v1/loans/{loan_id}")).json()[
        "provider_decisions"]
    r = await portal.post(f"/loans/{loan_id}/provider-decision",
                          {"approved": "1", "decided_on": "2025-07-05", "reason": "反担保充足", "form_id": f"pd{tag}"},
                          page=loan_path)
    assert r.status_code == 303, r.text
    case = (await suite.client("finance", role="finance").get(f"/api/v1/loans/{loan_id}")).json()
    assert [(d["org"], d["approved"], d["decided_on"]) for d in case["provider_decisions"]] == [
        ("BJ-GUARANTEE", True, "2025-07-05")]
    page = (await portal.http.get(loan_path)).text
    assert "同意承保，2025-07-05，理由：反担保充足" in page
    assert f'action="/loans/{loan_id}/provider-decision"' not in page  # once per provider
    no_raw_code(page, loan_path)
    await portal.login("finance")
    assert "同意承保" in (await portal.http.get(loan_path)).text
