"""Listing pipeline (上市培育), matchmaking events (政银企对接), guidance funds (政府引导基金) and the
XLSX export of the service list, through the API: 401 / 403 / out of scope / valid for each endpoint.

And what must hold (issue 5): the service list equals what the registry's tiers say after a random
series of promotions and demotions; bank A never reads or changes bank B's case by path, query,
list, cursor or idempotency key. (One module: one suite to start.)"""
import datetime as dt
import io
import random

import orjson
from openpyxl import load_workbook
from sqlalchemy import select

from services.finance.tests.helpers import all_items, certify, listed_enterprise, register, wait_entry
from services.finance.tests.test_loans import LOANS, bank, drawn_loan
from shared.tables import Inbox, Outbox
from shared.testing import make_uscc
from shared.tiers import at_least

LISTINGS = "/api/v1/listings"
MM = "/api/v1/matchmaking-events"
FUNDS = "/api/v1/guidance-funds"


def fin(suite):
    return suite.client("finance", role="finance")


def listed_events(suite, uscc):
    with suite.db("finance").reader() as s:
        rows = s.scalars(select(Outbox).where(Outbox.subject == "srdi.finance.enterprise.listed.v1")).all()
        return [orjson.loads(r.payload) for r in rows if orjson.loads(r.payload)["data"]["uscc"] == uscc]


async def known(suite) -> str:
    """An enterprise finance has heard of (registered, below the list)."""
    uscc = await register(suite)
    await suite.settled()
    return uscc


async def test_listing_pipeline_stages_and_the_listed_event(suite):
    uscc = await listed_enterprise(suite)
    path = f"{LISTINGS}/{uscc}/stages"
    body = {"stage": "shareholding_reform", "on": "2024-03-01", "sponsor": "中信证券"}
    assert (await suite.client("finance", role=None).put(path, json=body)).status_code == 401
    for role, org in (("bank", "B1"), ("econ", None), ("auditor", None), ("treasury", None)):
        assert (await suite.client("finance", role=role, org=org).put(path, json=body)).status_code == 403
    # out of scope: an enterprise finance never heard of, a malformed USCC
    r = await fin(suite).put(f"{LISTINGS}/{make_uscc()}/stages", json=body)
    assert r.status_code == 422 and r.json()["type"].endswith("unknown-enterprise")
    assert (await fin(suite).put(f"{LISTINGS}/NOT-A-USCC/stages", json=body)).status_code == 422
    # bad input: 4xx, never 500
    for bad in ({**body, "stage": "ipo"}, {**body, "on": "2024-02-30"}, {**body, "board": "nasdaq"},
                {k: v for k, v in body.items() if k != "on"}):
        assert (await fin(suite).put(path, json=bad)).status_code == 422, bad
    # out of order: 辅导备案 before 股改
    r = await fin(suite).put(path, json={"stage": "coaching_filed", "on": "2024-05-01"})
    assert r.status_code == 422 and r.json()["type"].endswith("stage-out-of-order")
    r = await fin(suite).put(path, json=body)
    assert r.status_code == 200 and r.json()["stage"] == "shareholding_reform" and r.json()["stage_zh"] == "股改"
    assert (await fin(suite).put(path, json=body)).status_code == 409  # recorded once
    r = await fin(suite).put(path, json={"stage": "coaching_filed", "on": "2024-02-01"})
    assert r.status_code == 422 and r.json()["type"].endswith("stage-date-order")
    for stage, on in (("coaching_filed", "2024-05-01"), ("application_accepted", "2025-03-01"),
                      ("registered", "2025-09-01")):
        assert (await fin(suite).post(path, json={"stage": stage, "on": on})).status_code == 201
    assert listed_events(suite, uscc) == []
    r = await fin(suite).put(path, json={"stage": "listed", "on": "2025-10-20"})
    assert r.status_code == 422 and r.json()["type"].endswith("board-required")
    r = await fin(suite).put(path, json={"stage": "listed", "on": "2025-10-20", "board": "star"})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["listed_on"] == "2025-10-20" and doc["board"] == "star" and doc["sponsor"] == "中信证券"
    assert [s["stage"] for s in doc["stages"]] == ["shareholding_reform", "coaching_filed", "application_accepted",
                                                    "registered", "listed"]
    [ev] = listed_events(suite, uscc)
    assert ev["type"].endswith("srdi.finance.enterprise.listed.v1")
    assert ev["data"] == {"uscc": uscc, "board": "star", "listed_on": "2025-10-20"}
    # published through the outbox relay, and handled by the awards service's consumer
    await suite.settled()
    with suite.db("finance").reader() as s:
        assert s.get(Outbox, ev["id"]).published_at is not None

    def awards_handled():
        with suite.db("awards").reader() as s:
            return s.scalars(select(Inbox).where(Inbox.event_id == ev["id"])).first() is not None
    await suite.wait_for(awards_handled, "the awards service to handle enterprise.listed")
    # a second listing is refused (and publishes nothing)
    assert (await fin(suite).put(path, json={"stage": "listed", "on": "2025-11-01", "board": "bse"})).status_code == 409
    assert len(listed_events(suite, uscc)) == 1
    # reads
    assert (await suite.client("finance", role=None).get(f"{LISTINGS}/{uscc}")).status_code == 401
    assert (await bank(suite).get(f"{LISTINGS}/{uscc}")).status_code == 403
    assert (await suite.client("finance", role="auditor").get(f"{LISTINGS}/{uscc}")).json()["board"] == "star"
    assert (await fin(suite).get(f"{LISTINGS}/{make_uscc()}")).status_code == 404
    r = await suite.client("finance", role="econ").get(LISTINGS, params={"stage": "listed"})
    assert uscc in [p["uscc"] for p in r.json()["items"]]
    assert (await fin(suite).get(LISTINGS, params={"stage": "ipo"})).status_code == 422


