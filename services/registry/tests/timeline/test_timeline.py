"""The record on a date (issue 18, item 2): ?on= on an enterprise, and its timeline of titles,
awards, quotas, list entries, requests, visits and corrections, fed by the real bus."""
import asyncio
import datetime as dt
from types import SimpleNamespace

import orjson
import pytest
from sqlalchemy import func, select

from services.registry.tables import TimelineFact
from services.registry.timeline import rules
from shared.clock import today
from shared.contracts.awards import AwardChanged
from shared.contracts.finance import ServiceListChanged
from shared.contracts.talent import QuotaGranted
from shared.events import Event, new_event
from shared.tables import Inbox
from shared.testing import make_uscc


async def enterprise(suite, *certs, park_id=None):
    econ = suite.client("registry")
    u = make_uscc()
    r = await econ.post("/api/v1/enterprises", json={"uscc": u, "name": "北京时间线测试科技有限公司", "township": "长阳",
                                                      **({"park_id": park_id} if park_id else {})})
    assert r.status_code == 201, r.text
    for tier, on in certs:
        r = await econ.post(f"/api/v1/enterprises/{u}/certifications", json={"tier": tier, "recognized_on": on})
        assert r.status_code == 201, r.text
    return u


async def test_on_changes_the_tier_and_each_certification_state(suite):
    econ = suite.client("registry")
    u = await enterprise(suite, ("innovative", "2022-03-01"), ("municipal_srdi", "2024-06-18"))
    before = (await econ.get(f"/api/v1/enterprises/{u}", params={"on": "2022-01-01"})).json()
    assert before["current_tier"] == "sme"
    assert [c["state_on"] for c in before["certifications"]] == ["not_yet", "not_yet"]
    mid = (await econ.get(f"/api/v1/enterprises/{u}", params={"on": "2023-01-01"})).json()
    assert mid["current_tier"] == "innovative"
    assert [c["state_on"] for c in mid["certifications"]] == ["active", "not_yet"]
    now = (await econ.get(f"/api/v1/enterprises/{u}")).json()
    assert now["current_tier"] == "municipal_srdi"
    # a future date is a fair question of validity: the innovative title lapses after 2025-02-28
    later = (await econ.get(f"/api/v1/enterprises/{u}", params={"on": "2028-01-01"})).json()
    assert later["current_tier"] == "sme" and [c["state_on"] for c in later["certifications"]] == ["expired", "expired"]
    assert (await econ.get(f"/api/v1/enterprises/{u}", params={"on": "2023-02-30"})).status_code == 422


def event_of(model, data: dict, time: str | None = None) -> Event:
    payload = model.model_validate(data).model_dump(mode="json")
    e = new_event(model.SERVICE, model.NAME, data.get("uscc") or "x", payload)
    if time:
        e = Event(e.id, e.type, e.source, e.subject, time, e.data, e.correlationid)
    return e


async def publish(suite, event: Event, msg_id: str | None = None) -> None:
    """Through NATS to the registry's consumer, then wait until its inbox has it."""
    bus = suite.apps["registry"].state.bus
    await bus.js.publish(event.nats_subject, orjson.dumps(event.envelope()),
                         headers={"Nats-Msg-Id": msg_id or event.id})

    def handled():
        with suite.db("registry").reader() as s:
            return s.get(Inbox, ("registry", event.id)) is not None
    await suite.wait_for(handled, f"the registry to handle {event.type}")


def facts(suite, uscc):
    with suite.db("registry").reader() as s:
        return s.scalar(select(func.count()).select_from(TimelineFact).where(TimelineFact.uscc == uscc))


