"""The treasury's payments page (issue 19): a payee's account set from the page (shown masked, a refusal
beside its field), a batch built from the queue, its file downloaded, and the payment system's result
uploaded: the paid award disbursed, the returned one back in the queue with why."""
from __future__ import annotations

from services.awards import rules
from services.awards.workflow import service as workflow
from services.portal.tests.helpers import fund
from services.portal.tests.test_words import no_raw_code
from shared.clock import today
from shared.testing import make_uscc


async def approved_award(suite, uscc: str) -> int:
    """An approved tier award of 300,000 raised by the awards service's own create use case."""
    decision = rules.Decision("tier", 300_000, {"rule": "tier", "explanation": "门户支付测试"}, "municipal_srdi")
    with suite.db("awards").transaction() as s:
        award_id = workflow.create(s, f"tier:{uscc}:municipal_srdi", decision, uscc, uscc, "enterprise", today(),
                                   f"00000000-0000-4000-8000-{uscc[-12:].lower()}").id
    assert (await suite.client("awards").post(f"/api/v1/awards/{award_id}/review")).status_code == 200
    r = await suite.client("awards", role="treasury").post(f"/api/v1/awards/{award_id}/approve")
    assert r.status_code == 200, r.text
    return award_id


async def test_treasury_pays_a_batch_from_the_page(portal, suite):
    await fund(suite)
    a_uscc, b_uscc = make_uscc(), make_uscc()
    a, b = await approved_award(suite, a_uscc), await approved_award(suite, b_uscc)
    await portal.login("treasury")
    page = await portal.http.get("/payments")
    assert page.status_code == 200 and "奖励支付" in page.text and "未登记账户" in page.text
    assert f'id="pick-{a}"' not in page.text  # no payee yet: it cannot be ticked
    no_raw_code(page.text, "/payments")

    form = {"kind": "enterprise", "ref": a_uscc, "name": "北京支付页面甲公司", "bank_name": "工商银行房山支行",
            "account": "6222-02"}
    r = await portal.post("/payments/payees", form, page="/payments")
    assert r.status_code == 422 and 'id="payee-account-error"' in r.text and "北京支付页面甲公司" in r.text
    for uscc, name, account in ((a_uscc, "北京支付页面甲公司", "6222 0202 0000 1111"),
                                (b_uscc, "北京支付页面乙公司", "6222020200002222")):
        r = await portal.post("/payments/payees", {**form, "ref": uscc, "name": name, "account": account},
                              page="/payments")
        assert r.status_code == 303, r.text
    page = (await portal.http.get("/payments")).text
    assert "6222 **** **** 1111" in page and "6222020200001111" not in page and f'id="pick-{b}"' in page

    r = await portal.post("/payments/batches", {}, page="/payments")
    assert r.status_code == 422 and 'id="batch-error"' in r.text
    r = await portal.post("/payments/batches", {"award_id": [str(a), str(b)], "note": "门户测试批"}, page="/payments")
    assert r.status_code == 303, r.text
    detail = r.headers["location"]
    page = (await portal.http.get(detail)).text
    assert "草稿" in page and "北京支付页面乙公司" in page and "6222 **** **** 2222" in page
    f = await portal.http.get(f"{detail}/export.csv")
    assert f.status_code == 200 and "6222020200002222" in f.content.decode("utf-8-sig") and "SHA-256:" in f.text
    page = (await portal.http.get(detail)).text
    assert 'id="result-file"' in page

    bad = f"奖励编号,结果,凭证号,退回原因\n{a},成功,,\n".encode()
    r = await portal.post(f"{detail}/result", page=detail, files={"file": ("回盘.csv", bad, "text/csv")})
    assert r.status_code == 422 and 'id="result-file-error"' in r.text and "第 2 行" in r.text
    good = f"奖励编号,结果,凭证号,退回原因\n{a},成功,FS-MH-0001,\n{b},退回,,户名不符\n".encode()
    r = await portal.post(f"{detail}/result", page=detail, files={"file": ("回盘.csv", good, "text/csv")})
    assert r.status_code == 303, r.text
    page = (await portal.http.get(detail)).text
    assert "已办结" in page and "FS-MH-0001" in page and "户名不符" in page
    assert (await suite.client("awards").get(f"/api/v1/awards/{a}")).json()["state"] == "disbursed"
    page = (await portal.http.get("/payments")).text
    assert f'id="queue-{b}"' in page and f'id="queue-{a}"' not in page and "户名不符" in page

    await portal.login("econ")  # reads, pays nothing
    page = (await portal.http.get("/payments")).text
    assert "6222 **** **** 2222" in page and 'id="payee-account"' not in page
    assert (await portal.http.get(f"{detail}/export.csv")).status_code == 403
    await portal.login("talent")
    assert (await portal.http.get("/payments")).status_code == 403


async def test_treasury_cancels_a_draft_batch_from_the_page(portal, suite):
    """取消 on a draft batch: the reason required (said beside the field), the award back in the queue; an
    exported batch shows no 取消 and the awards service's refusal is said if it is posted anyway."""
    await fund(suite)
    uscc = make_uscc()
    award = await approved_award(suite, uscc)
    await portal.login("treasury")
    r = await portal.post("/payments/payees", {"kind": "enterprise", "ref": uscc, "name": "北京取消批次丙公司",
                                               "bank_name": "工商银行房山支行", "account": "6222020200005555"},
                          page="/payments")
    assert r.status_code == 303, r.text
    r = await portal.post("/payments/batches", {"award_id": [str(award)]}, page="/payments")
    assert r.status_code == 303, r.text
    detail = r.headers["location"]
    page = (await portal.http.get(detail)).text
    assert 'id="cancel-reason"' in page and "取消本批次" in page
    assert f'id="queue-{award}"' not in (await portal.http.get("/payments")).text
    r = await portal.post(f"{detail}/cancel", {"reason": " "}, page=detail)
    assert r.status_code == 422 and 'id="cancel-reason-error"' in r.text and "请填写取消原因" in r.text
    r = await portal.post(f"{detail}/cancel", {"reason": "账户待核实"}, page=detail)
    assert r.status_code == 303, r.text
    page = (await portal.http.get(detail)).text
    assert "已取消" in page and "账户待核实" in page and 'id="cancel-reason"' not in page
    assert "export.csv" not in page and 'id="result-file"' not in page
    no_raw_code(page, detail)
    assert f'id="queue-{award}"' in (await portal.http.get("/payments")).text
    assert (await suite.client("awards").get(f"/api/v1/awards/{award}")).json()["state"] == "approved"

    r = await portal.post("/payments/batches", {"award_id": [str(award)]}, page="/payments")
    assert r.status_code == 303, r.text
    exported = r.headers["location"]
    assert (await portal.http.get(f"{exported}/export.csv")).status_code == 200
    page = (await portal.http.get(exported)).text
    assert 'id="cancel-reason"' not in page
    r = await portal.post(f"{exported}/cancel", {"reason": "晚了"}, page=exported)
    assert r.status_code == 422 and 'id="cancel-reason-error"' in r.text and "已导出" in r.text
    await portal.login("econ")
    assert (await portal.post(f"{exported}/cancel", {"reason": "x"}, page=exported)).status_code == 403