async def test_listing_progress_per_year(suite):
    a, b, c = [await listed_enterprise(suite) for _ in range(3)]
    for uscc, stages in ((a, [("shareholding_reform", "2023-01-05"), ("coaching_filed", "2023-06-01"),
                              ("application_accepted", "2024-01-10"), ("registered", "2024-08-01"),
                              ("listed", "2024-09-01")]),
                         (b, [("shareholding_reform", "2023-02-01"), ("coaching_filed", "2024-02-01")]),
                         (c, [("shareholding_reform", "2024-12-31")])):
        for stage, on in stages:
            r = await fin(suite).put(f"{LISTINGS}/{uscc}/stages", json={"stage": stage, "on": on, "board": "bse"})
            assert r.status_code == 200, r.text
    assert (await suite.client("finance", role=None).get(f"{LISTINGS}/progress", params={"year": 2024})).status_code == 401
    assert (await bank(suite).get(f"{LISTINGS}/progress", params={"year": 2024})).status_code == 403
    assert (await fin(suite).get(f"{LISTINGS}/progress", params={"year": "x"})).status_code == 422
    r = await suite.client("finance", role="econ").get(f"{LISTINGS}/progress", params={"year": 2024})
    assert r.status_code == 200
    p = r.json()
    assert a in p["reached"]["listed"]["usccs"] and a in p["reached"]["registered"]["usccs"]
    assert b in p["reached"]["coaching_filed"]["usccs"] and c in p["reached"]["shareholding_reform"]["usccs"]
    assert b in p["in_pipeline_usccs"] and a not in p["in_pipeline_usccs"]
    assert p["coached_to_listing"] >= 1
    p23 = (await fin(suite).get(f"{LISTINGS}/progress", params={"year": 2023})).json()
    assert a in p23["in_pipeline_usccs"] and a not in p23["reached"]["listed"]["usccs"]