async def test_the_timeline_in_one_answer_newest_first(suite):
    econ = suite.client("registry")
    u = await enterprise(suite, ("municipal_srdi", "2024-06-18"), park_id="P-TL")
    # The real departments react over the real bus: awards computes the tier award, finance lists it.
    await suite.settled()
    body = (await econ.get(f"/api/v1/enterprises/{u}/timeline")).json()
    real = {x["kind"]: x for x in body["entries"]}
    assert real["award"]["detail"]["program"] == "tier" and real["award"]["on"] == today().isoformat()
    assert real["service_list.joined"]["on"] == "2024-06-18"
    held = facts(suite, u)

    award = {"award_id": 9001, "uscc": u, "program": "relocation", "payee": "北京时间线测试科技有限公司",
             "amount_yuan": 200000, "state": "computed"}
    computed = event_of(AwardChanged, award, "2024-07-10T02:00:00.000000Z")
    approved = event_of(AwardChanged, award | {"state": "approved"}, "2024-09-05T02:00:00.000000Z")
    quota = event_of(QuotaGranted, {"uscc": u, "year": 2024, "count": 1, "basis": {"tier": "municipal_srdi"}},
                     "2024-08-01T02:00:00.000000Z")
    for e in (computed, approved, quota):
        await publish(suite, e)
    # redelivered under another message id, an older version arriving late, and a stale list entry
    await publish(suite, approved, msg_id=f"again-{approved.id}")
    await publish(suite, event_of(AwardChanged, award, "2024-07-11T02:00:00.000000Z"))
    await publish(suite, event_of(ServiceListChanged, {"uscc": u, "name": "旧名", "tier": "innovative", "listed": True,
                                                       "since": "2020-01-01"}, "2020-01-01T02:00:00.000000Z"))
    assert facts(suite, u) == held + 2
    r = await econ.post("/api/v1/service-requests", json={"uscc": u, "category": "finance", "summary": "希望对接贷款",
                                                           "opened_on": "2024-10-02"})
    assert r.status_code == 201, r.text
    r = await econ.post("/api/v1/visits", json={"uscc": u, "visited_on": "2024-11-06", "visitors": "区经信局 王科长",
                                                "findings": "产能扩张需要用地"})
    assert r.status_code == 201, r.text

    r = await econ.get(f"/api/v1/enterprises/{u}/timeline", params={"on": "2024-12-31"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["uscc"] == u and body["tier_on"] == "municipal_srdi" and body["on"] == "2024-12-31"
    assert [(x["on"], x["kind"]) for x in body["entries"]] == [
        ("2024-11-06", "visit"), ("2024-10-02", "service_request.opened"), ("2024-09-05", "award"),
        ("2024-08-01", "quota"), ("2024-06-18", "service_list.joined"), ("2024-06-18", "title.recognized")]
    entries = {x["kind"]: x for x in body["entries"]}
    assert entries["award"]["ref"] == "award:9001" and entries["award"]["detail"]["state"] == "approved"
    assert "已批准" in entries["award"]["summary_zh"] and entries["quota"]["summary_zh"] == "2024年度落户指标 1 个"
    assert not any(code in e["summary_zh"] for e in entries.values()
                   for code in ("tier", "municipal_srdi", "approved", "enterprise.")), "a raw code in a summary"
    assert entries["service_list.joined"]["detail"]["name"] == "北京时间线测试科技有限公司"  # the stale one lost
    # today: the registration (a correction of the record) and the real award come on top
    body = (await econ.get(f"/api/v1/enterprises/{u}/timeline")).json()
    days = [x["on"] for x in body["entries"]]
    assert days == sorted(days, reverse=True)
    assert {"correction", "award"} <= {x["kind"] for x in body["entries"] if x["on"] == today().isoformat()}
    assert next(x for x in body["entries"] if x["kind"] == "correction")["detail"]["action"] == "enterprise.register"
    # on a date: only what had happened by then
    r = await econ.get(f"/api/v1/enterprises/{u}/timeline", params={"on": "2024-08-15"})
    assert [x["kind"] for x in r.json()["entries"]] == ["quota", "service_list.joined", "title.recognized"]
    r = await econ.get(f"/api/v1/enterprises/{u}/timeline", params={"on": "2023-01-01"})
    assert r.json()["entries"] == [] and r.json()["tier_on"] == "sme"

    # a newer record replaces the one held: one entry per award, dated by its latest change
    await publish(suite, event_of(AwardChanged, award | {"state": "disbursed"}))
    body = (await econ.get(f"/api/v1/enterprises/{u}/timeline")).json()
    mine = [x for x in body["entries"] if x["ref"] == "award:9001"]
    assert [(x["on"], x["detail"]["state"]) for x in mine] == [(today().isoformat(), "disbursed")]
    assert facts(suite, u) == held + 2


async def test_titles_lapse_and_revocation_on_the_timeline(suite):
    econ = suite.client("registry")
    u = await enterprise(suite, ("innovative", "2021-03-01"), ("municipal_srdi", "2023-06-18"))
    certs = (await econ.get(f"/api/v1/enterprises/{u}")).json()["certifications"]
    srdi = next(c for c in certs if c["tier"] == "municipal_srdi")
    r = await econ.post(f"/api/v1/certifications/{srdi['id']}/revoke",
                        json={"reason": "申报材料弄虚作假", "revoked_on": "2025-01-10"})
    assert r.status_code == 200, r.text
    body = (await econ.get(f"/api/v1/enterprises/{u}/timeline")).json()
    titles = [(x["on"], x["kind"]) for x in body["entries"] if x["kind"].startswith("title.")]
    assert titles == [("2025-01-10", "title.revoked"), ("2024-03-01", "title.expired"),
                      ("2023-06-18", "title.recognized"), ("2021-03-01", "title.recognized")]


async def test_who_may_read_a_timeline(suite):
    u = await enterprise(suite, park_id="P-TA")
    path = f"/api/v1/enterprises/{u}/timeline"
    assert (await suite.client("registry", role="auditor").get(path)).status_code == 200
    assert (await suite.client("registry", role="park", org="P-TA").get(path)).status_code == 200
    assert (await suite.client("registry", role="park", org="P-TB").get(path)).status_code == 404
    assert (await suite.client("registry", role="bank", org="B1").get(path)).status_code == 403
    assert (await suite.client("registry", role=None).get(path)).status_code == 401
    assert (await suite.client("registry").get(f"/api/v1/enterprises/{make_uscc()}/timeline")).status_code == 404


async def test_each_department_sees_on_a_timeline_only_the_facts_its_owner_lets_it_read(suite):
    """An award's amount is the treasury's and the bureau's to read, a quota the talent office's, the
    service list the financial office's: the timeline gave each to every department (a trust walk's find)."""
    u = await enterprise(suite, park_id="P-TF")
    award = event_of(AwardChanged, {"award_id": 9201, "uscc": u, "program": "tier", "amount_yuan": 300000,
                                    "state": "computed"})
    quota = event_of(QuotaGranted, {"uscc": u, "year": 2026, "count": 1, "basis": {"tier": "municipal_srdi"}})
    listed = event_of(ServiceListChanged, {"uscc": u, "name": "x", "tier": "municipal_srdi", "listed": True,
                                           "since": "2024-06-18"})
    for e in (award, quota, listed):
        await publish(suite, e)
    path = f"/api/v1/enterprises/{u}/timeline"

    async def kinds(role, org=None):
        r = await suite.client("registry", role=role, org=org).get(path)
        assert r.status_code == 200, r.text
        return {x["kind"].split(".")[0] for x in r.json()["entries"]} & {"award", "quota", "service_list"}
    assert await kinds("econ") == await kinds("auditor") == {"award", "quota", "service_list"}
    assert await kinds("treasury") == {"award"}
    assert await kinds("talent") == {"quota"}
    assert await kinds("finance") == {"service_list"}
    assert await kinds("park", "P-TF") == set()


async def test_a_fact_about_no_enterprise_or_a_bad_one(suite):
    bus = suite.apps["registry"].state.bus
    park_award = event_of(AwardChanged, {"award_id": 9100, "uscc": None, "program": "featured_park",
                                         "amount_yuan": 1000000, "state": "approved"})
    assert await asyncio.to_thread(bus.handle_raw, park_award.nats_subject,
                                   orjson.dumps(park_award.envelope())) == "handled"
    bad = event_of(AwardChanged, {"award_id": 9101, "uscc": "NOT-A-USCC", "program": "tier", "amount_yuan": 1,
                                  "state": "computed"})
    with pytest.raises(ValueError, match="bad uscc"):  # rolled back: redelivered, then a dead letter
        await asyncio.to_thread(bus.handle_raw, bad.nats_subject, orjson.dumps(bad.envelope()))
    with suite.db("registry").reader() as s:
        held = select(func.count()).select_from(TimelineFact).where(TimelineFact.ref.in_(["9100", "9101"]))
        assert s.scalar(held) == 0


async def test_an_accepted_request_says_so_on_the_timeline(suite):
    """A request's department taking it on (受理) is a dated step of its own, between its opening and
    its closing, said with the department's name."""
    econ = suite.client("registry")
    u = await enterprise(suite)
    r = await econ.post("/api/v1/service-requests", json={"uscc": u, "category": "finance", "summary": "希望对接贷款",
                                                           "opened_on": "2024-10-02"})
    assert r.status_code == 201 and r.json()["accepted_on"] is None, r.text
    request_id = r.json()["id"]
    finance = suite.client("registry", role="finance")
    r = await finance.post(f"/api/v1/service-requests/{request_id}/transition", json={"state": "accepted"})
    assert r.status_code == 200 and r.json()["accepted_on"] == today().isoformat(), r.text
    r = await finance.post(f"/api/v1/service-requests/{request_id}/transition",
                           json={"state": "resolved", "note": "已对接两家银行"})
    assert r.status_code == 200 and r.json()["accepted_on"] == today().isoformat(), r.text
    entries = [x for x in (await econ.get(f"/api/v1/enterprises/{u}/timeline")).json()["entries"]
               if x["ref"] == f"service_request:{request_id}"]
    assert [(x["on"], x["kind"]) for x in entries] == [
        (today().isoformat(), "service_request.closed"), (today().isoformat(), "service_request.accepted"),
        ("2024-10-02", "service_request.opened")]
    assert entries[1]["summary_zh"] == "诉求已受理（区金融服务办）"


@pytest.mark.parametrize("on, state", [("2025-03-01", "open"), ("2025-03-04", "open"), ("2025-03-05", "accepted"),
                                       ("2025-03-09", "accepted"), ("2025-03-10", "rejected"), ("2026-01-01", "rejected")])
def test_a_request_on_the_timeline_is_in_its_state_of_that_date(on, state):
    """The timeline on a past date says what a request was then, not what it is today (it said
    'rejected' of a request opened that day)."""
    r = SimpleNamespace(state="rejected", accepted_on=dt.date(2025, 3, 5), closed_on=dt.date(2025, 3, 10))
    assert rules.request_state_on(r, dt.date.fromisoformat(on)) == state


def test_the_list_entry_does_not_name_financess_latest_tier_on_the_day_it_joined():
    """Finance's record is its latest: after a promotion its tier is today's, not the joining day's."""
    record = {"uscc": "x", "listed": True, "since": "2025-03-15", "tier": "national_little_giant"}
    joined = rules.service_list(record, dt.date(2026, 12, 5))[0]
    assert (joined.on, joined.kind, joined.summary_zh) == (dt.date(2025, 3, 15), "service_list.joined", "列入专精特新企业服务名单")
    assert "小巨人" not in joined.summary_zh and "national" not in joined.summary_en
