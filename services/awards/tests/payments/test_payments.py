"""Payees and payment batches (issue 19): the round trip approve → batch → export → result file with one
returned line → that award back in the queue, with the budget right and the ledger balanced at every step."""
import csv
import hashlib
import io

import openpyxl
import pytest

from services.awards import rules
from services.awards.workflow import service as workflow
from shared import clock
from shared.testing import Suite, make_uscc

YEAR = clock.today().year
A, B, C = make_uscc(), make_uscc(), make_uscc()
ACCOUNTS = {A: "6222020200001111", B: "6222 0202 0000 2222"}


def kind(r):
    return r.json()["type"].rsplit("/", 1)[1]


async def figures(suite):
    r = await suite.client("awards", role="auditor").get(f"/api/v1/budgets/{YEAR}")
    assert r.status_code == 200, r.text
    t = {i["program"]: i for i in r.json()["items"]}["tier"]
    return t["allocated_yuan"], t["reserved_yuan"], t["disbursed_yuan"], t["remaining_yuan"]


async def ledger_balanced(suite, owed: int, reserved: int):
    """Of the test's awards: what was awarded = reversed + paid + still owed; what was reserved = released +
    paid + still reserved; and the budget's figures are the ledger's."""
    entries = []
    for uscc in (A, B, C):
        r = await suite.client("awards").get("/api/v1/ledger", params={"year": YEAR, "uscc": uscc, "limit": 500})
        assert r.status_code == 200, r.text
        entries += r.json()["items"]
    total = {}
    for e in entries:
        total[e["kind"]] = total.get(e["kind"], 0) + e["amount_yuan"]
    g = total.get
    assert g("awarded", 0) + g("top_up", 0) - g("reversed", 0) - g("disbursed", 0) == owed
    assert g("reserved", 0) - g("released", 0) - g("disbursed", 0) == reserved
    _, budget_reserved, budget_disbursed, _ = await figures(suite)
    assert (budget_reserved, budget_disbursed) == (reserved, g("disbursed", 0))


async def queue_ids(suite):
    r = await suite.client("awards", role="treasury").get("/api/v1/payment-queue")
    assert r.status_code == 200, r.text
    return [i["award_id"] for i in r.json()["items"]]


def treasury(suite):
    return suite.client("awards", role="treasury")


async def act(suite, award_id, action, role, body=None):
    return await suite.client("awards", role=role).post(f"/api/v1/awards/{award_id}/{action}", json=body)


@pytest.fixture(scope="module")
async def suite(tmp_path_factory):
    """The awards service alone: the awards are raised by its own create use case, as its event handlers do."""
    s = await Suite(tmp_path_factory.mktemp("payments"), services=("awards",)).start()
    yield s
    await s.stop()


def computed(suite, uscc):
    decision = rules.Decision("tier", 300_000, {"rule": "tier", "explanation": "测试"}, "municipal_srdi")
    with suite.db("awards").transaction() as s:
        return workflow.create(s, f"tier:{uscc}:municipal_srdi", decision, uscc, uscc, "enterprise",
                               clock.today(), f"00000000-0000-4000-8000-{uscc[-12:].lower().rjust(12, '0')}"[:36]).id


@pytest.fixture(scope="module")
async def approved(suite):
    """A, B and C each earn 300,000 and are approved under a tier budget of 1,000,000; A and B have payees."""
    awards = {}
    for uscc in (A, B, C):
        awards[uscc] = computed(suite, uscc)
        assert (await act(suite, awards[uscc], "review", "econ")).status_code == 200
    assert (await treasury(suite).put(f"/api/v1/budgets/{YEAR}/tier", json={"allocated_yuan": 1_000_000})
            ).status_code == 200
    for uscc in (A, B, C):
        assert (await act(suite, awards[uscc], "approve", "treasury")).status_code == 200
    for uscc in (A, B):
        r = await treasury(suite).put("/api/v1/payees", json={
            "kind": "enterprise", "ref": uscc, "name": f"企业{uscc[-4:]}", "bank_name": "工商银行房山支行",
            "account": ACCOUNTS[uscc]})
        assert r.status_code == 200, r.text
    return awards


