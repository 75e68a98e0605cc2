"""Corrections of the record (issue 18) seen in every department, end to end: each correction is
made through the registry's API, travels over real NATS, and is read back through each service's
own API (awards, talent, finance, parks, and the registry's statistics).

- a voided certification: its unpaid award withdrawn, a paid one flagged for the treasury, its
  quotas of later years cancelled, the service list re-derived, the tier and statistics without it;
- a departure: unpaid awards withheld, later quotas and the list entry ended, parks' counts without
  it from the day it left;
- an edited park or township: parks' counts and the statistics by township follow;
- a back-filled 2022–2024 list: nothing payable, no quota for a past year, and a live promotion
  afterwards pays only the top-up."""
from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

from shared import projection
from shared.clock import today
from shared.testing import make_uscc

NLG, MLG, SRDI = "national_little_giant", "municipal_little_giant", "municipal_srdi"
YEAR = today().year
NATIONAL_ON = "2025-08-01"  # a national little giant then: quotas for 2025, 2026 and 2027
NATIONAL_YEARS = (2025, 2026, 2027)


# -- through the services' APIs ------------------------------------------------------------------

async def register(suite, uscc: str, **facts) -> None:
    r = await suite.client("registry").post("/api/v1/enterprises",
                                            json={"uscc": uscc, "name": f"北京更正{uscc[-6:]}科技有限公司", **facts})
    assert r.status_code == 201, r.text


async def certify(suite, uscc: str, tier: str, on: str) -> dict:
    r = await suite.client("registry").post(f"/api/v1/enterprises/{uscc}/certifications",
                                            json={"tier": tier, "recognized_on": on})
    assert r.status_code == 201, r.text
    return r.json()


async def enterprise(suite, uscc: str) -> dict:
    r = await suite.client("registry").get(f"/api/v1/enterprises/{uscc}")
    assert r.status_code == 200, r.text
    return r.json()


async def tier_counts(suite, on: dt.date | None = None) -> dict:
    r = await suite.client("registry").get("/api/v1/stats/tiers", params={"on": (on or today()).isoformat()})
    assert r.status_code == 200, r.text
    return r.json()


async def awards_of(suite, uscc: str, **filters) -> list[dict]:
    r = await suite.client("awards").get("/api/v1/awards", params={"uscc": uscc, **filters})
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def fund(suite) -> None:
    r = await suite.client("awards", "treasury").put(f"/api/v1/budgets/{YEAR}/tier", json={"allocated_yuan": 10**9})
    assert r.status_code in (200, 201), r.text


async def pay(suite, award_id: int) -> None:
    path = f"/api/v1/awards/{award_id}"
    treasury = suite.client("awards", "treasury")
    assert (await suite.client("awards").post(path + "/review")).status_code == 200
    assert (await treasury.post(path + "/approve")).status_code == 200, "approve"
    r = await treasury.post(path + "/disburse", json={"voucher": f"FS-{uuid.uuid4().hex[:10]}"})
    assert r.status_code == 200 and r.json()["state"] == "disbursed", r.text


async def quotas(suite, uscc: str) -> dict[int, dict]:
    r = await suite.client("talent", "talent").get("/api/v1/quotas", params={"uscc": uscc})
    assert r.status_code == 200, r.text
    return {q["year"]: q for q in r.json()["items"]}


async def granted(suite, uscc: str) -> dict[int, int]:
    return {y: q["granted"] for y, q in (await quotas(suite, uscc)).items() if q["granted"]}


async def listing(suite, uscc: str, on: dt.date | None = None) -> dict | None:
    """The enterprise's service-list entry (None: never on the list by its record)."""
    r = await suite.client("finance", "finance").get(f"/api/v1/service-list/{uscc}",
                                                     params={"on": on.isoformat()} if on else {})
    assert r.status_code in (200, 404), r.text
    return r.json() if r.status_code == 200 else None


async def bank_list(suite) -> set[str]:
    bank, found, cursor = suite.client("finance", "bank", "B-CORR"), set(), None
    while True:
        r = await bank.get("/api/v1/service-list", params={"cursor": cursor} if cursor else {})
        assert r.status_code == 200, r.text
        found |= {i["uscc"] for i in r.json()["items"]}
        if not (cursor := r.json()["next_cursor"]):
            return found


