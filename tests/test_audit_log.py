"""The audit-log API every service mounts (issue 18): who changed what, when, before and after,
newest first, filtered by object, actor and time, personal data masked, for the auditor, the
lead bureau and the service's own department only."""
import base64
import datetime as dt
import importlib
import uuid

import pytest

from shared import audit
from shared.settings import available_services
from shared.testing import Suite, make_uscc

SERVICES = ("parks", "talent", "finance")


@pytest.fixture(scope="module")
async def suite(tmp_path_factory):
    s = await Suite(tmp_path_factory.mktemp("audit"), services=SERVICES).start()
    yield s
    await s.stop()


@pytest.mark.parametrize("service", available_services())
def test_every_service_mounts_the_audit_log(service):
    app = importlib.import_module(f"services.{service}.main").app
    app.openapi_schema = None
    assert "get" in app.openapi()["paths"]["/api/v1/audit-log"]


async def new_intermediary(suite, contact="王经理 13812345678"):
    r = await suite.client("parks").post("/api/v1/intermediaries", json={
        "name": f"审计测试中介-{uuid.uuid4().hex[:6]}", "kind": "intermediary", "uscc": make_uscc(),
        "contact": contact})
    assert r.status_code == 201, r.text
    return r.json()


async def test_a_change_reads_back_masked_with_who_and_when(suite):
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=1)
    made = await new_intermediary(suite)
    auditor = suite.client("parks", role="auditor")
    r = await auditor.get(f"/api/v1/audit-log?object_type=intermediary&object_id={made['id']}")
    assert r.status_code == 200, r.text
    [entry] = r.json()["items"]
    assert entry["action"] == "intermediary.create" and entry["actor"].startswith("econ:")
    assert entry["before"] is None and entry["after"]["name"] == made["name"]  # an organisation's name is public
    assert entry["after"]["contact"] == "王" + "*" * 12 and "13812345678" not in r.text
    at = dt.datetime.fromisoformat(entry["at"])
    assert start <= at <= dt.datetime.now(dt.UTC)
    # by time: a window before the change holds nothing of it; since (with an offset) holds it
    early = (start - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    r = await auditor.get("/api/v1/audit-log", params={"object_id": made["id"], "until": early})
    assert r.json()["items"] == []
    r = await auditor.get("/api/v1/audit-log", params={"object_id": made["id"],
                                                      "since": start.astimezone(dt.timezone(dt.timedelta(hours=8)))
                                                      .isoformat()})
    assert [e["id"] for e in r.json()["items"]] == [entry["id"]]


async def test_pages_walk_newest_first_and_filter_by_actor(suite):
    for _ in range(3):
        await new_intermediary(suite)
    auditor = suite.client("parks", role="auditor")
    whole = (await auditor.get("/api/v1/audit-log?object_type=intermediary&limit=500")).json()["items"]
    ids = [e["id"] for e in whole]
    assert len(ids) >= 3 and ids == sorted(ids, reverse=True)
    seen, cursor = [], None
    while True:
        page = (await auditor.get("/api/v1/audit-log", params={"object_type": "intermediary", "limit": 2,
                                                               **({"cursor": cursor} if cursor else {})})).json()
        seen += [e["id"] for e in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == ids
    actor = whole[0]["actor"]
    assert {e["actor"] for e in (await auditor.get("/api/v1/audit-log", params={"actor": actor})).json()["items"]} \
        == {actor}
    by_role = (await auditor.get("/api/v1/audit-log", params={"actor": "econ:"})).json()["items"]
    assert by_role and all(e["actor"].startswith("econ:") for e in by_role)
    assert (await auditor.get("/api/v1/audit-log", params={"actor": "econ"})).json()["items"] == []  # not a prefix
    assert (await auditor.get("/api/v1/audit-log", params={"actor": "treasury:"})).json()["items"] == []


async def test_personal_data_is_masked_at_any_depth(suite):
    """What a service wrote into before/after (a nomination, a hotline question, a contact) reads
    back masked, whatever its depth; an enterprise's name is not personal data."""
    object_id = uuid.uuid4().hex[:12]
    before = {"person": {"name": "张三", "id_number": "110111198803157367", "education": "博士"},
              "caller_name": "王小明", "caller_phone": "138-1234-5678", "name": "北京某某科技有限公司"}
    after = {"people": [{"person_name": "欧阳娜娜", "phone": 13912345678}],
             "contact": {"name": "李四", "email": "lisi@example.com", "bank_account": "6222 0212 3456 7890"},
             "home_address": "北京市房山区良乡镇某路1号院3楼", "id_number_masked": "1101*************7",
             "state": "rejected", "amount_yuan": 200000}
    with suite.db("talent").transaction() as s:
        audit.record(s, "talent:-:zhao", "nomination.reject", "nomination", object_id, before, after)
    r = await suite.client("talent", role="auditor").get(f"/api/v1/audit-log?object_id={object_id}")
    [entry] = r.json()["items"]
    assert entry["before"] == {"person": {"name": "张*", "id_number": "1101*************7", "education": "博士"},
                               "caller_name": "王**", "caller_phone": "138****5678", "name": "北京某某科技有限公司"}
    assert entry["after"] == {"people": [{"person_name": "欧***", "phone": "139****5678"}],
                              "contact": {"name": "李*", "email": "l***@example.com",
                                          "bank_account": "************7890"},
                              "home_address": "北京市房山区****", "id_number_masked": "1101*************7",
                              "state": "rejected", "amount_yuan": 200000}
    for raw in ("张三", "198803", "1234-5678", "lisi@", "0212", "良乡镇"):
        assert raw not in r.text
    # the row keeps what the service wrote: masking is on the way out
    with suite.db("talent").reader() as s:
        from sqlalchemy import select

        from shared.tables import AuditLog
        assert s.scalar(select(AuditLog.before).where(AuditLog.object_id == object_id))["person"]["name"] == "张三"


@pytest.mark.parametrize("service, role, org, status", [
    ("parks", "auditor", None, 200), ("parks", "econ", None, 200), ("parks", "park", "P1", 403),
    ("parks", "bank", "B1", 403), ("parks", "enterprise", "91110111MA01R2XJ3P", 403),
    ("talent", "talent", None, 200), ("talent", "treasury", None, 403),
    ("finance", "finance", None, 200), ("finance", "talent", None, 403), ("finance", None, None, 401),
])
async def test_who_may_read(suite, service, role, org, status):
    assert (await suite.client(service, role=role, org=org).get("/api/v1/audit-log")).status_code == status


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "cursor=!!", "cursor=" + base64.urlsafe_b64encode(b"x").decode(),
                                   "since=yesterday", "until=2026-13-01", "object_type=" + "x" * 51])
async def test_bad_queries_are_422_problems(suite, query):
    r = await suite.client("parks", role="auditor").get(f"/api/v1/audit-log?{query}")
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail_zh"] and r.json()["detail_en"]


def test_masks():
    assert audit.mask_name("张三") == "张*" and audit.mask_name("欧阳娜娜") == "欧***" and audit.mask_name("王") == "*"
    assert audit.mask_id("11010519491231002X") == "1101*************X"
    assert audit.mask_phone("+86 138 1234 5678") == "861******5678"
    assert audit.mask_phone("13812345678") == "138****5678" and audit.mask_phone("6936 1234") == "******34"
    assert audit.mask_email("a.b@c.cn") == "a***@c.cn" and audit.mask_email("not-an-address").startswith("n*")
    assert audit.mask_account("6222021234567890123") == "*" * 15 + "0123"
    # keys match whatever their case; a value that is not text is masked as text; None stays None
    assert audit.mask({"Phone": 13812345678, "EMAIL": None, "x": [{"caller": {"name": "赵六"}}]}) == \
        {"Phone": "138****5678", "EMAIL": None, "x": [{"caller": {"name": "赵*"}}]}