async def test_payees_masked_roles_and_audit(approved, suite):
    r = await suite.client("awards", role="econ").get("/api/v1/payees", params={"kind": "enterprise", "ref": A})
    assert r.status_code == 200
    [p] = r.json()["items"]
    assert p["account_masked"] == "6222 **** **** 1111" and "6222020200001111" not in r.text
    assert (await suite.client("awards", role="auditor").get(f"/api/v1/payees/{p['id']}")).json() == p
    body = {"kind": "enterprise", "ref": A, "name": "x", "bank_name": "y", "account": "6222020200001111"}
    assert (await suite.client("awards", role="econ").put("/api/v1/payees", json=body)).status_code == 403
    assert (await suite.client("awards", role="park", org="P1").get("/api/v1/payees")).status_code == 403
    for path in ("/api/v1/payment-batches", "/api/v1/payment-queue"):
        assert (await suite.client("awards", role="park", org="P1").get(path)).status_code == 403
        assert (await suite.client("awards", role="enterprise", org=A).get(path)).status_code == 403
    for bad in ({**body, "account": "12ab"}, {**body, "kind": "lottery"}, {**body, "more": 1}, {**body, "name": ""}):
        assert (await treasury(suite).put("/api/v1/payees", json=bad)).status_code == 422
    log = (await suite.client("awards", role="auditor").get(
        "/api/v1/audit-log", params={"object_type": "payee", "object_id": str(p["id"])})).json()["items"]
    assert [e["action"] for e in log] == ["payee.set"] and "6222020200001111" not in str(log)
    assert log[0]["after"]["account"] == "6222 **** **** 1111"


