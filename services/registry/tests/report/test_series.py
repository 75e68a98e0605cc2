"""The leadership report's registry part: a multi-year series per title (stock, new, renewed,
lapsed), targets, service requests' timeliness by department, policy sessions, the reply's sentence."""
import datetime as dt

import pytest

from services.registry.report import rules
from services.registry.tables import PolicySession, ServiceRequest, SessionAttendance
from shared.testing import Suite, make_uscc

D = dt.date


def test_timeliness_and_lapsed_rules():
    rows = [("econ", D(2023, 3, 1), D(2023, 2, 28)), ("econ", D(2023, 3, 1), D(2023, 3, 5)),
            ("econ", D(2023, 12, 1), None), ("finance", D(2023, 6, 1), None)]
    got = rules.timeliness(rows, D(2023, 12, 31))
    assert got["econ"] == {"total": 3, "on_time": 1, "late": 1, "open": 1, "open_overdue": 1}
    assert got["finance"]["open_overdue"] == 1
    assert rules.year_ends(2022, 2023, D(2023, 9, 30)) == [(2022, D(2022, 1, 1), D(2022, 12, 31)),
                                                           (2023, D(2023, 1, 1), D(2023, 9, 30))]


@pytest.fixture
async def registry_alone(tmp_path):
    s = await Suite(tmp_path, services=("registry",)).start()
    yield s
    await s.stop()


async def test_series_over_two_years(registry_alone):
    suite = registry_alone
    econ = suite.client("registry")
    plan = [("innovative", "2022-03-01"), ("innovative", "2023-05-01"), ("municipal_srdi", "2020-03-01"),
            ("municipal_srdi", "2023-07-20")]
    firms = []
    for tier, on in plan:
        u = make_uscc()
        firms.append(u)
        assert (await econ.post("/api/v1/enterprises", json={"uscc": u, "name": "报告测试有限公司"})).status_code == 201
        r = await econ.post(f"/api/v1/enterprises/{u}/certifications", json={"tier": tier, "recognized_on": on})
        assert r.status_code == 201, r.text
    with suite.db("registry").transaction() as s:
        s.add_all([ServiceRequest(uscc=firms[0], category="finance", summary="融资", department="finance",
                                  state="resolved", opened_on=D(2023, 2, 1), due_on=D(2023, 2, 15),
                                  closed_on=D(2023, 2, 10)),
                   ServiceRequest(uscc=firms[1], category="talent", summary="人才", department="talent",
                                  state="open", opened_on=D(2023, 8, 1), due_on=D(2023, 8, 15))])
        ps = PolicySession(title="宣讲", township="窦店镇", held_on=D(2023, 4, 1), topic="专精特新", recorded_by="t")
        s.add(ps)
        s.flush()
        s.add_all([SessionAttendance(session_id=ps.id, uscc=firms[0], attendees=2, recorded_by="t"),
                   SessionAttendance(session_id=ps.id, uscc=firms[1], attendees=3, recorded_by="t")])
    r = await econ.get("/api/v1/report/series", params={"from_year": 2022, "to_year": 2023, "on": "2023-09-30"})
    assert r.status_code == 200, r.text
    body = r.json()
    y22, y23 = body["years"]
    assert (y22["on"], y23["on"]) == ("2022-12-31", "2023-09-30")
    assert y22["tiers"]["innovative"] == {"stock": 1, "base": 0, "new": 1, "renewed": 0, "lapsed": 0}
    assert y23["tiers"]["innovative"] == {"stock": 2, "base": 1, "new": 1, "renewed": 0, "lapsed": 0}
    # recognised 2020-03-01, valid three years: lapsed in 2023, and the other is new
    assert y23["tiers"]["municipal_srdi"] == {"stock": 1, "base": 1, "new": 1, "renewed": 0, "lapsed": 1}
    assert {q["department"]: (q["total"], q["on_time"], q["open_overdue"]) for q in y23["requests"]} == {
        "finance": (1, 1, 0), "talent": (1, 0, 1)}
    assert y22["requests"] == [] and y23["sessions"] == {"sessions": 1, "enterprises": 2, "attendees": 5}
    assert isinstance(y23["targets"], list)
    assert body["text_zh"] == ("截至2023年9月30日，存量创新型中小企业2家，较2022年新增1家；"
                               "存量专精特新中小企业1家，较2022年新增1家。")
    old = (await econ.get("/api/v1/report/series", params={"from_year": 2000, "to_year": 2001})).json()
    assert [y["year"] for y in old["years"]] == [2000, 2001] and old["years"][0]["tiers"]["innovative"]["stock"] == 0
    assert old["years"][0]["targets"] == []  # no targets in force in 2000: the rest still answers
    for bad in ({"from_year": 2023, "to_year": 2022}, {"from_year": 2022, "to_year": 2023, "on": "2099-01-01"},
                {"from_year": 2022, "to_year": 2024, "on": "2023-09-30"}, {"from_year": 1990, "to_year": 2023},
                {"from_year": 2000, "to_year": 2023, "on": "2023-01-01"}):
        r = await econ.get("/api/v1/report/series", params=bad)
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), bad
        assert "detail_zh" in r.json()
    for role, org in (("park", "P"), ("bank", "B"), ("talent", None)):
        r = await suite.client("registry", role=role, org=org).get("/api/v1/report/series?from_year=2023&to_year=2023")
        assert r.status_code == 403, role
    assert (await suite.client("registry", role="auditor").get(
        "/api/v1/report/series?from_year=2023&to_year=2023")).status_code == 200
    await suite.settled()
