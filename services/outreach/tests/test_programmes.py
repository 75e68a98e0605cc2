"""Higher-level programmes: the catalogue, applications the bureau helps with, reminders."""
import datetime as dt

from services.outreach import rules
from services.outreach.tests.helpers import district_enterprise
from shared.testing import make_uscc


def test_amounts_within_the_programme_maximum():
    assert rules.amount_error(None, 10**12, 10**12) is None
    assert rules.amount_error(100, 100, 100) is None
    assert rules.amount_error(100, 101, None) == "requested_yuan"
    assert rules.amount_error(100, 50, 101) == "granted_yuan"


def test_stages():
    assert rules.stage_error("preparing", "submitted") is None
    assert rules.stage_error("preparing", "granted")
    assert rules.stage_error("granted", "preparing")
    assert rules.closing_soon([(1, dt.date(2026, 1, 1), dt.date(2026, 1, 20)),
                               (2, dt.date(2026, 1, 1), dt.date(2026, 3, 1)),
                               (3, dt.date(2026, 2, 1), dt.date(2026, 2, 5))], dt.date(2026, 1, 10), 14) == [1]


async def test_catalogue_applications_and_reminders(suite):
    econ = suite.client("outreach")
    name = f"新智造100-{make_uscc()[-5:]}"
    body = {"name": name, "level": "municipal", "authority": "北京市经济和信息化局",
            "window_opens": "2026-05-01", "window_closes": "2026-05-20", "max_amount_yuan": 5_000_000,
            "url": "https://jxj.beijing.gov.cn/xzz100"}
    for bad in ({**body, "window_closes": "2026-04-01"}, {**body, "level": "county"},
                {**body, "max_amount_yuan": -1}, {**body, "url": "ftp://x"}):
        assert (await econ.post("/api/v1/programmes", json=bad)).status_code == 422
    assert (await suite.client("outreach", role="auditor").post("/api/v1/programmes", json=body)).status_code == 403
    p = (await econ.post("/api/v1/programmes", json=body)).json()
    assert (await econ.post("/api/v1/programmes", json=body)).status_code == 409
    later = (await econ.post("/api/v1/programmes", json={**body, "name": name + "-绿色技改",
                                                          "window_closes": "2026-08-01"})).json()
    u = await district_enterprise(suite)
    assert (await econ.post(f"/api/v1/programmes/{p['id']}/applications",
                            json={"uscc": make_uscc()})).status_code == 422
    assert (await econ.post(f"/api/v1/programmes/{p['id']}/applications",
                            json={"uscc": u, "requested_yuan": 6_000_000})).status_code == 422
    a = (await econ.post(f"/api/v1/programmes/{p['id']}/applications",
                         json={"uscc": u, "requested_yuan": 3_000_000})).json()
    assert a["stage"] == "preparing" and a["next_stages"] == ["submitted", "withdrawn"]  # what a form offers
    assert (await econ.post(f"/api/v1/programmes/{p['id']}/applications", json={"uscc": u})).status_code == 409
    # Reminders: on 05-10 the first window closes within 14 days, the second does not.
    r = (await econ.get("/api/v1/programmes/closing", params={"on": "2026-05-10"})).json()
    mine = {i["id"]: i for i in r["items"] if i["id"] in (p["id"], later["id"])}
    assert list(mine) == [p["id"]] and mine[p["id"]]["days_left"] == 10
    assert [x["uscc"] for x in mine[p["id"]]["preparing"]] == [u]
    assert r["param"]["key"] == "outreach.programme.reminder_days"
    opened = (await econ.get("/api/v1/programmes", params={"open_on": "2026-06-01"})).json()["items"]
    assert later["id"] in [i["id"] for i in opened] and p["id"] not in [i["id"] for i in opened]
    # Stages.
    path = f"/api/v1/applications/{a['id']}"
    assert (await econ.patch(path, json={"stage": "granted"})).status_code == 409
    assert (await econ.patch(path, json={"granted_yuan": 1})).status_code == 422
    assert (await econ.patch(path, json={"stage": "flying"})).status_code == 422
    # Amounts stay within the programme's maximum on update as on creation, and nothing is stored.
    r = await econ.patch(path, json={"requested_yuan": 5_000_001})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "requested_yuan"], r.text
    assert "上限" in r.json()["detail_zh"] and "maximum" in r.json()["detail_en"]
    assert (await econ.get(f"/api/v1/programmes/{p['id']}")).json()["applications"][0]["requested_yuan"] == 3_000_000
    for stage, then in (("submitted", ["approved", "rejected", "withdrawn"]), ("approved", ["granted", "withdrawn"])):
        moved = (await econ.patch(path, json={"stage": stage})).json()
        assert (moved["stage"], moved["next_stages"]) == (stage, then)
    r = await econ.patch(path, json={"stage": "granted", "granted_yuan": 5_000_001})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "granted_yuan"], r.text
    assert (await econ.get(f"/api/v1/programmes/{p['id']}")).json()["applications"][0]["stage"] == "approved"
    r = await econ.patch(path, json={"stage": "granted", "granted_yuan": 2_500_000})
    assert r.status_code == 200 and r.json()["granted_yuan"] == 2_500_000 and r.json()["next_stages"] == []
    assert (await econ.patch("/api/v1/applications/2147483647", json={"stage": "submitted"})).status_code == 404
    got = (await econ.get(f"/api/v1/programmes/{p['id']}")).json()
    assert got["applications"][0]["stage"] == "granted"
    listed = (await econ.get("/api/v1/applications", params={"uscc": u})).json()["items"]
    assert [x["id"] for x in listed] == [a["id"]]
    assert (await econ.get("/api/v1/programmes/closing", params={"on": "3000-01-01"})).status_code == 422