async def new_park(suite) -> str:
    r = await suite.client("parks").post("/api/v1/parks", json={"name": f"更正测试园区-{uuid.uuid4().hex[:8]}"})
    assert r.status_code == 201, r.text
    await suite.settled()  # the registry learns the park from park.recorded.v1
    return r.json()["id"]


async def park(suite, park_id: str, on: dt.date | None = None) -> dict:
    r = await suite.client("parks").get(f"/api/v1/parks/{park_id}", params={"on": on.isoformat()} if on else {})
    assert r.status_code == 200, r.text
    return r.json()


async def park_members(suite, park_id: str) -> dict[str, dict]:
    r = await suite.client("parks", "auditor").get(f"/api/v1/parks/{park_id}/enterprises")
    assert r.status_code == 200, r.text
    return {e["uscc"]: e for e in r.json()["items"]}


def records_held(suite, uscc: str) -> dict[str, object]:
    """The registry record each consuming department keeps of the enterprise."""
    held = {}
    for service in ("awards", "talent", "finance", "parks"):
        with suite.db(service).reader() as s:
            held[service] = projection.record_of(s, uscc)
    return held


# -- 1. a voided certification ------------------------------------------------------------------

async def test_a_voided_certification_is_undone_in_every_department(suite):
    """E1 climbed SRDI → national little giant, the latter entered by mistake (its top-up unpaid);
    E2 holds only a mistaken national title whose award was paid."""
    e1, e2 = make_uscc(), make_uscc()
    for u in (e1, e2):
        await register(suite, u)
    await certify(suite, e1, SRDI, "2024-03-01")
    wrong1 = await certify(suite, e1, NLG, NATIONAL_ON)
    wrong2 = await certify(suite, e2, NLG, NATIONAL_ON)
    await suite.settled()

    a1 = {a["tier"]: a for a in await awards_of(suite, e1)}
    assert {t: (a["amount_yuan"], a["state"]) for t, a in a1.items()} == {
        SRDI: (300_000, "computed"), NLG: (700_000, "computed")}
    [paid] = await awards_of(suite, e2)
    assert paid["amount_yuan"] == 1_000_000
    await fund(suite)
    await pay(suite, paid["id"])
    every_year = {y: 1 for y in NATIONAL_YEARS}
    assert await granted(suite, e1) == every_year and await granted(suite, e2) == every_year
    assert (await listing(suite, e1))["tier"] == NLG and (await listing(suite, e2))["tier"] == NLG
    before = await tier_counts(suite)

    why = "误将培育库企业录为国家级专精特新“小巨人”"
    for cert in (wrong1, wrong2):
        r = await suite.client("registry").post(f"/api/v1/certifications/{cert['id']}/void", json={"reason": why})
        assert r.status_code == 200 and r.json()["state"] == "voided", r.text
    await suite.settled()

    # awards: the unpaid top-up withdrawn with the reason, the SRDI award untouched; the paid one flagged
    a1 = {a["tier"]: a for a in await awards_of(suite, e1)}
    assert (a1[NLG]["state"], a1[NLG]["flag"]) == ("withdrawn", "certification_voided")
    assert why in a1[NLG]["flag_reason"] and why in a1[NLG]["explanation"]
    assert (a1[SRDI]["amount_yuan"], a1[SRDI]["state"], a1[SRDI]["flag"]) == (300_000, "computed", None)
    assert len(a1) == 2  # nothing made good: the SRDI award was never reduced by the voided title
    [flagged] = await awards_of(suite, e2)
    assert (flagged["id"], flagged["state"], flagged["flag"]) == (paid["id"], "disbursed", "certification_voided")
    assert "请财政核处" in flagged["flag_reason"]
    treasury = await suite.client("awards", "treasury").get(
        "/api/v1/awards", params={"state": "disbursed", "flag": "certification_voided", "uscc": e2})
    assert [a["id"] for a in treasury.json()["items"]] == [paid["id"]]
    withdrawn = (await suite.client("awards", "auditor").get(f"/api/v1/awards/{a1[NLG]['id']}")).json()
    assert withdrawn["history"][-1]["to_state"] == "withdrawn"
    r = await suite.client("awards").post(f"/api/v1/awards/{a1[NLG]['id']}/review")
    assert r.status_code == 409  # never payable again

    # talent: this year's and later years' quotas cancelled (deemed never recognised), past years' kept
    kept = {y: 1 for y in NATIONAL_YEARS if y < YEAR}
    for u in (e1, e2):
        assert await granted(suite, u) == kept
        for year in (y for y in NATIONAL_YEARS if y >= YEAR):
            [ent] = (await quotas(suite, u))[year]["basis"]["entitlements"]
            assert ent["state"] == "cancelled" and ent["cancel_reason"].startswith(f"认定作废（{why}）")

    # finance: the entry follows the record — back to SRDI since 2024, or never on the list at all
    back = await listing(suite, e1)
    assert (back["tier"], back["since"], back["listed"]) == (SRDI, "2024-03-01", True)
    assert await listing(suite, e2) is None
    listed = await bank_list(suite)
    assert e1 in listed and e2 not in listed

    # registry: the tier falls back, the statistics no longer count the voided titles
    got = await enterprise(suite, e1)
    assert got["current_tier"] == SRDI
    assert {c["id"]: c["state_on"] for c in got["certifications"]}[wrong1["id"]] == "voided"
    assert (await enterprise(suite, e2))["current_tier"] == "sme"
    after = await tier_counts(suite)
    assert after["counts"][NLG] == before["counts"][NLG] - 2
    assert after["counts"][SRDI] == before["counts"][SRDI] + 1
    assert after["counts"]["sme"] == before["counts"]["sme"] + 1
    assert after["holders"][NLG] == before["holders"][NLG] - 2


