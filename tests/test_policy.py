"""Policy parameters as data, the same on every service: in force on a date, history, new versions."""
import contextlib
import datetime as dt
import importlib
import json
import re

import pytest

from shared import params, policy
from shared.db import Database
from shared.migrate import upgrade
from shared.testing import make_uscc

KEY = "certification.validity_years.potential"


async def test_versions_take_effect_from_their_date(suite):
    econ = suite.client("registry")
    now = (await econ.get("/api/v1/policy?on=2024-01-01")).json()
    assert {p["key"]: p["value"] for p in now["parameters"]}[KEY] == 1
    assert all(p["legal_ref"] for p in now["parameters"])
    r = await econ.put("/api/v1/policy", json={"key": KEY, "value": 2, "effective_from": "2026-01-01",
                                              "legal_ref": "区经信局 2025 年第 9 号通知（测试）"})
    assert r.status_code == 201 and r.json()["set_by"].startswith("econ:")
    assert (await econ.put("/api/v1/policy", json={"key": KEY, "value": 3, "effective_from": "2026-01-01",
                                                   "legal_ref": "again"})).status_code == 409
    values = {on: {p["key"]: p["value"] for p in (await econ.get(f"/api/v1/policy?on={on}")).json()["parameters"]}[KEY]
              for on in ("2025-12-31", "2026-01-01")}
    assert values == {"2025-12-31": 1, "2026-01-01": 2}
    history = (await econ.get(f"/api/v1/policy/history?key={KEY}")).json()["items"]
    assert [h["value"] for h in history] == [1, 2]
    # The rule uses the version in force on the recognition date.
    uscc = make_uscc()
    await econ.post("/api/v1/enterprises", json={"uscc": uscc, "name": "参数测试"})
    cert = (await econ.post(f"/api/v1/enterprises/{uscc}/certifications",
                            json={"tier": "potential", "recognized_on": "2026-03-01"})).json()
    assert cert["expires_on"] == "2028-02-29"


@pytest.mark.parametrize("body, status", [
    ({"key": "no.such.key", "value": 1, "effective_from": "2026-01-01", "legal_ref": "x"}, 404),
    ({"key": KEY, "value": "two", "effective_from": "2027-01-01", "legal_ref": "x"}, 422),
    ({"key": KEY, "value": -1, "effective_from": "2027-01-01", "legal_ref": "x"}, 422),
    ({"key": KEY, "value": True, "effective_from": "2027-01-01", "legal_ref": "x"}, 422),
    ({"key": KEY, "value": 2, "effective_from": "2027-02-30", "legal_ref": "x"}, 422),
    ({"key": KEY, "value": 2, "effective_from": "2027-01-01"}, 422),
])
async def test_bad_versions_change_nothing(suite, body, status):
    econ = suite.client("registry")
    before = (await econ.get("/api/v1/policy/history")).json()["items"]
    assert (await econ.put("/api/v1/policy", json=body)).status_code == status
    assert (await econ.get("/api/v1/policy/history")).json()["items"] == before


async def test_roles(suite):
    body = {"key": KEY, "value": 2, "effective_from": "2030-01-01", "legal_ref": "x"}
    assert (await suite.client("registry", role="treasury").put("/api/v1/policy", json=body)).status_code == 403
    assert (await suite.client("registry", role=None).get("/api/v1/policy")).status_code == 401
    assert (await suite.client("registry", role="bank", org="B1").get("/api/v1/policy")).status_code == 200


# -- several parameters from one date: all recorded or none (POST /policy/versions) -------------
VERSIONS = "/api/v1/policy/versions"
YEARS = "certification.validity_years."


