"""Stock and new per period (the reply's table), by group, and the XLSX export."""
import datetime as dt
import io

import openpyxl
import pytest

from services.registry.certifications.rules import Cert
from services.registry.statistics import rules
from shared.testing import make_uscc

D = dt.date


def test_period_counts_new_renewed_and_net():
    certs = {
        "new_2023": [Cert(1, "innovative", D(2023, 3, 1), D(2026, 2, 28))],
        "held_2022": [Cert(2, "innovative", D(2022, 5, 1), D(2025, 4, 30))],
        "renewed": [Cert(3, "municipal_srdi", D(2020, 9, 1), D(2023, 8, 31)),
                    Cert(4, "municipal_srdi", D(2023, 9, 1), D(2026, 8, 31))],
        "lapsed": [Cert(5, "municipal_srdi", D(2020, 6, 1), D(2023, 5, 31))],
        "after": [Cert(6, "innovative", D(2023, 10, 1), D(2026, 9, 30))],
        "edge_first_day": [Cert(7, "national_little_giant", D(2023, 1, 1), D(2025, 12, 31))],
        "edge_last_day": [Cert(8, "national_little_giant", D(2023, 9, 30), D(2026, 9, 29))],
        "revoked": [Cert(9, "national_little_giant", D(2021, 1, 1), D(2023, 12, 31), revoked_on=D(2023, 6, 1))],
    }
    c = rules.period_counts(certs, D(2023, 1, 1), D(2023, 9, 30))
    assert c["innovative"] == {"stock": 2, "base": 1, "net": 1, "new": 1, "renewed": 0}
    assert c["municipal_srdi"] == {"stock": 1, "base": 2, "net": -1, "new": 0, "renewed": 1}
    assert c["national_little_giant"] == {"stock": 2, "base": 1, "net": 1, "new": 2, "renewed": 0}
    text = rules.reply_sentence(c, D(2023, 9, 30), D(2023, 1, 1))
    assert text.startswith("截至2023年9月30日，存量创新型中小企业2家，较2022年新增1家；")
    empty = {t: {"stock": 0, "base": 0, "net": 0, "new": 0, "renewed": 0} for t in c}
    assert rules.reply_sentence(empty, D(2023, 9, 30), D(2023, 1, 1)) == "截至2023年9月30日，尚无已认定企业。"


async def post_cert(econ, uscc, tier, on):
    r = await econ.post(f"/api/v1/enterprises/{uscc}/certifications", json={"tier": tier, "recognized_on": on})
    assert r.status_code == 201, r.text


async def test_new_stats_endpoint_groups_and_xlsx(suite):
    econ = suite.client("registry")
    town = "蒲洼乡"  # a unit of the list (shared.townships) no other test of this module uses
    firms = []
    for tier, on in (("innovative", "2022-06-01"), ("innovative", "2023-03-01"), ("municipal_srdi", "2023-07-20")):
        u = make_uscc()
        firms.append(u)
        await econ.post("/api/v1/enterprises", json={"uscc": u, "name": "统计测试", "township": town,
                                                      "park_id": "P-S", "industry_code": "C35"})
        await post_cert(econ, u, tier, on)
    r = await econ.get("/api/v1/stats/new", params={"year": 2023, "to": "2023-09-30", "by": "township"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["from"], body["to"], body["base_on"]) == ("2023-01-01", "2023-09-30", "2022-12-31")
    mine = next(g for g in body["groups"] if g["key"] == town)["tiers"]
    assert mine["innovative"] == {"stock": 2, "base": 1, "net": 1, "new": 1, "renewed": 0}
    assert mine["municipal_srdi"]["new"] == 1 and body["text_zh"].startswith("截至2023年9月30日")
    r = await econ.get("/api/v1/stats/new", params={"from": "2023-01-01", "to": "2023-09-30", "by": "park"})
    assert next(g for g in r.json()["groups"] if g["key"] == "P-S")["tiers"]["innovative"]["stock"] >= 2
    r = await econ.get("/api/v1/stats/new", params={"year": 2023, "by": "industry", "format": "xlsx"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in sheet[2]][:2] == ["行业", "称号"] and sheet["A3"].value == "全区"
    assert any(row[0] == "C35" for row in sheet.iter_rows(values_only=True))
    assert (await suite.client("registry", role="auditor").get("/api/v1/stats/new?year=2023")).status_code == 200


@pytest.mark.parametrize("query", ["", "year=1999", "year=2023&from=2023-01-01", "year=2023&to=2024-01-01",
                                   "from=2023-05-01&to=2023-01-01", "from=2023-01-01", "year=2023&by=street",
                                   "year=2023&format=pdf", "from=notadate&to=2023-01-01"])
async def test_new_stats_bad_queries(suite, query):
    r = await suite.client("registry").get(f"/api/v1/stats/new?{query}")
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), r.text


async def test_new_stats_roles(suite):
    assert (await suite.client("registry", role=None).get("/api/v1/stats/new?year=2023")).status_code == 401
    assert (await suite.client("registry", role="bank", org="B1").get("/api/v1/stats/new?year=2023")).status_code == 403
    assert (await suite.client("registry", role="park", org="P-S").get("/api/v1/stats/new?year=2023")).status_code == 403
    await suite.settled()


async def test_a_future_year_has_no_statistics_yet(suite):
    from shared.clock import today
    r = await suite.client("registry").get("/api/v1/stats/new", params={"year": today().year + 1})
    assert r.status_code == 422 and r.json()["type"].endswith("bad-period")