# -- 2. a departure -----------------------------------------------------------------------------

async def test_a_departure_ends_everything_from_the_day_it_left(suite):
    park_id = await new_park(suite)
    leaves, stays = make_uscc(), make_uscc()
    for u in (leaves, stays):
        await register(suite, u, park_id=park_id)
        await certify(suite, u, NLG, NATIONAL_ON)
    await suite.settled()
    [award] = await awards_of(suite, leaves)
    assert (await suite.client("awards").post(f"/api/v1/awards/{award['id']}/review")).status_code == 200
    assert await granted(suite, leaves) == {y: 1 for y in NATIONAL_YEARS}
    assert (await listing(suite, leaves))["listed"] is True
    assert (await park(suite, park_id))["enterprise_count"] == 2
    gone = today() - dt.timedelta(days=5)
    the_day_before = gone - dt.timedelta(days=1)
    counted = {on: await tier_counts(suite, on) for on in (the_day_before, gone)}

    why = "整体迁往河北省涿州市"
    r = await suite.client("registry").post(f"/api/v1/enterprises/{leaves}/departure",
                                            json={"status": "moved_out", "on": gone.isoformat(), "reason": why})
    assert r.status_code == 200 and r.json()["status"] == "moved_out", r.text
    await suite.settled()

    # awards: the unpaid (reviewed) award withheld with the reason, never payable
    [held] = await awards_of(suite, leaves)
    assert (held["id"], held["state"], held["flag"]) == (award["id"], "withheld", "enterprise_departed")
    assert why in held["flag_reason"]
    await fund(suite)
    r = await suite.client("awards", "treasury").post(f"/api/v1/awards/{award['id']}/approve")
    assert r.status_code == 409, r.text
    assert (await awards_of(suite, stays))[0]["state"] == "computed"  # the other enterprise untouched

    # talent: the years after the year it left are cancelled
    assert await granted(suite, leaves) == {y: 1 for y in NATIONAL_YEARS if y <= gone.year}
    for year in (y for y in NATIONAL_YEARS if y > gone.year):
        [ent] = (await quotas(suite, leaves))[year]["basis"]["entitlements"]
        assert ent["state"] == "cancelled" and ent["cancel_reason"].startswith(f"企业迁出（{gone.isoformat()}）")
    assert await granted(suite, stays) == {y: 1 for y in NATIONAL_YEARS}

    # finance: the entry ended on the day it left, with the reason
    entry = await listing(suite, leaves)
    assert (entry["listed"], entry["removed_on"], entry["removed_reason"]) == (False, gone.isoformat(), "moved_out")
    assert (await listing(suite, leaves, the_day_before))["listed"] is True
    listed = await bank_list(suite)
    assert leaves not in listed and stays in listed

    # parks: not counted from the day it left, still counted the day before
    now, earlier = await park(suite, park_id), await park(suite, park_id, the_day_before)
    assert (now["enterprise_count"], now["counts"][NLG]) == (1, 1)
    assert (await park(suite, park_id, gone))["enterprise_count"] == 1
    assert (earlier["enterprise_count"], earlier["counts"][NLG]) == (2, 2)
    assert set(await park_members(suite, park_id)) == {stays}

    # registry: out of the tier counts from that day
    after = {on: await tier_counts(suite, on) for on in (the_day_before, gone)}
    assert after[the_day_before]["counts"] == counted[the_day_before]["counts"]
    assert after[gone]["counts"][NLG] == counted[gone]["counts"][NLG] - 1


