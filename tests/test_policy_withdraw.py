"""Withdrawing a policy version that has not yet taken effect (issue 18): a typo in a future amount
is withdrawn (kept, marked, audited, ignored by every lookup) and corrected on the same date; a
version in force is history (409: add a new version)."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from shared import params
from shared.clock import today
from shared.tables import AuditLog, PolicyParameter
from shared.testing import Suite

KEY = "award.tier.municipal_srdi"  # 300000 元 from 2022-01-01 (awards' first migration)
ENOUGH = "已生效的参数不能撤回，请发布新版本"


@pytest.fixture(scope="module")
async def suite(tmp_path_factory):
    s = await Suite(tmp_path_factory.mktemp("withdraw"), services=("awards", "finance")).start()
    yield s
    await s.stop()


def amount(doc: dict, key: str = KEY):
    return {p["key"]: p["value"] for p in doc["parameters"]}[key]


async def add(client, key, value, on, legal_ref="区经信局 2026 年第 3 号通知（测试）"):
    r = await client.put("/api/v1/policy", json={"key": key, "value": value, "effective_from": on.isoformat(),
                                                 "legal_ref": legal_ref})
    assert r.status_code == 201, r.text
    return r.json()


async def test_a_typo_in_a_future_amount_is_withdrawn_and_corrected_on_the_same_date(suite):
    econ = suite.client("awards")
    future = dt.date(today().year + 2, 1, 1)
    was = amount((await econ.get(f"/api/v1/policy?on={future}")).json())
    typo = await add(econ, KEY, was * 10, future)
    assert amount((await econ.get(f"/api/v1/policy?on={future}")).json()) == was * 10

    r = await econ.post(f"/api/v1/policy/{typo['id']}/withdraw", json={"reason": "金额多录一个零"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["withdrawn_by"].startswith("econ:") and out["withdraw_reason"] == "金额多录一个零" and out["withdrawn_at"]
    # in force on that date again: the previous value, through the API and through every lookup
    assert amount((await econ.get(f"/api/v1/policy?on={future}")).json()) == was
    with suite.db("awards").reader() as s:
        assert params.in_force(s, future, "award.tier.")[KEY].value == was
    # history keeps it, with who and why
    history = (await econ.get(f"/api/v1/policy/history?key={KEY}")).json()["items"]
    kept = next(h for h in history if h["id"] == typo["id"])
    assert kept["value"] == was * 10 and kept["withdraw_reason"] == "金额多录一个零"
    # audited, before and after
    entry = (await suite.client("awards", role="auditor").get(
        f"/api/v1/audit-log?object_type=policy_parameter&object_id={typo['id']}")).json()["items"][0]
    assert entry["action"] == "policy.withdraw" and entry["before"]["withdrawn_at"] is None
    assert entry["after"]["withdraw_reason"] == "金额多录一个零"
    # the date is free for the corrected amount (no second version a day later)
    fixed = await add(econ, KEY, was + 50000, future)
    assert amount((await econ.get(f"/api/v1/policy?on={future}")).json()) == was + 50000
    assert [h["id"] for h in (await econ.get(f"/api/v1/policy/history?key={KEY}")).json()["items"]
            if h["effective_from"] == future.isoformat()] == [typo["id"], fixed["id"]]
    # a second withdrawal of the same version: 409, nothing changes
    again = await econ.post(f"/api/v1/policy/{typo['id']}/withdraw", json={"reason": "再撤一次"})
    assert again.status_code == 409 and again.json()["type"].endswith("version-withdrawn")
    assert next(h for h in (await econ.get(f"/api/v1/policy/history?key={KEY}")).json()["items"]
                if h["id"] == typo["id"])["withdraw_reason"] == "金额多录一个零"


async def test_a_version_in_force_cannot_be_withdrawn(suite):
    econ = suite.client("awards")
    history = (await econ.get(f"/api/v1/policy/history?key={KEY}")).json()["items"]
    first = history[0]
    assert dt.date.fromisoformat(first["effective_from"]) <= today()
    with suite.db("awards").reader() as s:
        audits = s.scalar(select(func.count()).select_from(AuditLog))
    r = await econ.post(f"/api/v1/policy/{first['id']}/withdraw", json={"reason": "想改"})
    assert r.status_code == 409 and r.json()["detail_zh"] == ENOUGH
    assert r.headers["content-type"].startswith("application/problem+json") and r.json()["detail_en"]
    # one taking effect today is in force too
    todays = await add(econ, "award.tier.municipal_little_giant", 500000, today())
    r = await econ.post(f"/api/v1/policy/{todays['id']}/withdraw", json={"reason": "想改"})
    assert r.status_code == 409 and r.json()["detail_zh"] == ENOUGH
    with suite.db("awards").reader() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog)) == audits + 1  # the PUT's only
        assert s.scalar(select(func.count()).select_from(PolicyParameter)
                        .where(PolicyParameter.withdrawn_at.is_not(None), PolicyParameter.id == first["id"])) == 0


@pytest.mark.parametrize("role, path, body, status", [
    ("treasury", "/api/v1/policy/{id}/withdraw", {"reason": "x"}, 403),
    ("auditor", "/api/v1/policy/{id}/withdraw", {"reason": "x"}, 403),
    ("econ", "/api/v1/policy/999999/withdraw", {"reason": "x"}, 404),
    ("econ", "/api/v1/policy/0/withdraw", {"reason": "x"}, 422),
    ("econ", "/api/v1/policy/{id}/withdraw", {}, 422),
    ("econ", "/api/v1/policy/{id}/withdraw", {"reason": "  "}, 422),
    ("econ", "/api/v1/policy/{id}/withdraw", {"reason": "x", "extra": 1}, 422),
])
async def test_refusals_change_nothing(suite, role, path, body, status):
    econ = suite.client("awards")
    future = dt.date(today().year + 3, 7, 1)
    version = next((h for h in (await econ.get(f"/api/v1/policy/history?key={KEY}")).json()["items"]
                    if h["effective_from"] == future.isoformat() and not h["withdrawn_at"]), None)
    version = version or await add(econ, KEY, 310000, future)
    r = await suite.client("awards", role=role).post(path.format(id=version["id"]), json=body)
    assert r.status_code == status, r.text
    assert amount((await econ.get(f"/api/v1/policy?on={future}")).json()) == 310000


async def test_finance_reads_ignore_a_withdrawn_threshold(suite):
    """Finance reads its service-list threshold's history directly (services.finance.parameters)."""
    from services.finance import parameters

    finance = suite.client("finance", role="finance")
    future = dt.date(today().year + 2, 3, 1)
    with suite.db("finance").reader() as s:
        before = parameters.history(s, parameters.MIN_TIER)
    other = "national_little_giant" if before[-1][1] != "national_little_giant" else "municipal_srdi"
    typo = await add(finance, parameters.MIN_TIER, other, future)
    with suite.db("finance").reader() as s:
        assert parameters.history(s, parameters.MIN_TIER)[-1] == (future, other)
    assert (await suite.client("finance", role="econ").post(
        f"/api/v1/policy/{typo['id']}/withdraw", json={"reason": "x"})).status_code == 403  # finance's own policy
    r = await finance.post(f"/api/v1/policy/{typo['id']}/withdraw", json={"reason": "层级选错"})
    assert r.status_code == 200, r.text
    with suite.db("finance").reader() as s:
        assert parameters.history(s, parameters.MIN_TIER) == before
        assert typo["id"] not in parameters.versions(s, parameters.MIN_TIER)
        cited = parameters.values(s, future, "finance.service_list.")[1]
        assert typo["id"] not in {c["id"] for c in cited}
