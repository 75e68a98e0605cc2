"""Correcting the record (issue 18): edit an enterprise's facts, record its departure; each an
audited change that bumps the version and publishes the whole record."""
import datetime as dt

from sqlalchemy import select

from services.registry.tables import Enterprise, Park
from services.registry.tests.enterprises.helpers import audited, certify, published, record_park, register
from shared.clock import today
from shared.testing import make_uscc


def _row(suite, uscc: str) -> Enterprise:
    with suite.db("registry").reader() as s:
        return s.get(Enterprise, uscc)


async def test_a_correction_changes_the_fields_given_and_publishes_them(suite):
    econ, uscc, park = suite.client("registry"), make_uscc(), f"park-{make_uscc()[-6:]}"
    await register(suite, uscc, township="窦店镇", industry_code="C35")
    assert await record_park(suite, park, "北京房山高端制造业基地") == "handled"
    r = await econ.patch(f"/api/v1/enterprises/{uscc}",
                         json={"township": "北京市房山区良乡", "park_id": park, "reason": "按营业执照补正"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["township"], body["park_id"], body["name"], body["industry_code"], body["status"]) == (
        "良乡镇", park, "更正测试企业", "C35", "active")
    [event] = published(suite, "enterprise.changed.v1", uscc)
    assert event["changes"] == [{"field": "township", "before": "窦店镇", "after": "良乡镇"},
                                {"field": "park_id", "before": None, "after": park}]
    assert event["reason"] == "按营业执照补正" and event["enterprise_version"] == 2
    assert event["record"]["township"] == "良乡镇" and event["park_id"] == park
    [row] = audited(suite, "enterprise.change", uscc)
    assert row.before == {"township": "窦店镇", "park_id": None}
    assert row.after == {"township": "良乡镇", "park_id": park, "reason": "按营业执照补正"}
    got = (await econ.get(f"/api/v1/enterprises/{uscc}")).json()
    assert (got["township"], got["park_id"]) == ("良乡镇", park)

    # The same values again: nothing changed, nothing published or audited, the version stays.
    r = await econ.patch(f"/api/v1/enterprises/{uscc}", json={"township": "良乡镇", "park_id": park})
    assert r.status_code == 200
    assert len(published(suite, "enterprise.changed.v1", uscc)) == 1
    assert len(audited(suite, "enterprise.change", uscc)) == 1
    assert _row(suite, uscc).version == 2

    # null clears a field; the name may change, not be cleared
    r = await econ.patch(f"/api/v1/enterprises/{uscc}", json={"park_id": None, "name": "北京更正后科技有限公司"})
    assert r.status_code == 200 and r.json()["park_id"] is None and r.json()["name"] == "北京更正后科技有限公司"
    last = published(suite, "enterprise.changed.v1", uscc)[-1]
    assert last["changes"] == [{"field": "name", "before": "更正测试企业", "after": "北京更正后科技有限公司"},
                               {"field": "park_id", "before": park, "after": None}]
    assert last["enterprise_version"] == 3 and last["reason"] is None
    await suite.settled()


async def test_an_unknown_township_or_park_is_422_and_changes_nothing(suite):
    econ, uscc = suite.client("registry"), make_uscc()
    await register(suite, uscc, township="窦店镇")
    before = _row(suite, uscc)
    for body, words in (({"name": "新名称", "township": "海淀镇"}, "海淀镇"),
                        ({"name": "新名称", "park_id": "park-nowhere"}, "park-nowhere"),
                        ({"name": None}, "name"), ({"name": "新名称", "status": "closed"}, "status"),
                        ({"township": "良乡\x07"}, "U+0007")):
        r = await econ.patch(f"/api/v1/enterprises/{uscc}", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json") and words in r.text, r.text
    r = await econ.patch(f"/api/v1/enterprises/{uscc}", json={"township": "海淀镇"})
    assert "不是房山区的乡镇" in r.json()["detail_zh"] and "Fangshan" in r.json()["detail_en"]
    after = _row(suite, uscc)
    assert (after.name, after.township, after.version, after.doc) == (before.name, before.township, 1, before.doc)
    assert published(suite, "enterprise.changed.v1", uscc) == [] and audited(suite, "enterprise.change", uscc) == []
    assert (await econ.patch(f"/api/v1/enterprises/{make_uscc()}", json={"name": "x"})).status_code == 404


async def test_a_park_record_older_than_the_one_held_changes_nothing(suite):
    park = f"park-{make_uscc()[-6:]}"
    assert await record_park(suite, park, "新名称园区", version=3) == "handled"
    assert await record_park(suite, park, "旧名称园区", version=2, township=None) == "handled"
    with suite.db("registry").reader() as s:
        row = s.get(Park, park)
        assert (row.name, row.township, row.version) == ("新名称园区", "窦店镇", 3)
    assert await record_park(suite, park, "更名后园区", version=4) == "handled"
    with suite.db("registry").reader() as s:
        assert s.scalars(select(Park.name).where(Park.park_id == park)).one() == "更名后园区"


async def test_departure_is_recorded_once_and_leaves_the_counts(suite):
    econ, uscc = suite.client("registry"), make_uscc()
    await register(suite, uscc)
    await certify(suite, uscc, "municipal_srdi", "2024-03-01")
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    r = await econ.post(f"/api/v1/enterprises/{uscc}/departure",
                        json={"status": "moved_out", "on": tomorrow, "reason": "迁往河北"})
    assert r.status_code == 422 and "晚于今天" in r.text
    for bad in ({"status": "gone", "on": "2025-06-30", "reason": "x"}, {"status": "closed", "on": "2025-06-30"}):
        assert (await econ.post(f"/api/v1/enterprises/{uscc}/departure", json=bad)).status_code == 422
    assert _row(suite, uscc).status == "active"
    stats = {on: (await econ.get(f"/api/v1/stats/tiers?on={on}")).json()["counts"]
             for on in ("2025-06-29", "2025-06-30")}

    r = await econ.post(f"/api/v1/enterprises/{uscc}/departure",
                        json={"status": "moved_out", "on": "2025-06-30", "reason": "整体迁往河北省涿州市"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["status_on"]) == ("moved_out", "2025-06-30")
    got = (await econ.get(f"/api/v1/enterprises/{uscc}")).json()
    assert (got["status"], got["status_on"]) == ("moved_out", "2025-06-30")
    [event] = published(suite, "enterprise.departed.v1", uscc)
    assert (event["status"], event["on"], event["reason"]) == ("moved_out", "2025-06-30", "整体迁往河北省涿州市")
    assert event["record"]["status"] == "moved_out" and event["record"]["status_on"] == "2025-06-30"
    assert event["enterprise_version"] == 3  # registered 1, certified 2, departed 3
    [row] = audited(suite, "enterprise.depart", uscc)
    assert row.before["status"] == "active" and row.after["status_on"] == "2025-06-30"

    # Gone from the tier counts from its departure day on, still counted the day before.
    after = {on: (await econ.get(f"/api/v1/stats/tiers?on={on}")).json()["counts"]
             for on in ("2025-06-29", "2025-06-30")}
    assert after["2025-06-29"] == stats["2025-06-29"]
    assert after["2025-06-30"]["municipal_srdi"] == stats["2025-06-30"]["municipal_srdi"] - 1
    assert sum(after["2025-06-30"].values()) == sum(stats["2025-06-30"].values()) - 1
    # stats/new: out of the stock from that day; its recognition within the period still counts as new
    srdi = {to: (await econ.get("/api/v1/stats/new", params={"from": "2024-01-01", "to": to})).json()["tiers"][
        "municipal_srdi"] for to in ("2025-06-29", "2025-06-30")}
    assert srdi["2025-06-30"]["stock"] == srdi["2025-06-29"]["stock"] - 1
    assert srdi["2025-06-30"]["new"] == srdi["2025-06-29"]["new"] >= 1

    again = await econ.post(f"/api/v1/enterprises/{uscc}/departure",
                            json={"status": "closed", "on": "2025-08-01", "reason": "注销"})
    assert again.status_code == 409 and again.json()["status_recorded"] == "moved_out"
    assert len(published(suite, "enterprise.departed.v1", uscc)) == 1
    # A departed enterprise can still be corrected.
    r = await econ.patch(f"/api/v1/enterprises/{uscc}", json={"name": "迁出后更名企业"})
    assert r.status_code == 200 and r.json()["status"] == "moved_out"
    assert published(suite, "enterprise.changed.v1", uscc)[-1]["record"]["status"] == "moved_out"
    await suite.settled()


async def test_only_the_lead_bureau_corrects(suite):
    uscc = make_uscc()
    await register(suite, uscc, park_id="P-ROLE")
    cert = await certify(suite, uscc, "innovative", "2024-05-01")
    for role, org in (("bank", "B1"), ("park", "P-ROLE"), ("treasury", None), ("auditor", None)):
        c = suite.client("registry", role=role, org=org)
        assert (await c.patch(f"/api/v1/enterprises/{uscc}", json={"name": "越权更名"})).status_code == 403
        assert (await c.post(f"/api/v1/enterprises/{uscc}/departure",
                             json={"status": "closed", "on": "2025-01-01", "reason": "越权"})).status_code == 403
        assert (await c.post(f"/api/v1/certifications/{cert['id']}/void", json={"reason": "越权作废"})).status_code == 403
    assert (await suite.client("registry", role=None).patch(f"/api/v1/enterprises/{uscc}", json={})).status_code == 401
    row = _row(suite, uscc)
    assert (row.name, row.status, row.version) == ("更正测试企业", "active", 2)
    await suite.settled()
