"""Dated finance parameters: read, add, validate; a change of the list's threshold re-judges the list."""
import datetime as dt

from services.finance import service
from services.finance.tests.helpers import all_items, entry, listed_enterprise
from shared.clock import today

PARAMS = "/api/v1/parameters"
MIN_TIER = "finance.service_list.min_tier"


async def test_defaults_are_seeded_with_legal_references(suite):
    r = await suite.client("finance", role="bank", org="B1").get(PARAMS, params={"on": "2024-01-01"})
    assert r.status_code == 200
    p = r.json()["parameters"]
    assert p[MIN_TIER]["value"] == "municipal_srdi" and p[MIN_TIER]["effective_from"] == "2022-01-01"
    assert p["finance.first_loan_subsidy.rate_bp"]["value"] == 2000
    assert p["finance.first_loan_subsidy.certified_cap_bp"]["value"] == 200
    assert p["finance.guarantee.guarantor_share_bp"]["value"] == 8000
    assert p["finance.npl_compensation.srdi_rate_bp"]["value"] == 4000
    assert all(v["legal_ref"] for v in p.values()) and len(p) == 14
    assert p["finance.guidance_fund.srdi_share_min_bp"]["value"] == 3000
    before = await suite.client("finance", role="finance").get(PARAMS, params={"on": "2021-12-31"})
    assert before.json()["parameters"] == {}


async def test_parameter_auth_and_validation(suite):
    body = {"key": "finance.first_loan_subsidy.rate_bp", "value": 2500, "effective_from": "2030-01-01",
            "legal_ref": "测试：假设的2030年规则"}
    assert (await suite.client("finance", role=None).get(PARAMS)).status_code == 401
    assert (await suite.client("finance", role=None).post(PARAMS, json=body)).status_code == 401
    assert (await suite.client("finance", role="talent").get(PARAMS)).status_code == 403
    assert (await suite.client("finance", role="bank", org="B1").post(PARAMS, json=body)).status_code == 403
    assert (await suite.client("finance", role="econ").post(PARAMS, json=body)).status_code == 403
    fin = suite.client("finance", role="finance")
    for bad in ({**body, "key": "finance.nonsense"}, {**body, "key": "awards.tier.amount"},
                {**body, "value": 10001}, {**body, "value": 20.5}, {**body, "value": True},
                {**body, "key": MIN_TIER, "value": "gold"}, {**body, "effective_from": "2030-02-30"},
                {k: v for k, v in body.items() if k != "legal_ref"}):
        r = await fin.post(PARAMS, json=bad)
        assert r.status_code == 422 and r.json()["errors"], (bad, r.text)
    r = await fin.post(PARAMS, json=body)
    assert r.status_code == 201 and r.json()["value"] == 2500
    assert (await fin.post(PARAMS, json=body)).status_code == 409
    on = (await fin.get(PARAMS, params={"on": "2030-06-01"})).json()["parameters"]
    assert on["finance.first_loan_subsidy.rate_bp"]["value"] == 2500
    now = (await fin.get(PARAMS)).json()["parameters"]
    assert now["finance.first_loan_subsidy.rate_bp"]["value"] == 2000  # the future row is not in force yet


async def test_raising_the_threshold_removes_from_its_date(fresh_suite):
    suite = fresh_suite
    srdi = await listed_enterprise(suite, "municipal_srdi", "2025-06-01")
    giant = await listed_enterprise(suite, "national_little_giant", "2025-06-01")
    fin = suite.client("finance", role="finance")
    day = today().isoformat()
    r = await fin.post(PARAMS, json={"key": MIN_TIER, "value": "municipal_little_giant", "effective_from": day,
                                     "legal_ref": "测试：名单门槛提高到市级小巨人"})
    assert r.status_code == 201, r.text
    e = await entry(suite, srdi)
    assert (e["listed"], e["removed_on"], e["since"]) == (False, day, "2025-06-01")
    assert (await entry(suite, giant))["listed"] is True
    listed = {i["uscc"] for i in await all_items(suite.client("finance", role="bank", org="B1"))}
    assert giant in listed and srdi not in listed
    # a threshold dated in the future changes nothing today
    later = (today() + dt.timedelta(days=30)).isoformat()
    r = await fin.post(PARAMS, json={"key": MIN_TIER, "value": "single_champion", "effective_from": later,
                                     "legal_ref": "测试：未来门槛"})
    assert r.status_code == 201
    assert (await entry(suite, giant))["listed"] is True
    # the daily sweep once that date has come: only entries judged before it are re-judged
    with suite.db("finance").transaction() as s:
        assert service.rebuild_service_list(s, today(), only_stale=True) == 0
    with suite.db("finance").transaction() as s:
        assert service.rebuild_service_list(s, today() + dt.timedelta(days=30), only_stale=True) == 1
    e = await entry(suite, giant)
    assert (e["listed"], e["removed_on"]) == (False, later)
    with suite.db("finance").transaction() as s:  # nothing stale any more
        assert service.rebuild_service_list(s, today() + dt.timedelta(days=30), only_stale=True) == 0