async def test_reminders_are_notices_sent_once(suite):
    econ = suite.client("outreach")
    name = f"上云上平台-{make_uscc()[-5:]}"
    p = (await econ.post("/api/v1/programmes", json={
        "name": name, "level": "municipal", "authority": "北京市经济和信息化局", "window_opens": "2030-03-01",
        "window_closes": "2030-03-31", "url": "https://jxj.beijing.gov.cn/cloud"})).json()
    u, v, w = [await district_enterprise(suite) for _ in range(3)]
    for x in (u, v, w):
        assert (await econ.post(f"/api/v1/programmes/{p['id']}/applications", json={"uscc": x})).status_code == 201
    a_w = (await econ.get("/api/v1/applications", params={"uscc": w})).json()["items"][0]
    await econ.patch(f"/api/v1/applications/{a_w['id']}", json={"stage": "submitted"})
    assert (await suite.client("outreach", role="auditor").post("/api/v1/programmes/reminders")).status_code == 403
    early = (await econ.post("/api/v1/programmes/reminders", params={"on": "2030-03-01"})).json()
    assert p["id"] not in [r["programme_id"] for r in early["reminders"]]
    r = (await econ.post("/api/v1/programmes/reminders", params={"on": "2030-03-20"})).json()
    [mine] = [x for x in r["reminders"] if x["programme_id"] == p["id"]]
    assert (mine["enterprises"], mine["queued"]) == (2, 4)  # u and v, inbox and e-mail
    notice = (await econ.get(f"/api/v1/notices/{mine['notice_id']}")).json()
    assert notice["reminder_key"] == f"reminder:{p['id']}:2030-03-31" and "2030-03-31" in notice["title"]
    again = (await econ.post("/api/v1/programmes/reminders", params={"on": "2030-03-21"})).json()
    [mine2] = [x for x in again["reminders"] if x["programme_id"] == p["id"]]
    assert mine2["notice_id"] == mine["notice_id"] and mine2["queued"] == 0
    # A new applicant still preparing is added to the same reminder.
    z = await district_enterprise(suite)
    await econ.post(f"/api/v1/programmes/{p['id']}/applications", json={"uscc": z})
    third = (await econ.post("/api/v1/programmes/reminders", params={"on": "2030-03-22"})).json()
    [mine3] = [x for x in third["reminders"] if x["programme_id"] == p["id"]]
    assert mine3["notice_id"] == mine["notice_id"] and (mine3["enterprises"], mine3["queued"]) == (3, 2)
    inbox = (await econ.get(f"/api/v1/enterprises/{z}/inbox")).json()["items"]
    assert [i["notice_id"] for i in inbox] == [mine["notice_id"]]
