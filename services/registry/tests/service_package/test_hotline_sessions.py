"""The service package's hotline questions (热线咨询) and policy sessions (政策宣讲会), through the
API: 401 / 403 / out of scope / valid for each endpoint, bad input 422, the caller's phone masked
for everyone but the lead bureau and kept out of the audit log and the outbox."""
import uuid

import pytest
from sqlalchemy import select

from services.registry.service_package import rules
from shared.tables import AuditLog, Outbox
from shared.testing import make_uscc, wrong_check

HQ = "/api/v1/hotline-questions"
PS = "/api/v1/policy-sessions"
PHONE = "138-1234-5678"


@pytest.mark.parametrize("phone, masked", [("13812345678", "138****5678"), ("138-1234-5678", "138****5678"),
                                           ("+86 10 6936 1234", "861*****1234"), ("12345", "***45"),
                                           ("69361234", "******34"), ("010-6936-1234", "010****1234"),
                                           (None, None)])
def test_mask_phone(phone, masked):
    assert rules.mask_phone(phone) == masked


def test_mask_name_and_summary_rule():
    assert rules.mask_name("张三丰") == "张**" and rules.mask_name(None) is None
    got = rules.session_summary([(1, "窦店镇"), (2, "窦店镇"), (3, "阎村镇")],
                                [(1, "A", 2), (2, "A", 1), (2, "B", 4), (3, "A", 1), (9, "C", 5)])
    assert got["townships"] == [{"township": "窦店镇", "sessions": 2, "enterprises": 2, "attendees": 7},
                                {"township": "阎村镇", "sessions": 1, "enterprises": 1, "attendees": 1}]
    assert got["totals"] == {"sessions": 3, "enterprises": 2, "attendees": 8}


async def _enterprise(econ, park_id=None) -> str:
    u = make_uscc()
    r = await econ.post("/api/v1/enterprises", json={"uscc": u, "name": "热线测试科技", "park_id": park_id})
    assert r.status_code == 201, r.text
    return u