async def test_matchmaking_events_and_the_cases_from_them(suite):
    e1 = await listed_enterprise(suite)
    e2 = await known(suite)
    body = {"title": "2025年房山区政银企对接会", "held_on": "2025-06-20", "venue": "良乡", "banks": ["B1", "B2"],
            "enterprises": [e1, e2]}
    assert (await suite.client("finance", role=None).post(MM, json=body)).status_code == 401
    for role, org in (("bank", "B1"), ("econ", None), ("talent", None)):
        assert (await suite.client("finance", role=role, org=org).post(MM, json=body)).status_code == 403
    for bad in ({**body, "banks": []}, {**body, "held_on": "2025-13-01"}, {**body, "enterprises": ["X"]},
                {**body, "enterprises": [make_uscc()]}, {**body, "banks": ["B 1"]}):
        r = await fin(suite).post(MM, json=bad)
        assert r.status_code == 422, (bad, r.text)
    r = await fin(suite).post(MM, json=body)
    assert r.status_code == 201, r.text
    mm = r.json()
    assert sorted(mm["enterprises"]) == sorted([e1, e2]) and mm["banks"] == ["B1", "B2"] and mm["cases"] == []
    other = (await fin(suite).post(MM, json={**body, "title": "另一场", "banks": ["B3"], "enterprises": []})).json()
    # cases from the event: each bank books its own
    for org, amount in (("B1", 5_000_000), ("B2", 3_000_000)):
        r = await bank(suite, org).post(LOANS, json={"uscc": e1, "applied_yuan": amount, "applied_on": "2025-06-25",
                                                     "matchmaking_event_id": mm["id"]})
        assert r.status_code == 201 and r.json()["matchmaking_event_id"] == mm["id"], r.text
    # a bank that did not attend cannot attach a case to it; an unknown event neither
    r = await bank(suite, "B1").post(LOANS, json={"uscc": e1, "applied_yuan": 1, "applied_on": "2025-06-25",
                                                  "matchmaking_event_id": 10**20})
    assert r.status_code == 422, r.text
    for org, ev in (("B3", mm["id"]), ("B1", other["id"]), ("B1", 999999)):
        r = await bank(suite, org).post(LOANS, json={"uscc": e1, "applied_yuan": 1, "applied_on": "2025-06-25",
                                                     "matchmaking_event_id": ev})
        assert r.status_code == 422 and r.json()["type"].endswith("unknown-matchmaking-event"), r.text
    full = (await suite.client("finance", role="econ").get(f"{MM}/{mm['id']}")).json()
    assert sorted(c["bank"] for c in full["cases"]) == ["B1", "B2"] and full["cases_count"] == 2
    # a bank sees the events it attended, with only its own cases; others' events are 404
    mine = (await bank(suite, "B1").get(f"{MM}/{mm['id']}")).json()
    assert [c["bank"] for c in mine["cases"]] == ["B1"]
    assert (await bank(suite, "B3").get(f"{MM}/{mm['id']}")).status_code == 404
    assert (await bank(suite, "B1").get(f"{MM}/{other['id']}")).status_code == 404
    listed = (await bank(suite, "B1").get(MM, params={"limit": 500})).json()["items"]
    assert mm["id"] in [m["id"] for m in listed] and other["id"] not in [m["id"] for m in listed]
    assert all(c["bank"] == "B1" for m in listed for c in m["cases"])
    assert (await suite.client("finance", role=None).get(MM)).status_code == 401
    assert (await suite.client("finance", role="talent").get(MM)).status_code == 403
    assert (await fin(suite).get(f"{MM}/999999")).status_code == 404
    assert (await fin(suite).get(MM, params={"cursor": "%%%"})).status_code in (400, 422)
    # attendees added later
    e3 = await known(suite)
    r = await fin(suite).post(f"{MM}/{mm['id']}/enterprises", json={"enterprises": [e3, e1]})
    assert r.status_code == 200 and e3 in r.json()["enterprises"] and len(r.json()["enterprises"]) == 3
    assert (await bank(suite, "B1").post(f"{MM}/{mm['id']}/enterprises", json={"enterprises": [e3]})).status_code == 403
    r = await fin(suite).get(MM, params={"year": 2025})
    assert mm["id"] in [m["id"] for m in r.json()["items"]]