# -- 3. an edited park --------------------------------------------------------------------------

async def test_an_edited_park_moves_the_enterprise_in_parks_counts(suite):
    a, b = await new_park(suite), await new_park(suite)
    uscc = make_uscc()
    await register(suite, uscc)
    await certify(suite, uscc, SRDI, "2024-03-01")
    econ = suite.client("registry")
    r = await econ.patch(f"/api/v1/enterprises/{uscc}", json={"park_id": a, "reason": "补录所在园区"})
    assert r.status_code == 200 and r.json()["park_id"] == a, r.text
    await suite.settled()
    assert ((await park(suite, a))["enterprise_count"], (await park(suite, a))["counts"][SRDI]) == (1, 1)
    assert (await park(suite, b))["enterprise_count"] == 0

    # a park parks never recorded is refused and moves nothing
    r = await econ.patch(f"/api/v1/enterprises/{uscc}", json={"park_id": "park-nowhere"})
    assert r.status_code == 422 and "park-nowhere" in r.text, r.text

    r = await econ.patch(f"/api/v1/enterprises/{uscc}", json={"park_id": b, "reason": "园区录入错误"})
    assert r.status_code == 200 and r.json()["park_id"] == b, r.text
    await suite.settled()
    was, now = await park(suite, a), await park(suite, b)
    assert (was["enterprise_count"], was["counts"][SRDI], was["enterprises"]) == (0, 0, [])
    assert (now["enterprise_count"], now["counts"][SRDI]) == (1, 1)
    assert await park_members(suite, a) == {}
    assert (await park_members(suite, b))[uscc]["park_id"] == b

    # the record everywhere shows park B
    assert (await enterprise(suite, uscc))["park_id"] == b
    held = records_held(suite, uscc)
    assert {service: rec.park_id if rec else None for service, rec in held.items()} == dict.fromkeys(held, b)
    stats = (await econ.get("/api/v1/stats/new", params={"year": 2024, "by": "park"})).json()
    groups = {g["key"]: g["tiers"] for g in stats["groups"]}
    assert groups[b][SRDI]["stock"] == 1 and a not in groups
    # nothing is paid for a correction of a fact: the enterprise keeps its one award
    assert [x["amount_yuan"] for x in await awards_of(suite, uscc)] == [300_000]


# -- 4. an edited township ----------------------------------------------------------------------

async def stock_by_township(suite) -> dict[str | None, int]:
    r = await suite.client("registry").get("/api/v1/stats/new", params={"year": 2024, "by": "township"})
    assert r.status_code == 200, r.text
    return {g["key"]: g["tiers"].get(SRDI, {}).get("stock", 0) for g in r.json()["groups"]}


async def test_statistics_by_township_follow_an_edited_township(suite):
    uscc = make_uscc()
    await register(suite, uscc, township="窦店镇")
    await certify(suite, uscc, SRDI, "2024-03-01")
    await suite.settled()
    before = await stock_by_township(suite)
    assert before.get("窦店镇", 0) >= 1

    r = await suite.client("registry").patch(f"/api/v1/enterprises/{uscc}",
                                             json={"township": "长阳", "reason": "按营业执照更正"})
    assert r.status_code == 200 and r.json()["township"] == "长阳镇", r.text  # the variant, canonical
    await suite.settled()
    after = await stock_by_township(suite)
    assert after.get("窦店镇", 0) == before["窦店镇"] - 1
    assert after.get("长阳镇", 0) == before.get("长阳镇", 0) + 1
    found = (await suite.client("registry").get("/api/v1/enterprises", params={"township": "长阳"})).json()
    assert uscc in {e["uscc"] for e in found["items"]}
    held = records_held(suite, uscc)
    assert {service: rec.township if rec else None for service, rec in held.items()} == dict.fromkeys(held, "长阳镇")