async def test_hotline_questions(suite):
    econ = suite.client("registry")
    u = await _enterprise(econ, "P-HL")
    r = await econ.post(HQ, json={"uscc": u, "caller_name": "王小明", "caller_phone": PHONE, "category": "subsidy",
                                  "question": "研发费用补贴何时申报？", "asked_on": "2025-03-01"})
    assert r.status_code == 201, r.text
    sub = r.json()
    # masked even to econ in a POST's answer (kept with an Idempotency-Key); whole by GET below
    assert (sub["department"], sub["caller_phone"], sub["caller_name"], sub["answered"]) == (
        "treasury", "138****5678", "王**", False)
    land = (await econ.post(HQ, json={"uscc": u, "category": "land_space", "question": "能否扩租厂房？"})).json()
    anon = (await econ.post(HQ, json={"category": "land_space", "question": "园区还有空置厂房吗？",
                                      "caller_phone": "13900001111"})).json()
    assert land["department"] == "park" and anon["uscc"] is None
    assert anon["department"] == "econ"  # of no enterprise: no park reads it, so the lead bureau owns it
    # the lead bureau reads the phone; every other reader sees it masked
    assert (await econ.get(f"{HQ}/{sub['id']}")).json()["caller_phone"] == PHONE
    for role in ("treasury", "auditor"):
        got = (await suite.client("registry", role=role).get(f"{HQ}/{sub['id']}")).json()
        assert (got["caller_phone"], got["caller_name"]) == ("138****5678", "王**")
        listed = (await suite.client("registry", role=role).get(HQ, params={"uscc": u})).json()["items"]
        assert {i["caller_phone"] for i in listed} == {"138****5678", None}
    # the phone is in no audit row and no event
    with suite.db("registry").reader() as s:
        audit = [str(a.before) + str(a.after) for a in s.scalars(select(AuditLog).where(AuditLog.object_type == "hotline_question"))]
        outbox = [o.payload for o in s.scalars(select(Outbox))]
    assert len(audit) == 3 and all("1234-5678" not in a and "12345678" not in a and "13900001111" not in a for a in audit)
    assert all("1234-5678" not in p and "13900001111" not in p for p in outbox)
    # answering: the owning department or the lead bureau, once
    talent = suite.client("registry", role="talent")
    treasury = suite.client("registry", role="treasury")
    body = {"answer": "每年4月在区政务服务网申报", "answered_by": "区财政局 李四", "answered_on": "2025-03-05"}
    r = await talent.post(f"{HQ}/{sub['id']}/answer", json=body)
    assert r.status_code == 403 and r.json()["type"].endswith("not-owner")
    assert (await treasury.post(f"{HQ}/{sub['id']}/answer", json={**body, "answered_on": "2025-02-28"})).status_code == 422
    r = await treasury.post(f"{HQ}/{sub['id']}/answer", json=body)
    assert r.status_code == 200, r.text
    assert (r.json()["answered"], r.json()["answered_by"], r.json()["answered_on"]) == (True, "区财政局 李四", "2025-03-05")
    assert r.json()["caller_phone"] == "138****5678"
    r = await treasury.post(f"{HQ}/{sub['id']}/answer", json=body)
    assert r.status_code == 409 and r.json()["type"].endswith("already-answered") and r.json()["existing"]["answered"]
    # a park answers and sees its own enterprises' questions only (not anonymous ones)
    other = suite.client("registry", role="park", org="P-OTHER")
    mine = suite.client("registry", role="park", org="P-HL")
    assert (await other.post(f"{HQ}/{land['id']}/answer", json={"answer": "x"})).status_code == 404
    assert (await other.get(f"{HQ}/{land['id']}")).status_code == 404
    assert (await other.get(HQ)).json()["items"] == []
    assert (await mine.post(f"{HQ}/{anon['id']}/answer", json={"answer": "x"})).status_code == 404
    assert [i["id"] for i in (await mine.get(HQ)).json()["items"]] == [land["id"], sub["id"]]
    r = await mine.post(f"{HQ}/{land['id']}/answer", json={"answer": "可联系园区招商部"})
    assert r.status_code == 200 and r.json()["answered_by"].startswith("park:P-HL:")
    r = await econ.post(f"{HQ}/{anon['id']}/answer", json={"answer": "请联系各园区"})
    assert r.status_code == 200 and r.json()["caller_phone"] == "139****1111"
    assert (await econ.get(f"{HQ}/{anon['id']}")).json()["caller_phone"] == "13900001111"
    # filters and pagination
    mine_ids = {sub["id"], land["id"], anon["id"]}
    unanswered = (await econ.post(HQ, json={"uscc": u, "category": "talent", "question": "人才公寓怎么申请？"})).json()
    assert unanswered["department"] == "talent"
    got = (await econ.get(HQ, params={"answered": "false"})).json()["items"]
    assert [i["id"] for i in got] == [unanswered["id"]]
    assert {i["id"] for i in (await econ.get(HQ, params={"answered": "true"})).json()["items"]} == mine_ids
    assert [i["id"] for i in (await econ.get(HQ, params={"category": "subsidy"})).json()["items"]] == [sub["id"]]
    assert [i["id"] for i in (await econ.get(HQ, params={"department": "talent"})).json()["items"]] == [unanswered["id"]]
    seen, cursor = [], None
    while True:
        page = (await econ.get(HQ, params={"uscc": u, "limit": 1, **({"cursor": cursor} if cursor else {})})).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted({sub["id"], land["id"], unanswered["id"]}, reverse=True)
    # roles
    assert (await suite.client("registry", role=None).get(HQ)).status_code == 401
    assert (await suite.client("registry", role=None).post(HQ, json={})).status_code == 401
    for role, org in (("bank", "B1"), ("platform", None)):
        assert (await suite.client("registry", role=role, org=org).get(HQ)).status_code == 403
    assert (await treasury.post(HQ, json={"category": "other", "question": "x"})).status_code == 403
    assert (await suite.client("registry", role="auditor").post(f"{HQ}/{unanswered['id']}/answer",
                                                                json={"answer": "x"})).status_code == 403
    # bad input: 4xx, never 500
    for bad in ({"category": "gold", "question": "x"}, {"category": "other"}, {"category": "other", "question": " "},
                {"category": "other", "question": "x", "caller_phone": "call me"},
                {"category": "other", "question": "x", "caller_phone": "1" * 30},
                {"category": "other", "question": "x", "uscc": wrong_check(u)},
                {"category": "other", "question": "x", "asked_on": "2025-02-30"},
                {"category": "other", "question": "x", "asked_on": "2999-01-01"},
                {"category": "other", "question": "x", "caller_id_number": "110111199001011234"}):
        r = await econ.post(HQ, json=bad)
        assert r.status_code == 422, (bad, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert (await econ.post(HQ, json={"category": "other", "question": "x", "uscc": make_uscc()})).status_code == 404
    for bad in ({"answer": "   "}, {}, {"answer": "x", "answered_on": "2999-01-01"}):
        assert (await econ.post(f"{HQ}/{unanswered['id']}/answer", json=bad)).status_code == 422, bad
    assert (await econ.post(f"{HQ}/999999/answer", json={"answer": "x"})).status_code == 404
    for path in (f"{HQ}/0", f"{HQ}/abc", f"{HQ}/99999999999999999999"):
        assert (await econ.get(path)).status_code == 422, path
    assert (await econ.get(f"{HQ}/999999")).status_code == 404
    for params in ({"cursor": "%%"}, {"cursor": "YWJj"}, {"answered": "maybe"}, {"category": "gold"}, {"limit": 0}):
        assert (await econ.get(HQ, params=params)).status_code == 422, params
    await suite.settled()


async def test_policy_sessions_and_attendance(suite):
    econ = suite.client("registry")
    a, b = await _enterprise(econ), await _enterprise(econ)
    town, town2 = f"窦店镇-{uuid.uuid4().hex[:6]}", f"阎村镇-{uuid.uuid4().hex[:6]}"

    async def session(township, held_on, title="专精特新政策宣讲"):
        r = await econ.post(PS, json={"title": title, "township": township, "held_on": held_on,
                                      "topic": "梯度培育政策解读；奖励申报流程", "venue": "镇政府三楼会议室"})
        assert r.status_code == 201, r.text
        return r.json()

    s1, s2 = await session(town, "2025-03-01"), await session(town, "2025-06-01")
    s3, s0 = await session(town2, "2025-04-01"), await session(town, "2024-12-01")
    assert (s1["township"], s1["enterprises"], s1["attendees"]) == (town, 0, 0)
    # attendance: one record per (session, enterprise); a repeat replaces the count
    r = await econ.put(f"{PS}/{s1['id']}/attendance/{a}", json={"attendees": 2})
    assert r.status_code == 201 and r.json() == {"session_id": s1["id"], "uscc": a, "attendees": 2}
    r = await econ.put(f"{PS}/{s1['id']}/attendance/{a}", json={"attendees": 3})
    assert r.status_code == 200 and r.json()["attendees"] == 3
    assert (await econ.put(f"{PS}/{s1['id']}/attendance/{a}", json={"attendees": 3})).status_code == 200
    for sid, u in ((s1["id"], b), (s2["id"], a), (s3["id"], a), (s0["id"], b)):
        assert (await econ.put(f"{PS}/{sid}/attendance/{u}", json={})).status_code == 201
    detail = (await econ.get(f"{PS}/{s1['id']}")).json()
    assert (detail["enterprises"], detail["attendees"]) == (2, 4)
    assert sorted((i["uscc"], i["attendees"]) for i in detail["attendance"]) == sorted([(a, 3), (b, 1)])
    assert all(i["name"] == "热线测试科技" for i in detail["attendance"])
    # lists by township and period, newest first, paged
    got = (await econ.get(PS, params={"township": town, "from": "2025-01-01", "to": "2025-12-31"})).json()["items"]
    assert [(i["id"], i["enterprises"], i["attendees"]) for i in got] == [(s2["id"], 1, 1), (s1["id"], 2, 4)]
    seen, cursor = [], None
    while True:
        page = (await econ.get(PS, params={"township": town, "limit": 1, **({"cursor": cursor} if cursor else {})})).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [s2["id"], s1["id"], s0["id"]]
    assert (await econ.get(PS, params={"township": "无此镇"})).json()["items"] == []
    # the year's summary per township: sessions, distinct enterprises, attendees
    summary = (await suite.client("registry", role="auditor").get(f"{PS}/summary", params={"year": 2025})).json()
    rows = {r["township"]: r for r in summary["townships"]}
    assert rows[town] == {"township": town, "sessions": 2, "enterprises": 2, "attendees": 5}
    assert rows[town2] == {"township": town2, "sessions": 1, "enterprises": 1, "attendees": 1}
    assert summary["totals"] == {"sessions": 3, "enterprises": 2, "attendees": 6}
    one = (await econ.get(f"{PS}/summary", params={"year": 2024, "township": town})).json()
    assert one["townships"] == [{"township": town, "sessions": 1, "enterprises": 1, "attendees": 1}]
    assert (await econ.get(f"{PS}/summary", params={"year": 2023})).json()["totals"]["sessions"] == 0
    # roles
    anon = suite.client("registry", role=None)
    assert (await anon.get(PS)).status_code == 401 and (await anon.post(PS, json={})).status_code == 401
    assert (await anon.put(f"{PS}/{s1['id']}/attendance/{a}", json={})).status_code == 401
    assert (await anon.get(f"{PS}/summary", params={"year": 2025})).status_code == 401
    for role, org in (("bank", "B1"), ("park", "P-1"), ("platform", None)):
        c = suite.client("registry", role=role, org=org)
        assert (await c.get(PS)).status_code == 403
        assert (await c.get(f"{PS}/{s1['id']}")).status_code == 403
        assert (await c.get(f"{PS}/summary", params={"year": 2025})).status_code == 403
    treasury = suite.client("registry", role="treasury")
    assert (await treasury.get(f"{PS}/{s1['id']}")).status_code == 200
    assert (await treasury.post(PS, json={})).status_code == 403
    assert (await treasury.put(f"{PS}/{s1['id']}/attendance/{a}", json={})).status_code == 403
    # out of scope and bad input: 404 / 422, never 500
    assert (await econ.get(f"{PS}/999999")).status_code == 404
    assert (await econ.put(f"{PS}/999999/attendance/{a}", json={})).status_code == 404
    assert (await econ.put(f"{PS}/{s1['id']}/attendance/{make_uscc()}", json={})).status_code == 404
    good = {"title": "t", "township": town, "held_on": "2025-01-01", "topic": "x"}
    for bad in ({**good, "held_on": "2025-02-30"}, {k: v for k, v in good.items() if k != "township"},
                {**good, "title": ""}, {**good, "township": "镇" * 51}, {**good, "speaker_phone": "13800000000"}):
        assert (await econ.post(PS, json=bad)).status_code == 422, bad
    for bad in ({"attendees": 0}, {"attendees": -1}, {"attendees": "many"}, {"attendees": 2, "names": ["张三"]}):
        r = await econ.put(f"{PS}/{s1['id']}/attendance/{b}", json=bad)
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), bad
    assert (await econ.put(f"{PS}/{s1['id']}/attendance/{wrong_check(b)}", json={})).status_code == 422
    assert (await econ.put(f"{PS}/0/attendance/{b}", json={})).status_code == 422
    for params in ({"cursor": "%%"}, {"cursor": "YWJj"}, {"from": "2025-06-01", "to": "2025-01-01"},
                   {"from": "2025-13-01"}):
        assert (await econ.get(PS, params=params)).status_code == 422, params
    for params in ({}, {"year": 1999}, {"year": "x"}):
        assert (await econ.get(f"{PS}/summary", params=params)).status_code == 422, params
    assert (await econ.get(f"{PS}/{s1['id']}")).json()["attendees"] == 4  # nothing bad changed it
    await suite.settled()