async def test_guidance_fund_share_of_srdi_enterprises(suite):
    srdi = [await listed_enterprise(suite, on="2025-01-10") for _ in range(2)]
    plain = [await known(suite) for _ in range(4)]
    late = await known(suite)  # becomes SRDI only after the investment
    await certify(suite, late, "municipal_srdi", "2025-08-01")
    await wait_entry(suite, late, "late on the list", listed=True)
    body = {"name": "房山区高精尖产业引导基金", "manager": "房山国投"}
    assert (await suite.client("finance", role=None).post(FUNDS, json=body)).status_code == 401
    assert (await bank(suite).post(FUNDS, json=body)).status_code == 403
    assert (await fin(suite).post(FUNDS, json={"name": ""})).status_code == 422
    r = await fin(suite).post(FUNDS, json=body)
    assert r.status_code == 201
    fund = r.json()["id"]
    assert (await fin(suite).post(FUNDS, json=body)).status_code == 409
    inv = f"{FUNDS}/{fund}/investments"
    for uscc in srdi + plain:
        r = await fin(suite).post(inv, json={"uscc": uscc, "invested_on": "2025-03-01", "amount_yuan": 10_000_000})
        assert r.status_code == 201, r.text
    r = await fin(suite).post(inv, json={"uscc": late, "invested_on": "2025-05-01", "amount_yuan": 1})
    assert r.json()["tier_at_investment"] != "municipal_srdi"
    assert (await bank(suite).post(inv, json={"uscc": late, "invested_on": "2025-05-01", "amount_yuan": 1})).status_code == 403
    for bad in ({"uscc": late, "invested_on": "2025-05-01", "amount_yuan": 0},
                {"uscc": make_uscc(), "invested_on": "2025-05-01", "amount_yuan": 1},
                {"uscc": late, "invested_on": "x", "amount_yuan": 1}):
        assert (await fin(suite).post(inv, json=bad)).status_code == 422, bad
    assert (await fin(suite).post(f"{FUNDS}/999999/investments", json={
        "uscc": late, "invested_on": "2025-05-01", "amount_yuan": 1})).status_code == 404
    share = f"{FUNDS}/{fund}/srdi-share"
    assert (await suite.client("finance", role=None).get(share)).status_code == 401
    assert (await bank(suite).get(share)).status_code == 403
    assert (await fin(suite).get(f"{FUNDS}/999999/srdi-share")).status_code == 404
    assert (await fin(suite).get(share, params={"on": "2025-02-30"})).status_code == 422
    r = await suite.client("finance", role="auditor").get(share, params={"on": "2025-12-31"})
    assert r.status_code == 200
    rep = r.json()
    # 2 SRDI of 7 enterprises = 2857 bp < 3000: below the floor, with the list behind it
    assert (rep["enterprises"], rep["srdi_enterprises"], rep["share_bp"], rep["floor_bp"]) == (7, 2, 2857, 3000)
    assert rep["meets_floor"] is False
    assert {i["uscc"] for i in rep["items"] if i["srdi"]} == set(srdi)
    assert rep["parameters"] and all(i["name"] for i in rep["items"])
    # a new investment in `late`, now SRDI: 3 of 7 ≥ 30 %
    await fin(suite).post(inv, json={"uscc": late, "invested_on": "2025-09-01", "amount_yuan": 1})
    rep = (await fin(suite).get(share, params={"on": "2025-12-31"})).json()
    assert (rep["srdi_enterprises"], rep["share_bp"], rep["meets_floor"]) == (3, 4285, True)
    # as of an earlier date only the investments made by then count
    rep = (await fin(suite).get(share, params={"on": "2025-04-01"})).json()
    assert (rep["enterprises"], rep["srdi_enterprises"]) == (6, 2)
    all_funds = (await suite.client("finance", role="econ").get(f"{FUNDS}/srdi-share")).json()
    assert all_funds["fund_id"] is None and all_funds["enterprises"] >= 7
    detail = (await fin(suite).get(f"{FUNDS}/{fund}")).json()
    assert len(detail["investments"]) == 8
    assert (await fin(suite).get(f"{FUNDS}/999999")).status_code == 404
    assert fund in [f["id"] for f in (await suite.client("finance", role="econ").get(FUNDS)).json()["items"]]