async def test_several_parameters_from_one_date_all_or_none(suite):
    econ = suite.client("registry")
    body = {"effective_from": "2031-01-01", "legal_ref": "区经信局 2030 年第 1 号通知（测试）",
            "values": {f"{YEARS}innovative": 4, "targets.yearly": {"listing": 3, "national_little_giant": 12,
                                                                   "municipal_srdi": 35, "potential": 120}}}
    r = await econ.post(VERSIONS, json=body)
    assert r.status_code == 201, r.text
    items = r.json()["items"]
    assert [(v["key"], v["effective_from"]) for v in items] == [
        (f"{YEARS}innovative", "2031-01-01"), ("targets.yearly", "2031-01-01")]
    assert all(v["legal_ref"] == body["legal_ref"] and v["set_by"].startswith("econ:") for v in items)
    on = {p["key"]: p["value"] for p in (await econ.get("/api/v1/policy?on=2031-01-01")).json()["parameters"]}
    assert on[f"{YEARS}innovative"] == 4 and on["targets.yearly"]["municipal_srdi"] == 35
    audit = (await suite.client("registry", role="auditor").get(
        "/api/v1/audit-log", params={"object_type": "policy_parameter", "object_id": str(items[0]["id"])})).json()
    assert [e["action"] for e in audit["items"]] == ["policy.version"]

    # One value refused: nothing recorded, every refusal named by its parameter.
    before = (await econ.get("/api/v1/policy/history")).json()["items"]
    bad = {"effective_from": "2032-01-01", "legal_ref": "x",
           "values": {f"{YEARS}innovative": 5, f"{YEARS}potential": "two", "no.such.key": 1,
                      "targets.yearly": {"listing": 3}, f"{YEARS}single_champion": "a\x07b"}}
    r = await econ.post(VERSIONS, json=bad)
    assert r.status_code == 422 and r.json()["type"].endswith("/invalid-versions"), r.text
    refused = {e["loc"][-1]: e for e in r.json()["errors"]}
    assert set(refused) == {f"{YEARS}potential", "no.such.key", "targets.yearly", f"{YEARS}single_champion"}
    assert all(e["loc"][:2] == ["body", "values"] for e in refused.values())
    assert refused["no.such.key"]["type"] == "unknown-parameter"
    assert refused[f"{YEARS}potential"]["msg"].startswith("取值类型须与现行版本一致")
    assert "控制字符" in refused[f"{YEARS}single_champion"]["msg"]
    assert "没有参数被改变" in r.json()["detail_zh"]
    assert (await econ.get("/api/v1/policy/history")).json()["items"] == before

    # Each a version from that date already: 409, nothing recorded.
    r = await econ.post(VERSIONS, json={**body, "values": {f"{YEARS}innovative": 5}})
    assert r.status_code == 409 and r.json()["errors"][0]["type"] == "version-exists", r.text
    assert r.json()["errors"][0]["msg"].startswith("在 2031-01-01 已有版本；历史不可修改")
    # The service's own check of a value (awards: basis points 0–100000), beside the valid one.
    awards = suite.client("awards")
    r = await awards.post(VERSIONS, json={"effective_from": "2031-01-01", "legal_ref": "x", "values": {
        "award.scenario.rate_bp": 200000, "award.tier.municipal_srdi": 200000}})
    assert r.status_code == 422 and [e["loc"][-1] for e in r.json()["errors"]] == ["award.scenario.rate_bp"]
    assert (await awards.get("/api/v1/policy?on=2031-01-01")).json() == (
        await awards.get("/api/v1/policy?on=2030-12-31")).json() | {"on": "2031-01-01"}

    for wrong in ({**body, "values": {}}, {**body, "effective_from": "2031-02-30"}, {**body, "legal_ref": ""}):
        assert (await econ.post(VERSIONS, json=wrong)).status_code == 422
    assert (await suite.client("registry", role="auditor").post(VERSIONS, json=body)).status_code == 403
    assert (await suite.client("talent", role="econ").post(VERSIONS, json={
        **body, "values": {"talent.quota.years.national_little_giant": 4}})).status_code == 403


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
async def test_a_number_that_is_not_finite_is_refused_anywhere_in_a_value(suite, constant):
    """JSON has no NaN or Infinity (PostgreSQL's JSON refuses them); a client may still send them: 422,
    nothing recorded — in a table's or list's value too, through PUT and the several-parameter POST."""
    econ = suite.client("registry")
    before = (await econ.get("/api/v1/policy/history")).json()["items"]
    # a table or list holding a number: the same shape, its first number replaced by the constant
    nested = next(p for p in before if isinstance(p["value"], (dict, list))
                  and re.search(r"[:\[,] ?-?\d", json.dumps(p["value"])))
    value = re.sub(r"(?<=[:\[,] )-?\d+(\.\d+)?|(?<=[:\[,])-?\d+(\.\d+)?", constant, json.dumps(nested["value"]),
                   count=1)
    for path, method, body in (
            ("/api/v1/policy", "PUT",
             '{"key": "%s", "value": %s, "effective_from": "2031-01-01", "legal_ref": "x"}' % (nested["key"], value)),
            ("/api/v1/policy/versions", "POST",
             '{"effective_from": "2031-01-01", "legal_ref": "x", "values": {"%s": %s}}' % (nested["key"], value))):
        r = await econ.request(method, path, content=body, headers={"content-type": "application/json"})
        assert r.status_code == 422, (path, r.status_code, r.text[:300])
        assert r.json()["detail_zh"]
    assert (await econ.get("/api/v1/policy/history")).json()["items"] == before


