"""Messy files: BOM, blank lines, title rows and merged headers, repeated headers, wrong columns;
import jobs: 202, polling, roles and scope, a bad file refused before a job exists."""
import io

import openpyxl
from sqlalchemy import func, select

from services.registry.tables import Certification, ImportJob
from services.registry.tests import listgen
from shared.testing import make_uscc, wrong_check

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def row(i, u, tier="创新型中小企业", district="房山区", on="2024-08-12"):
    return [i, f"北京测试{i}有限公司", u, district, tier, "2024年第一批", on]


async def upload(suite, content, name="list.csv", ctype="text/csv", role="econ", org=None, path=None):
    return await suite.client("registry", role=role, org=org).post(
        path or "/api/v1/imports/recognition-lists", files={"file": (name, content, ctype)})


async def count(suite, model):
    with suite.db("registry").reader() as s:
        return s.scalar(select(func.count()).select_from(model))


async def test_bom_blank_lines_title_row_and_repeated_header(suite):
    a, b = make_uscc(), make_uscc()
    body = listgen.to_csv([row(1, a), [], ["", "", ""], row(2, b, on="2024年8月12日"), listgen.COLUMNS],
                          above=[["2024年北京市创新型中小企业名单（第一批）", "", ""], ["公示日期：2024-08-12"]])
    assert body.startswith("\ufeff".encode())
    r = await upload(suite, body)
    assert r.status_code == 200, r.text
    assert (r.json()["rows"], r.json()["created"], r.json()["rejected"]) == (2, 2, [])
    no_bom = listgen.to_csv([row(1, make_uscc())], bom=False).replace(b"\n", b"\r\n")
    assert (await upload(suite, no_bom)).json()["created"] == 1
    gbk = listgen.to_csv([row(1, make_uscc())], bom=False).decode().encode("gb18030")
    assert (await upload(suite, gbk)).json()["created"] == 1
    await suite.settled()


async def test_header_cells_with_spaces_and_line_breaks(suite):
    header = ["序 号", "企业\n名称", " 统一社会信用代码 ", "所属区", "认定类型", "批次", "认定日期"]
    r = await upload(suite, listgen.to_csv([row(1, make_uscc())], header=header))
    assert r.status_code == 200 and r.json()["created"] == 1, r.text
    await suite.settled()


async def test_xlsx_with_merged_title_and_group_header(suite):
    u = make_uscc()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2023年北京市专精特新中小企业名单"])
    sheet.merge_cells("A1:G1")
    sheet.append(["", "企业信息", None, None, "认定信息"])
    sheet.merge_cells("B2:D2")
    sheet.append(listgen.COLUMNS)
    sheet.append([])
    sheet.append([1.0, "北京己科技有限公司", u, "房山区", "专精特新中小企业", "2023年第二批", None])
    import datetime as dt
    sheet["G5"] = dt.datetime(2023, 12, 5)
    buf = io.BytesIO()
    book.save(buf)
    r = await upload(suite, buf.getvalue(), "list.xlsx", XLSX)
    assert r.status_code == 200 and (r.json()["rows"], r.json()["created"]) == (1, 1), r.text
    firm = (await suite.client("registry").get(f"/api/v1/enterprises/{u}")).json()
    assert firm["certifications"][0]["recognized_on"] == "2023-12-05"
    await suite.settled()


async def test_wrong_columns_and_bad_files_are_clear_problems(suite):
    before = (await count(suite, Certification), await count(suite, ImportJob))
    wrong = listgen.to_csv([row(1, make_uscc())], header=["序号", "名称", "信用代码", "所属区", "认定类型", "批次", "认定日期"])
    for path in (None, "/api/v1/import-jobs"):
        r = await upload(suite, wrong, path=path)
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
        p = r.json()
        assert p["type"].endswith("/bad-columns") and "企业名称" in p["detail_zh"] and "统一社会信用代码" in p["detail_zh"]
        assert {e["loc"][1] for e in p["errors"]} == {"企业名称", "统一社会信用代码"} and "名称" in p["found"]
        for bad in (b"", b"   \n\n", b"\x00\x01\x02garbage", b"PK\x03\x04garbage"):
            r = await upload(suite, bad, path=path)
            assert r.status_code == 422, (bad, r.text)
    r = await upload(suite, listgen.to_csv([row(1, make_uscc())]), "x.xlsx", XLSX)  # CSV named .xlsx
    assert r.status_code in (200, 422)
    assert (await count(suite, ImportJob)) == before[1]
    assert (await count(suite, Certification)) <= before[0] + 1


async def test_import_job_roles_scope_and_report(suite):
    a = make_uscc()
    body = listgen.to_csv([row(1, a), row(2, make_uscc("110108"), district="海淀区"), row(3, wrong_check(a))])
    assert (await suite.client("registry", role=None).post(
        "/api/v1/import-jobs", files={"file": ("l.csv", body, "text/csv")})).status_code == 401
    for role, org in (("treasury", None), ("bank", "B1"), ("park", "P-A"), ("auditor", None)):
        assert (await upload(suite, body, role=role, org=org, path="/api/v1/import-jobs")).status_code == 403
    r = await upload(suite, body, path="/api/v1/imports/recognition-lists?async=true", role="platform")
    assert r.status_code == 202, r.text
    url = r.headers["location"]
    platform = suite.client("registry", role="platform")

    async def finished():
        j = (await platform.get(url)).json()
        return j if j["state"] == "done" else None

    job = await suite.wait_for(finished, "the import job")
    assert job["report"]["created"] == 1 and job["report"]["skipped"] == 1 and job["report"]["rejected"][0]["row"] == 3
    assert (job["rows_done"], job["rows_total"]) == (3, 3) and job["finished_at"]
    assert (await suite.client("registry", role="auditor").get(url)).status_code == 200
    assert (await suite.client("registry", role=None).get(url)).status_code == 401
    assert (await suite.client("registry", role="bank", org="B1").get(url)).status_code == 403
    # The platform sees the jobs it started, not the bureau's.
    mine = await upload(suite, listgen.to_csv([row(1, make_uscc())]), path="/api/v1/import-jobs")
    assert mine.status_code == 202
    assert (await platform.get(mine.headers["location"])).status_code == 404
    assert (await platform.get("/api/v1/import-jobs/nope")).status_code == 404
    listed = (await platform.get("/api/v1/import-jobs")).json()["items"]
    assert job["id"] in [j["id"] for j in listed] and mine.json()["id"] not in [j["id"] for j in listed]
    econ = suite.client("registry")
    page = (await econ.get("/api/v1/import-jobs?limit=1")).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    second = (await econ.get("/api/v1/import-jobs", params={"limit": 1, "cursor": page["next_cursor"]})).json()
    assert second["items"][0]["id"] != page["items"][0]["id"]
    assert (await econ.get("/api/v1/import-jobs?cursor=%%")).status_code == 422
    await suite.wait_for(lambda: _done(econ, mine.headers["location"]), "the second job")
    await suite.settled()


async def _done(client, url):
    return (await client.get(url)).json()["state"] == "done"
