"""Dated finance parameters through the endpoints every service has (shared.policy): read, add,
validate (finance's own value check is SPEC.policy_validator); a new version of the list's
threshold re-judges the list (the threshold sweeper)."""
import datetime as dt

from services.finance import parameters
from services.finance.service_list import service, sweeper
from services.finance.tables import ServiceListEntry
from services.finance.tests.helpers import all_items, entry, listed_enterprise
from shared.clock import today
from shared.testing import Suite

POLICY = "/api/v1/policy"
MIN_TIER = "finance.service_list.min_tier"


def by_key(body: dict) -> dict:
    return {p["key"]: p for p in body["parameters"]}


async def test_defaults_are_seeded_with_legal_references(suite):
    r = await suite.client("finance", role="bank", org="B1").get(POLICY, params={"on": "2024-01-01"})
    assert r.status_code == 200
    p = by_key(r.json())
    assert p[MIN_TIER]["value"] == "municipal_srdi" and p[MIN_TIER]["effective_from"] == "2022-01-01"
    assert p["finance.first_loan_subsidy.rate_bp"]["value"] == 2000
    assert p["finance.first_loan_subsidy.certified_cap_bp"]["value"] == 200
    assert p["finance.guarantee.guarantor_share_bp"]["value"] == 8000
    assert p["finance.npl_compensation.srdi_rate_bp"]["value"] == 4000
    assert all(v["legal_ref"] for v in p.values()) and set(p) == set(parameters.PARAMETERS)
    assert p["finance.guidance_fund.srdi_share_min_bp"]["value"] == 3000
    before = await suite.client("finance", role="finance").get(POLICY, params={"on": "2021-12-31"})
    assert before.json()["parameters"] == []


async def test_parameter_auth_and_validation(suite):
    body = {"key": "finance.first_loan_subsidy.rate_bp", "value": 2500, "effective_from": "2030-01-01",
            "legal_ref": "测试：假设的2030年规则"}
    assert (await suite.client("finance", role=None).get(POLICY)).status_code == 401
    assert (await suite.client("finance", role=None).put(POLICY, json=body)).status_code == 401
    # policy is public to every signed-in caller (shared.policy); only finance adds versions here
    assert (await suite.client("finance", role="talent").get(POLICY)).status_code == 200
    assert (await suite.client("finance", role="bank", org="B1").put(POLICY, json=body)).status_code == 403
    assert (await suite.client("finance", role="econ").put(POLICY, json=body)).status_code == 403
    fin = suite.client("finance", role="finance")
    history = (await fin.get(f"{POLICY}/history")).json()["items"]
    for bad in ({**body, "key": "finance.nonsense"}, {**body, "key": "awards.tier.amount"}):
        r = await fin.put(POLICY, json=bad)  # no such parameter: new ones come with the code using them
        assert r.status_code == 404 and r.json()["type"].endswith("unknown-parameter"), (bad, r.text)
    for bad in ({**body, "value": 10001}, {**body, "value": 20.5}, {**body, "value": True},
                {**body, "key": MIN_TIER, "value": "gold"}, {**body, "key": MIN_TIER, "value": 3},
                {**body, "key": "finance.first_loan_subsidy.max_loan_yuan", "value": 10**14}):
        r = await fin.put(POLICY, json=bad)
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "value"], (bad, r.text)
    for bad in ({**body, "effective_from": "2030-02-30"}, {k: v for k, v in body.items() if k != "legal_ref"}):
        r = await fin.put(POLICY, json=bad)
        assert r.status_code == 422 and r.json()["errors"], (bad, r.text)
    assert (await fin.get(f"{POLICY}/history")).json()["items"] == history  # nothing written
    r = await fin.put(POLICY, json=body)
    assert r.status_code == 201 and r.json()["value"] == 2500 and r.json()["set_by"].startswith("finance:")
    assert (await fin.put(POLICY, json=body)).status_code == 409
    on = by_key((await fin.get(POLICY, params={"on": "2030-06-01"})).json())
    assert on["finance.first_loan_subsidy.rate_bp"]["value"] == 2500
    now = by_key((await fin.get(POLICY)).json())
    assert now["finance.first_loan_subsidy.rate_bp"]["value"] == 2000  # the future row is not in force yet
    versions = (await fin.get(f"{POLICY}/history", params={"key": "finance.first_loan_subsidy.rate_bp"})).json()
    assert [(v["value"], v["effective_from"]) for v in versions["items"]] == [(2000, "2022-01-01"), (2500, "2030-01-01")]


def test_validator():
    assert parameters.validate_policy_value("finance.first_loan_subsidy.rate_bp", 10_000) is None
    assert parameters.validate_policy_value("finance.first_loan_subsidy.rate_bp", 10_001)[1].endswith("0–10000")
    assert parameters.validate_policy_value(MIN_TIER, "national_little_giant") is None
    assert parameters.validate_policy_value(MIN_TIER, "gold") == ("取值应为层级代码", "the value must be a tier code")
    assert parameters.validate_policy_value("finance.unknown", -1) is None  # shared.policy answers 404