@contextlib.contextmanager
def registry_database(tmp_path):
    """The registry's database on its own (no app): its migrations run, disposed afterwards."""
    spec = importlib.import_module("services.registry.main").SPEC
    db = Database(f"sqlite:///{tmp_path}/registry.db")
    upgrade(db.engine, "registry", spec.migrations, spec.metadata)
    try:
        yield db
    finally:
        db.dispose()


def version(value: int, on: dt.date) -> policy.PolicyVersionIn:
    return policy.PolicyVersionIn(key=KEY, value=value, effective_from=on, legal_ref="测试")


def test_a_transaction_reads_the_stamp_once_and_again_after_its_own_change(tmp_path):
    """`params.in_force` asks the table's stamp once a session (issue 15); a version the session
    adds or withdraws itself is seen at once, and a later transaction sees another's."""
    on = dt.date(2031, 6, 1)
    with registry_database(tmp_path) as db:
        with db.transaction() as s:
            assert params.in_force(s, on)[KEY].value == 1
            policy.add_version(s, "econ:test", version(2, dt.date(2031, 1, 1)))
            assert params.in_force(s, on)[KEY].value == 2  # its own new version, at once
            late = policy.add_version(s, "econ:test", version(3, dt.date(2031, 5, 1)))
            assert params.in_force(s, on)[KEY].value == 3
            policy.withdraw(s, "econ:test", late.id, "录入错误", dt.date(2026, 12, 4))
            assert params.in_force(s, on)[KEY].value == 2  # withdrawn in this session: seen at once
        with db.transaction() as s:  # another transaction, after the commit
            assert params.in_force(s, on)[KEY].value == 2


def test_a_rolled_back_version_is_not_seen_by_the_session_that_added_it(tmp_path):
    """A version added under a savepoint that rolls back leaves the session's reads as they were."""
    on = dt.date(2031, 6, 1)
    with registry_database(tmp_path) as db, db.transaction() as s:
        try:
            with s.begin_nested():
                policy.add_version(s, "econ:test", version(2, dt.date(2031, 1, 1)))
                assert params.in_force(s, on)[KEY].value == 2
                raise RuntimeError("undone")
        except RuntimeError:
            pass
        assert params.in_force(s, on)[KEY].value == 1


async def test_a_value_beyond_64_bits_is_stored_as_before(suite):
    """JSON columns are written by orjson, which refuses integers beyond 64 bits: such a value is
    written by the stdlib encoder as before, not a 500 (shared.db._json)."""
    r = await suite.client("registry").put("/api/v1/policy", json={
        "key": KEY, "value": 10**20, "effective_from": "2040-01-01", "legal_ref": "测试"})
    assert r.status_code in (201, 422), r.text
    if r.status_code == 201:
        assert r.json()["value"] == 10**20


# -- coded parameters: a code the service does not know is refused (ServiceSpec.policy_codes) -----
WRITER = {"talent": "talent"}  # who sets a service's policy, where not the lead bureau
ROUTING = {"qualification": "econ", "subsidy": "treasury", "talent": "talent", "finance": "finance",
           "land_space": "park", "other": "econ"}


