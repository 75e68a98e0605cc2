"""On a registry of its own each (the counts are over the whole registry):
- ../shared/data/recognition-list-sample.csv imports as its .expected.json says, twice;
- the reply's own table (截至9月末：创新型130家，较2022年新增72家；专精特新141家，新增22家；
  国家级小巨人20家，新增2家) comes out of the registry's data through /stats/new."""
import json
import random
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.registry.tables import Enterprise
from services.registry.tests import listgen
from shared.testing import Suite

DATA = Path(__file__).resolve().parents[4].parent / "shared" / "data"


@pytest.fixture
async def registry_alone(tmp_path):
    s = await Suite(tmp_path, services=("registry",)).start()
    yield s
    await s.stop()


async def post_list(client, content: bytes):
    r = await client.post("/api/v1/imports/recognition-lists", files={"file": ("list.csv", content, "text/csv")})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.skipif(not (DATA / "recognition-list-sample.csv").exists(), reason="../shared/data is not checked out")
async def test_shared_sample_imports_as_expected(registry_alone):
    suite = registry_alone
    econ = suite.client("registry")
    expected = json.loads((DATA / "recognition-list-sample.expected.json").read_text())
    content = (DATA / "recognition-list-sample.csv").read_bytes()
    assert content.startswith("\ufeff".encode())
    report = await post_list(econ, content)
    got = {"created": report["created"], "skipped": report["skipped"], "rejected": len(report["rejected"])}
    assert got == expected["report"], report
    assert all(x["errors"] and isinstance(x["row"], int) for x in report["rejected"])
    with suite.db("registry").reader() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise)) == expected["enterprises"]
    for on, want in expected["counts"].items():
        counts = (await econ.get(f"/api/v1/stats/tiers?on={on}")).json()["counts"]
        assert {k: v for k, v in counts.items() if v and k != "sme"} == want, on
    again = await post_list(econ, content)
    assert (again["created"], again["unchanged"]) == (0, expected["report"]["created"])
    await suite.settled()


def reply_rows():
    """Title holders and new titles at the end of September 2023, as the reply states them, plus
    renewals (复核: held, not new) and titles that lapsed before then (neither)."""
    rng = random.Random(2023)
    plan = [  # (tier label, recognised on, how many distinct enterprises)
        ("创新型中小企业", "2021-08-15", 53), ("创新型中小企业", "2023年7月20日", 72),
        ("北京市专精特新中小企业", "2021/8/15", 119), ("专精特新中小企业", "2023-07-20", 22),
        ("国家级专精特新“小巨人”企业", "2022-09-10", 18), ('专精特新"小巨人"企业', "2023/7/20", 2),
        ("北京市专精特新中小企业", "2020-03-01", 3),  # lapsed on 2023-02-28
    ]
    rows = []
    for label, on, n in plan:
        for _ in range(n):
            rows.append([0, "北京答复表测试有限公司", listgen.uscc(rng), "房山区", label, "批次", on])
    for _ in range(5):  # innovative since 2020, renewed on 2023-06-01: holders, not new
        u = listgen.uscc(rng)
        rows.append([0, "北京复核测试有限公司", u, "房山区", "创新型中小企业", "2020年第一批", "2020-06-01"])
        rows.append([0, "北京复核测试有限公司", u, "房山区", "创新型中小企业", "2023年第一批", "2023-06-01"])
    rng.shuffle(rows)
    for i, r in enumerate(rows, 1):
        r[0] = i
    return rows


async def test_the_replys_table_from_the_registry(registry_alone):
    suite = registry_alone
    econ = suite.client("registry")
    report = await post_list(econ, listgen.to_csv(reply_rows()))
    assert (report["created"], report["rejected"]) == (299, [])
    body = (await econ.get("/api/v1/stats/new", params={"year": 2023, "to": "2023-09-30"})).json()
    t = body["tiers"]
    assert (t["innovative"]["stock"], t["innovative"]["new"], t["innovative"]["renewed"]) == (130, 72, 5)
    assert (t["municipal_srdi"]["stock"], t["municipal_srdi"]["new"]) == (141, 22)
    assert (t["national_little_giant"]["stock"], t["national_little_giant"]["new"]) == (20, 2)
    assert t["municipal_srdi"]["base"] == 122 and t["municipal_srdi"]["net"] == 19  # net ≠ new: 3 lapsed
    assert body["text_zh"] == ("截至2023年9月30日，存量创新型中小企业130家，较2022年新增72家；"
                               "存量专精特新中小企业141家，较2022年新增22家；"
                               "存量国家级专精特新“小巨人”企业20家，较2022年新增2家。")
    # The monthly monitoring snapshot of the same data.
    july = (await econ.get("/api/v1/stats/monitoring?month=2023-07")).json()
    assert july["as_of"] == "2023-07-31"
    assert july["tiers"]["innovative"] == {"stock": 130, "new_in_month": 72, "renewed_in_month": 0,
                                           "new_year_to_date": 72}
    assert july["tiers"]["municipal_srdi"]["new_in_month"] == 22 and july["tiers"]["municipal_srdi"]["stock"] == 141
    assert july["current_tiers"]["national_little_giant"] == 20 and july["service_requests"] == {"open": 0, "overdue": 0}
    june = (await econ.get("/api/v1/stats/monitoring", params={"month": "2023-06"})).json()
    assert june["tiers"]["innovative"]["renewed_in_month"] == 5 and june["tiers"]["innovative"]["new_in_month"] == 0
    assert june["tiers"]["innovative"]["stock"] == 58  # 53 since 2021 and the 5 renewed
    for bad in ("2023-13", "23-07", "2023-7", "2999-01", ""):
        r = await econ.get("/api/v1/stats/monitoring", params={"month": bad})
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), bad
    assert (await suite.client("registry", role="park", org="P").get(
        "/api/v1/stats/monitoring?month=2023-07")).status_code == 403
    await suite.settled()