async def test_batch_round_trip(approved, suite):
    a, b, c = approved[A], approved[B], approved[C]
    assert await figures(suite) == (1_000_000, 900_000, 0, 100_000)
    await ledger_balanced(suite, owed=900_000, reserved=900_000)
    assert set(await queue_ids(suite)) >= {a, b, c}

    # C has no payee record: named it is refused (all or none); unnamed it is left out
    refused = await treasury(suite).post("/api/v1/payment-batches", json={"award_ids": [a, c]})
    assert refused.status_code == 409 and kind(refused) == "cannot-batch"
    assert [(x["award_id"], x["code"]) for x in refused.json()["refused"]] == [(c, "no-payee")]
    assert (await suite.client("awards", role="econ").post("/api/v1/payment-batches", json={})).status_code == 403
    r = await treasury(suite).post("/api/v1/payment-batches", json={"note": "12月第一批"})
    assert r.status_code == 201, r.text
    batch = r.json()
    assert [x["award_id"] for x in batch["left_out"]] == [c]
    assert [(x["seq"], x["award_id"]) for x in batch["lines"]] == [(1, a), (2, b)]
    assert (batch["state"], batch["count"], batch["amount_yuan"]) == ("draft", 2, 600_000)
    assert batch["lines"][1]["account_masked"] == "6222 **** **** 2222"
    again = await treasury(suite).post("/api/v1/payment-batches", json={"award_ids": [a]})
    assert kind(again) == "cannot-batch" and again.json()["refused"][0]["code"] == "in-open-batch"
    assert await queue_ids(suite) == [c]
    assert await figures(suite) == (1_000_000, 900_000, 0, 100_000)  # batching moves no money
    bid = batch["id"]
    early = await treasury(suite).post(f"/api/v1/payment-batches/{bid}/result",
                                       json={"lines": [{"award_id": a, "result": "paid", "voucher": "V1"}]})
    assert early.status_code == 409 and kind(early) == "not-exported"

    # export: the accounts in full (treasury only), the checksum line
    assert (await suite.client("awards", role="auditor").get(
        f"/api/v1/payment-batches/{bid}/export")).status_code == 403
    r = await treasury(suite).get(f"/api/v1/payment-batches/{bid}/export", params={"format": "csv"})
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["序号", "批次号", "奖励编号", "收款方名称", "开户行", "账号", "金额（元）", "用途"]
    lines, trailer = rows[1:-1], rows[-1]
    assert [(x[0], x[2], x[5], x[6]) for x in lines] == [("1", str(a), "6222020200001111", "300000"),
                                                         ("2", str(b), "6222020200002222", "300000")]
    digest = hashlib.sha256("\n".join("|".join(x) for x in lines).encode()).hexdigest()
    assert trailer[:3] == ["合计", batch["number"], "2"] and trailer[6:] == ["600000", f"SHA-256:{digest}"]
    x = await treasury(suite).get(f"/api/v1/payment-batches/{bid}/export")
    sheet = openpyxl.load_workbook(io.BytesIO(x.content)).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[2][5] == "6222020200002222" and cells[-1][7] == f"SHA-256:{digest}"
    assert (await suite.client("awards").get(f"/api/v1/payment-batches/{bid}")).json()["state"] == "exported"

    # a bad result file: the line numbers, nothing changed
    bad = f"奖励编号,结果,凭证号,退回原因\n{a},成功,FS-OK-1,\n999999,退回,,\n{b},成功,,\n{b},作废,,\n,成功,X,\n"
    r = await treasury(suite).post(f"/api/v1/payment-batches/{bid}/result", content=bad.encode(),
                                   headers={"content-type": "text/csv"})
    assert r.status_code == 422 and kind(r) == "invalid-result-file"
    assert [(e["line"], e["type"]) for e in r.json()["errors"]] == [
        (3, "not-in-batch"), (4, "voucher-missing"), (5, "duplicate-line"), (6, "no-line")]
    assert await figures(suite) == (1_000_000, 900_000, 0, 100_000)  # not even line 2, which was right
    assert (await suite.client("awards").get(f"/api/v1/awards/{a}")).json()["state"] == "approved"
    r = await treasury(suite).post(f"/api/v1/payment-batches/{bid}/result", content=b"\xff\xfe\x00garbage",
                                   headers={"content-type": "text/csv"})
    assert r.status_code == 422 and r.json()["errors"][0]["line"] == 1
    r = await treasury(suite).post(f"/api/v1/payment-batches/{bid}/result", json={"lines": [{"seq": 1}]})
    assert r.status_code == 422  # a JSON line without its result

    # the result file: A paid, B returned
    good = f"\ufeff序号,奖励编号,结果,凭证号,退回原因\n1,{a},成功,FS-ZF-0001,\n2,{b},退回,,账户已销户\n合计,,,,\n"
    for _ in range(2):  # the same file twice: the second time changes nothing
        r = await treasury(suite).post(f"/api/v1/payment-batches/{bid}/result", content=good.encode(),
                                       headers={"content-type": "text/csv"})
        assert r.status_code == 200, r.text
        done = r.json()
        assert (done["state"], done["paid_yuan"], done["returned_count"]) == ("settled", 300_000, 1)
        assert [(x["result"], x["voucher"], x["returned_reason"]) for x in done["lines"]] == [
            ("paid", "FS-ZF-0001", None), ("returned", None, "账户已销户")]
        assert await figures(suite) == (1_000_000, 600_000, 300_000, 100_000)
        await ledger_balanced(suite, owed=600_000, reserved=600_000)
    award_a = (await suite.client("awards").get(f"/api/v1/awards/{a}")).json()
    award_b = (await suite.client("awards").get(f"/api/v1/awards/{b}")).json()
    assert (award_a["state"], award_b["state"]) == ("disbursed", "approved")
    assert [h["voucher"] for h in award_a["history"] if h.get("voucher")] == ["FS-ZF-0001"]
    conflict = await treasury(suite).post(f"/api/v1/payment-batches/{bid}/result", json={"lines": [
        {"seq": 2, "result": "paid", "voucher": "FS-ZF-0002"}]})
    assert conflict.status_code == 422 and conflict.json()["errors"][0]["type"] == "result-conflict"

    # B is back in the queue, with why; after its account is fixed a later batch pays it
    q = (await treasury(suite).get("/api/v1/payment-queue")).json()
    assert [(i["award_id"], i["last_returned_reason"]) for i in q["items"]] == [(b, "账户已销户"), (c, None)]
    assert (await treasury(suite).put("/api/v1/payees", json={
        "kind": "enterprise", "ref": B, "name": f"企业{B[-4:]}", "bank_name": "建设银行房山支行",
        "account": "6217000000003333"})).status_code == 200
    r = await treasury(suite).post("/api/v1/payment-batches", json={"award_ids": [b]})
    assert r.status_code == 201 and r.json()["lines"][0]["account_masked"] == "6217 **** **** 3333"
    second = r.json()["id"]
    assert (await treasury(suite).get(f"/api/v1/payment-batches/{second}/export",
                                      params={"format": "csv"})).status_code == 200
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "结果", "凭证号"])
    wb.active.append([1, "paid", "FS-ZF-0003"])
    buf = io.BytesIO()
    wb.save(buf)
    r = await treasury(suite).post(f"/api/v1/payment-batches/{second}/result", content=buf.getvalue(),
                                   headers={"content-type": "application/vnd.openxmlformats-officedocument."
                                                            "spreadsheetml.sheet"})
    assert r.status_code == 200 and r.json()["state"] == "settled", r.text
    assert await figures(suite) == (1_000_000, 300_000, 600_000, 100_000)
    await ledger_balanced(suite, owed=300_000, reserved=300_000)
    assert await queue_ids(suite) == [c]
    listed = (await suite.client("awards", role="auditor").get("/api/v1/payment-batches")).json()["items"]
    assert [x["id"] for x in listed] == [second, bid]