async def test_service_list_xlsx_export(suite):
    uscc = await listed_enterprise(suite, tier="national_little_giant")
    path = "/api/v1/service-list/export.xlsx"
    assert (await suite.client("finance", role=None).get(path)).status_code == 401
    assert (await suite.client("finance", role="talent").get(path)).status_code == 403
    assert (await suite.client("finance", role="finance").get(path, params={"tier": "gold"})).status_code == 422
    r = await bank(suite, "B9").get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("统一社会信用代码", "企业名称", "层级")
    mine = [row for row in rows[1:] if row[0] == uscc]
    assert mine and mine[0][2] == "国家级专精特新“小巨人”企业" and mine[0][5] == "是"
    # a name that a spreadsheet would run as a formula is written as text
    evil = await register(suite, "=HYPERLINK(\"http://x\",\"点我\")")
    await certify(suite, evil, "municipal_srdi", "2025-06-01")
    await wait_entry(suite, evil, "on the list", listed=True)
    ws = load_workbook(io.BytesIO((await bank(suite, "B9").get(path)).content)).active
    [cell] = [row[1] for row in ws.iter_rows() if row[0].value == evil]
    assert cell.data_type == "s" and cell.value.strip().startswith("=HYPERLINK")


TIERS = ["innovative", "potential", "municipal_srdi", "municipal_little_giant", "national_little_giant"]


async def test_service_list_equals_the_registry_after_random_promotions_and_demotions(suite):
    rng = random.Random(20251124)
    reg = suite.client("registry", role="econ")
    usccs = [await register(suite, f"随机测试企业{i}") for i in range(6)]
    certs: dict[str, list[int]] = {u: [] for u in usccs}
    day = dt.date(2024, 7, 1)
    done = {"promoted": 0, "revoked": 0}
    for _ in range(30):
        uscc = rng.choice(usccs)
        day += dt.timedelta(days=rng.randint(1, 20))
        if certs[uscc] and rng.random() < 0.5:  # demotion: revoke one of its certifications
            cert = certs[uscc].pop(rng.randrange(len(certs[uscc])))
            r = await reg.post(f"/api/v1/certifications/{cert}/revoke",
                               json={"reason": "随机撤销", "for_cause": rng.random() < 0.5, "revoked_on": day.isoformat()})
            assert r.status_code in (200, 409, 422), r.text
            done["revoked"] += r.status_code == 200
        else:  # promotion (or a lower title, which changes nothing)
            r = await reg.post(f"/api/v1/enterprises/{uscc}/certifications",
                               json={"tier": rng.choice(TIERS), "recognized_on": day.isoformat()})
            assert r.status_code in (201, 409, 422), r.text
            if r.status_code == 201:
                certs[uscc].append(r.json()["id"])
                done["promoted"] += 1
    # and one enterprise loses every title it still holds
    for cert in certs[usccs[0]]:
        day += dt.timedelta(days=1)
        r = await reg.post(f"/api/v1/certifications/{cert}/revoke",
                           json={"reason": "随机撤销", "for_cause": True, "revoked_on": day.isoformat()})
        done["revoked"] += r.status_code == 200
    await suite.settled()
    expected = {}
    for uscc in usccs:
        doc = (await reg.get(f"/api/v1/enterprises/{uscc}")).json()
        expected[uscc] = doc["current_tier"]
    listed = {i["uscc"]: i["tier"] for i in await all_items(suite.client("finance", role="finance"))
              if i["uscc"] in expected}
    assert listed == {u: t for u, t in expected.items() if at_least(t, "municipal_srdi")}
    # the series did exercise both directions and both sides of the threshold
    assert done["promoted"] >= 10 and done["revoked"] >= 3, done
    assert listed and len(listed) < len(usccs), (listed, expected)
    # and each entry's own view agrees, listed or not
    for uscc, tier in expected.items():
        r = await suite.client("finance", role="finance").get(f"/api/v1/service-list/{uscc}")
        if at_least(tier, "municipal_srdi"):
            assert r.json()["listed"] is True and r.json()["tier"] == tier
        else:
            assert r.status_code == 404 or r.json()["listed"] is False