@pytest.mark.parametrize("service, key, value, said", [
    ("awards", "award.listing.boards", ["主板", "中小板"], "含有未知代码 主板、中小板"),  # labels typed for codes
    ("awards", "award.listing.boards", ["main", "main"], "同一代码不能出现两次"),
    ("awards", "award.listing.boards", [], "至少须有一项"),
    ("outreach", "outreach.programme.reminder_channels", ["inbox", "fax"], "含有未知代码 fax"),
    ("outreach", "outreach.validity.reminder_channels", ["微信"], "含有未知代码 微信"),
    ("registry", "service_package.routing", {**ROUTING, "subsidy": "bank"}, "含有未知代码 bank"),
    ("registry", "monitoring.key_min_tier", "小巨人", "含有未知代码 小巨人"),
    ("registry", "annual_update.deadline", "02-29", "月-日"),
    ("registry", "screening.near_miss.max_relative_gap", "二成", "小数"),
    # digits that are not ASCII (² made a 500; full-width ones were stored), and a ratio that the
    # screening's Fraction would expand to ten million digits (a request of minutes)
    ("registry", "annual_update.deadline", "0²-30", "月-日"),
    ("registry", "annual_update.deadline", "０４-３０", "月-日"),
    ("registry", "screening.near_miss.max_relative_gap", "1E-9999999", "小数"),
    ("registry", "screening.near_miss.max_relative_gap", " 0.2", "小数"),
    # counted ones out of their range: a title valid 10,000 years, a quota for a million years, a poll
    # every 0 seconds, a request due the day it is made, a year's target beyond any district's
    ("registry", "certification.validity_years.potential", 10_000, "须为 1 至 10 的整数"),
    ("talent", "talent.quota.years.national_little_giant", 1_000_000, "须为 1 至 10 的整数"),
    ("outreach", "outreach.notice.poll_s", 0, "须为 1 至 86400 的整数"),
    ("registry", "service_package.deadline_days", 0, "须为 1 至 365 的整数"),
    ("registry", "targets.yearly", {"listing": 2, "national_little_giant": 10, "municipal_srdi": 30,
                                    "potential": 10**6}, "须为 0 至 100000 的整数"),
])
async def test_an_unknown_code_or_unusable_text_is_refused_beside_the_value(suite, service, key, value, said):
    """A label typed for a code (主板 for main), a channel outreach does not have, a department no
    queue belongs to: each would look like a good version and refuse or misroute from its date.
    422 beside `value` (and beside its key in a several-parameter version), naming the codes;
    nothing recorded."""
    client = suite.client(service, role=WRITER.get(service, "econ"))
    before = (await client.get("/api/v1/policy/history")).json()["items"]
    r = await client.put("/api/v1/policy", json={"key": key, "value": value, "effective_from": "2033-07-01",
                                                  "legal_ref": "x"})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["loc"] == ["body", "value"] and said in r.json()["detail_zh"], r.text
    r = await client.post(VERSIONS, json={"effective_from": "2033-07-01", "legal_ref": "x", "values": {key: value}})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "values", key], r.text
    assert (await client.get("/api/v1/policy/history")).json()["items"] == before


@pytest.mark.parametrize("service, key, value", [
    ("awards", "award.listing.boards", ["main", "star", "overseas"]),
    ("outreach", "outreach.programme.reminder_channels", ["inbox", "sms"]),
    ("registry", "service_package.routing", {**ROUTING, "land_space": "econ"}),
    ("registry", "annual_update.deadline", "05-31"),
    ("registry", "certification.validity_years.potential", 2),
    ("talent", "talent.quota.years.national_little_giant", 5),
])
async def test_known_codes_and_values_in_range_are_recorded(suite, service, key, value):
    r = await suite.client(service, role=WRITER.get(service, "econ")).put("/api/v1/policy", json={
        "key": key, "value": value, "effective_from": "2033-07-01", "legal_ref": "x"})
    assert r.status_code == 201 and r.json()["value"] == value, r.text