async def test_cancel_a_draft_batch(approved, suite):
    """A draft batch cancelled: its award back in the queue (still approved, still reserved), the batch
    neither exported nor taking a result; cancelling twice is one effect; an exported batch is not cancelled."""
    c = approved[C]
    assert (await treasury(suite).put("/api/v1/payees", json={
        "kind": "enterprise", "ref": C, "name": f"企业{C[-4:]}", "bank_name": "农业银行房山支行",
        "account": "6228480000004444"})).status_code == 200
    before = await figures(suite)
    r = await treasury(suite).post("/api/v1/payment-batches", json={"award_ids": [c]})
    assert r.status_code == 201, r.text
    bid = r.json()["id"]
    assert c not in await queue_ids(suite)
    path = f"/api/v1/payment-batches/{bid}/cancel"
    assert (await suite.client("awards", role="econ").post(path, json={"reason": "x"})).status_code == 403
    for bad in ({}, {"reason": ""}, {"reason": "x", "more": 1}):
        r = await treasury(suite).post(path, json=bad)
        assert r.status_code == 422 and "detail_zh" in r.json(), r.text
    assert (await treasury(suite).post("/api/v1/payment-batches/999999/cancel", json={"reason": "x"})
            ).status_code == 404
    for _ in range(2):  # the second time: the same answer, nothing written
        r = await treasury(suite).post(path, json={"reason": "账户待核实"})
        assert r.status_code == 200, r.text
        done = r.json()
        assert (done["state"], done["cancel_reason"]) == ("cancelled", "账户待核实")
        assert done["cancelled_by"].startswith("treasury")
        assert done["cancelled_at"] and [x["result"] for x in done["lines"]] == [None]
    keyed = {"Idempotency-Key": "cancel-1"}
    again = await treasury(suite).post(path, json={"reason": "账户待核实"}, headers=keyed)
    assert again.status_code == 200 and again.json()["state"] == "cancelled"
    log = (await suite.client("awards", role="auditor").get(
        "/api/v1/audit-log", params={"object_type": "payment_batch", "object_id": str(bid)})).json()["items"]
    assert [e["action"] for e in log].count("payment_batch.cancelled") == 1
    assert c in await queue_ids(suite)
    assert (await suite.client("awards").get(f"/api/v1/awards/{c}")).json()["state"] == "approved"
    assert await figures(suite) == before  # cancelling moves no money
    r = await treasury(suite).get(f"/api/v1/payment-batches/{bid}/export", params={"format": "csv"})
    assert r.status_code == 409 and kind(r) == "batch-cancelled" and r.json()["detail_en"]
    r = await treasury(suite).post(f"/api/v1/payment-batches/{bid}/result",
                                   json={"lines": [{"seq": 1, "result": "paid", "voucher": "FS-C-1"}]})
    assert r.status_code == 409 and kind(r) == "batch-cancelled"
    listed = (await suite.client("awards", role="auditor").get(
        "/api/v1/payment-batches", params={"state": "cancelled"})).json()["items"]
    assert [x["id"] for x in listed] == [bid]

    # the one-open-batch key is free: a new batch takes the award; once exported it is not cancelled
    r = await treasury(suite).post("/api/v1/payment-batches", json={"award_ids": [c]})
    assert r.status_code == 201, r.text
    other = r.json()["id"]
    assert (await treasury(suite).get(f"/api/v1/payment-batches/{other}/export")).status_code == 200
    r = await treasury(suite).post(f"/api/v1/payment-batches/{other}/cancel", json={"reason": "晚了"})
    assert r.status_code == 409 and kind(r) == "already-exported" and r.json()["state"] == "exported"
    assert (await suite.client("awards").get(f"/api/v1/payment-batches/{other}")).json()["state"] == "exported"
    assert c not in await queue_ids(suite)
    assert await figures(suite) == before