async def test_bank_a_never_reads_or_changes_bank_b_cases(suite):
    uscc = await listed_enterprise(suite)
    theirs = [await drawn_loan(suite, uscc, "BANK-B") for _ in range(2)]
    mine = await drawn_loan(suite, uscc, "BANK-A")
    a = bank(suite, "BANK-A")
    # list and query: every filter and every page shows only A's cases
    for params in ({}, {"uscc": uscc}, {"state": "drawn"}, {"uscc": uscc, "state": "drawn"}, {"limit": 1}):
        seen, cursor = [], None
        while True:
            r = await a.get(LOANS, params={**params, **({"cursor": cursor} if cursor else {})})
            assert r.status_code == 200
            seen += r.json()["items"]
            cursor = r.json()["next_cursor"]
            if not cursor:
                break
        assert all(x["bank"] == "BANK-A" for x in seen) and mine in [x["id"] for x in seen], params
        assert not set(theirs) & {x["id"] for x in seen}
    # a forged cursor pointing just before B's case still finds only A's
    r = await a.get(LOANS, params={"cursor": str(theirs[0] - 1)})
    assert r.status_code in (200, 400, 422)
    if r.status_code == 200:
        assert all(x["bank"] == "BANK-A" for x in r.json()["items"])
    # path: reads and every write are 404 (not 403: the case's existence is not revealed)
    for loan in theirs:
        for path in (f"{LOANS}/{loan}", f"{LOANS}/{loan}/interest-subsidy"):
            r = await a.get(path)
            assert r.status_code == 404 and str(loan) in r.json()["detail"] or r.status_code == 404
        for path, body in ((f"{LOANS}/{loan}/repayments", {"paid_on": "2025-08-01", "period_from": "2025-07-15",
                                                            "period_to": "2025-07-31", "interest_yuan": 1}),
                           (f"{LOANS}/{loan}/repay", {"repaid_on": "2026-01-01"}),
                           (f"{LOANS}/{loan}/extend", {"due_on": "2027-01-01", "reason": "x"}),
                           (f"{LOANS}/{loan}/default", {"outstanding_yuan": 1, "on": "2026-01-01"})):
            assert (await a.post(path, json=body)).status_code == 404, path
    # an Idempotency-Key B used is A's own key space: A's request is not answered with B's response
    b = bank(suite, "BANK-B")
    body = {"repaid_on": "2026-01-02"}
    r = await b.post(f"{LOANS}/{theirs[1]}/repay", json=body, headers={"Idempotency-Key": "shared-key-1"})
    assert r.status_code == 200
    r = await a.post(f"{LOANS}/{theirs[1]}/repay", json=body, headers={"Idempotency-Key": "shared-key-1"})
    assert r.status_code == 404
    # B's cases are unchanged by A's attempts
    for loan in theirs:
        doc = (await b.get(f"{LOANS}/{loan}")).json()
        assert doc["repayments"] == [] and all(h["actor"].startswith("bank:BANK-B:") for h in doc["history"])


async def test_racing_writes_give_one_winner_and_one_event(suite):
    """Concurrent first stages, listings and fund creations: one wins, the others get a 409, never a
    500; the listed event is published once."""
    import asyncio

    uscc = await listed_enterprise(suite)
    path = f"{LISTINGS}/{uscc}/stages"
    answers = await asyncio.gather(*(fin(suite).put(path, json={"stage": "shareholding_reform", "on": "2024-01-01"})
                                     for _ in range(4)))
    assert sorted(r.status_code for r in answers) == [200, 409, 409, 409], [r.text for r in answers]
    for stage, on in (("coaching_filed", "2024-02-01"), ("application_accepted", "2024-03-01"),
                      ("registered", "2024-04-01")):
        assert (await fin(suite).put(path, json={"stage": stage, "on": on})).status_code == 200
    answers = await asyncio.gather(*(fin(suite).put(path, json={"stage": "listed", "on": "2024-05-01", "board": b})
                                     for b in ("star", "bse", "main")))
    assert sorted(r.status_code for r in answers) == [200, 409, 409], [r.text for r in answers]
    assert len(listed_events(suite, uscc)) == 1
    name = f"并发测试基金-{uscc}"
    answers = await asyncio.gather(*(fin(suite).post(FUNDS, json={"name": name}) for _ in range(4)))
    assert sorted(r.status_code for r in answers) == [201, 409, 409, 409], [r.text for r in answers]