def test_a_new_threshold_version_is_noticed():
    d = dt.date(2026, 5, 1)
    seen = {1: dt.date(2022, 1, 1)}
    assert not service.threshold_added(None, seen, d)  # at start: the dated (stale-only) sweep
    assert not service.threshold_added(seen, seen, d)
    assert service.threshold_added(seen, {**seen, 7: d}, d)
    assert service.threshold_added(seen, {**seen, 7: dt.date(2025, 1, 1)}, d)  # back-dated
    assert not service.threshold_added(seen, {**seen, 7: d + dt.timedelta(days=1)}, d)  # on its date, by day


async def test_raising_the_threshold_removes_from_its_date(tmp_path):
    # The threshold sweeper applies a new version; make it look often.
    suite = await Suite(tmp_path, services=("registry", "finance"), expiry_sweep_s=0.1).start()
    try:
        assert min(suite.settings.expiry_sweep_s, sweeper.THRESHOLD_POLL_S) == 0.1
        srdi = await listed_enterprise(suite, "municipal_srdi", "2025-06-01")
        giant = await listed_enterprise(suite, "national_little_giant", "2025-06-01")
        fin = suite.client("finance", role="finance")
        day = today().isoformat()
        r = await fin.put(POLICY, json={"key": MIN_TIER, "value": "municipal_little_giant", "effective_from": day,
                                        "legal_ref": "测试：名单门槛提高到市级小巨人"})
        assert r.status_code == 201, r.text

        # read from the record and the threshold at once ...
        e = await entry(suite, srdi)
        assert (e["listed"], e["removed_on"], e["since"]) == (False, day, "2025-06-01")

        # ... and announced to the banks by the sweeper within seconds
        def announced():
            with suite.db("finance").reader() as s:
                row = s.get(ServiceListEntry, srdi)
                return not row.listed and row.removed_on == today()
        await suite.wait_for(announced, "the sweeper re-judging the list under the new threshold")
        assert (await entry(suite, giant))["listed"] is True
        listed = {i["uscc"] for i in await all_items(suite.client("finance", role="bank", org="B1"))}
        assert giant in listed and srdi not in listed
        # a threshold dated in the future changes nothing today, and applies on its date with no sweep
        later = (today() + dt.timedelta(days=30)).isoformat()
        r = await fin.put(POLICY, json={"key": MIN_TIER, "value": "single_champion", "effective_from": later,
                                        "legal_ref": "测试：未来门槛"})
        assert r.status_code == 201
        assert (await entry(suite, giant))["listed"] is True
        e = (await fin.get(f"/api/v1/service-list/{giant}", params={"on": later})).json()
        assert (e["listed"], e["removed_on"], e["tier"]) == (False, later, "national_little_giant")
        assert giant not in {i["uscc"] for i in await all_items(fin, on=later)}
        # the daily sweep (which announces it to the banks) once that date has come: only entries
        # judged before it are re-judged
        with suite.db("finance").transaction() as s:
            assert service.rebuild_service_list(s, today(), only_stale=True) == 0
        with suite.db("finance").transaction() as s:
            assert service.rebuild_service_list(s, today() + dt.timedelta(days=30), only_stale=True) == 1
        with suite.db("finance").reader() as s:
            row = s.get(ServiceListEntry, giant)
            assert (row.listed, row.removed_on) == (False, today() + dt.timedelta(days=30))
        with suite.db("finance").transaction() as s:  # nothing stale any more
            assert service.rebuild_service_list(s, today() + dt.timedelta(days=30), only_stale=True) == 0
    finally:
        await suite.stop()


async def test_the_two_guarantee_shares_hold_together_on_every_date(suite):
    """The guarantor's share and the bank's minimum share may not exceed 100 % on any date: one of
    them raised alone (8000 + 2000 → 10000 + 2000), both at once, or a future version withdrawn that
    was the other half of a pair. Each was stored before, and a later default on a loan was a 500
    (rules.npl_split). 422 `inconsistent-policy`, nothing recorded."""
    finance = suite.client("finance", role="finance")
    history = (await finance.get("/api/v1/policy/history")).json()["items"]
    guarantor = {"key": parameters.GUARANTOR, "value": 10000, "effective_from": "2034-06-01", "legal_ref": "测试"}
    r = await finance.put(POLICY, json=guarantor)
    assert r.status_code == 422 and r.json()["type"].endswith("inconsistent-policy"), r.text
    assert "自 2034-06-01 起" in r.json()["detail_zh"]
    r = await finance.post("/api/v1/policy/versions", json={"effective_from": "2034-06-01", "legal_ref": "测试", "values": {
        parameters.GUARANTOR: 9000, parameters.BANK_MIN: 2000}})
    assert r.status_code == 422 and r.json()["type"].endswith("inconsistent-policy"), r.text
    assert (await finance.get("/api/v1/policy/history")).json()["items"] == history
    # a pair that holds is recorded; withdrawing its lower bank share (so 9000 + 2000 from that day)
    # is refused, since it leaves the other half alone
    r = await finance.post("/api/v1/policy/versions", json={"effective_from": "2034-06-01", "legal_ref": "测试", "values": {
        parameters.GUARANTOR: 9000, parameters.BANK_MIN: 1000}})
    assert r.status_code == 201, r.text
    bank = next(v for v in r.json()["items"] if v["key"] == parameters.BANK_MIN)
    r = await finance.post(f"/api/v1/policy/{bank['id']}/withdraw", json={"reason": "测试"})
    assert r.status_code == 422 and r.json()["type"].endswith("inconsistent-policy"), r.text