# -- 5. a back-filled 2022–2024 list ------------------------------------------------------------

LABELS = {SRDI: "北京市专精特新中小企业", MLG: '北京市专精特新"小巨人"企业', NLG: '国家级专精特新"小巨人"企业',
          "innovative": "创新型中小企业"}


def recognition_list(rows: list[tuple[str, str, str, str]]) -> bytes:
    """A list in the municipal platform's shape (/work/shared/data/README.md): (uscc, name, tier, date)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["序号", "企业名称", "统一社会信用代码", "所属区", "认定类型", "批次", "认定日期"])
    for n, (uscc, name, tier, on) in enumerate(rows, 1):
        w.writerow([n, name, uscc, "房山区", LABELS[tier], f"{on[:4]}年第一批", on])
    return out.getvalue().encode("utf-8-sig")


async def test_a_backfilled_list_creates_no_payable_award_and_a_live_promotion_only_the_top_up(suite):
    climber, national, innovative = make_uscc(), make_uscc(), make_uscc()
    rows = [(climber, "北京补录攀升科技有限公司", SRDI, "2022-03-01"),
            (climber, "北京补录攀升科技有限公司", MLG, "2024-06-01"),
            (national, "北京补录国家级科技有限公司", NLG, "2024-09-01"),
            (innovative, "北京补录创新科技有限公司", "innovative", "2023-05-01")]
    r = await suite.client("registry").post("/api/v1/imports/recognition-lists", params={"mode": "backfill"},
                                            files={"file": ("2022-2024.csv", recognition_list(rows), "text/csv")})
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["created"], report["rejected"], report["skipped"], report["mode"]) == (4, [], 0, "backfill")
    await suite.settled()

    # the titles are recorded
    assert (await enterprise(suite, climber))["current_tier"] == MLG
    assert (await enterprise(suite, national))["current_tier"] == NLG
    # awards: recorded as settled outside the system, none payable
    past = {u: await awards_of(suite, u) for u in (climber, national, innovative)}
    assert sorted((a["tier"], a["amount_yuan"], a["state"]) for a in past[climber]) == [
        (MLG, 200_000, "settled_outside"), (SRDI, 300_000, "settled_outside")]
    assert [(a["amount_yuan"], a["state"]) for a in past[national]] == [(1_000_000, "settled_outside")]
    assert past[innovative] == []
    for u in past:
        assert await awards_of(suite, u, state="computed") == []
    payable = await suite.client("awards", "treasury").get("/api/v1/awards", params={"state": "computed",
                                                                                      "limit": 500})
    assert payable.status_code == 200, payable.text
    assert not {a["uscc"] for a in payable.json()["items"]} & set(past)
    await fund(suite)
    settled = past[national][0]
    r = await suite.client("awards").post(f"/api/v1/awards/{settled['id']}/review")
    assert r.status_code == 409 and "系统外已兑付" in r.json()["detail_zh"], r.text
    totals = (await suite.client("awards").get(f"/api/v1/enterprises/{national}/awards")).json()
    assert totals["total_yuan"] == 0

    # talent: no quota for a year already past; the current year and later ones as for any title
    assert await quotas(suite, climber) == {}  # a municipal little giant of 2024: its one year is past
    assert await granted(suite, national) == {y: 1 for y in range(2024, 2027) if y >= YEAR}
    assert all(year >= YEAR for year in await quotas(suite, national))

    # live: the climber becomes a national little giant; only the difference is payable
    live_on = (today() - dt.timedelta(days=10)).isoformat()
    await certify(suite, climber, NLG, live_on)
    await suite.settled()
    [top_up] = await awards_of(suite, climber, state="computed")
    assert (top_up["tier"], top_up["amount_yuan"]) == (NLG, 500_000)
    assert top_up["basis"]["already_awarded_yuan"] == 500_000
    assert len(await awards_of(suite, climber)) == 3
    first = int(live_on[:4])
    assert await granted(suite, climber) == {first: 1, first + 1: 1, first + 2: 1}
    assert (await listing(suite, climber))["tier"] == NLG
