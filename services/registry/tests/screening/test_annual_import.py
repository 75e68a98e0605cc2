"""Annual updates from a workbook: the report names every refused row by the row number a person
sees in the spreadsheet, with its reasons; a second import changes nothing."""
import datetime as dt
import io

import pytest

from services.registry.screening import workbook
from services.registry.tables import AnnualUpdate
from shared.clock import today
from shared.testing import make_uscc, wrong_check

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for r in rows:
        book.active.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def fullwidth(code: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in code)


async def post(client, name: str, content: bytes, kind: str = XLSX, **headers):
    return await client.post("/api/v1/imports/annual-updates", files={"file": (name, content, kind)}, headers=headers)


async def test_a_workbook_with_bad_rows(suite):
    econ = suite.client("registry")
    a, b, c = make_uscc(), make_uscc(), make_uscc()
    for u in (a, b, c):
        assert (await econ.post("/api/v1/enterprises", json={"uscc": u, "name": "年度更新导入"})).status_code == 201
    tomorrow = today() + dt.timedelta(days=1)
    rows = [["2026年专精特新企业年度数据更新情况"], [],
            ["序号", "企业名称", "统一社会信用代码", "年 度", "提交日期"],                      # row 3: the header
            [1, "甲", a, 2026, dt.datetime(2026, 4, 18)],                                     # 4 created
            [2, "乙", " " + fullwidth(b).lower(), "2026年", "2026/4/20"],                       # 5 created (normalised)
            [3, "未入库", make_uscc(), 2026, "2026-04-01"],                                    # 6 unknown enterprise
            [4, "丙", c, tomorrow.year, tomorrow.isoformat()],                                 # 7 future date
            [5, "校验位", wrong_check(c), 2026, "2026-04-01"],                                 # 8 bad check digit
            [6, "公式", "=C4", 2026, "2026-04-01"],                                            # 9 formula
            [7, "年度不符", c, 2025, "2026-04-18"],                                            # 10 not in that year
            [],
            [8, "重复", a, 2026, "2026-04-18"],                                               # 12 unchanged (repeat)
            [9, "日期不同", a, 2026, "2026-04-19"],                                            # 13 recorded otherwise
            [10, "数字代码", 911101110000000000, 2026, "2026-04-01"],                          # 14 stored as a number
            [11, "坏日期", c, 2026, "4月18日"]]                                               # 15 not a date
    content = xlsx(rows)
    r = await post(econ, "年度更新.xlsx", content, **{"Idempotency-Key": f"au-{a}"})
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["rows"], report["created"], report["unchanged"]) == (11, 2, 1), report
    rejected = {x["row"]: " ".join(x["errors"]) for x in report["rejected"]}
    assert sorted(rejected) == [6, 7, 8, 9, 10, 13, 14, 15], rejected
    for row, words in ((6, "不在企业库中"), (7, "晚于今天"), (8, "check digit"), (9, "formula"), (10, "2025"),
                       (13, "2026-04-18"), (14, "number"), (15, "not a date")):
        assert words in rejected[row], (row, rejected[row])
    with suite.db("registry").reader() as s:
        assert s.get(AnnualUpdate, (a, 2026)).submitted_on == dt.date(2026, 4, 18)
        assert s.get(AnnualUpdate, (b, 2026)).submitted_on == dt.date(2026, 4, 20)
        assert all(s.get(AnnualUpdate, (c, y)) is None for y in (2025, 2026, tomorrow.year))  # c's rows all refused
    # The same request with the same key: the first answer, replayed.
    replay = await post(econ, "年度更新.xlsx", content, **{"Idempotency-Key": f"au-{a}"})
    assert replay.headers.get("idempotent-replayed") == "true" and replay.json() == report
    # The same file again, unkeyed: nothing new.
    again = (await post(econ, "年度更新.xlsx", content)).json()
    assert (again["created"], again["unchanged"], len(again["rejected"])) == (0, 3, 8)
    # Excel's "Unicode text": UTF-16, tab-separated.
    text = f"统一社会信用代码\t年度\t提交日期\r\n{c}\t2026\t2026-04-28\r\n".encode("utf-16")
    r = (await post(econ, "updates.txt", text, "text/plain")).json()
    assert (r["created"], r["rejected"]) == (1, [])


@pytest.mark.parametrize("name, content, slug", [
    ("empty.csv", b"", "empty-file"),
    ("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "unreadable-file"),
    ("broken.xlsx", b"PK\x03\x04broken", "unreadable-file"),
    ("no-header.csv", "企业名称,年度\n甲,2026\n".encode(), "bad-columns"),
])
async def test_a_file_that_cannot_be_read_is_refused_whole(suite, name, content, slug):
    r = await post(suite.client("registry"), name, content, "text/csv")
    assert r.status_code == 422 and r.json()["type"].endswith(slug), r.text


async def test_only_the_bureau_imports(suite):
    content = "统一社会信用代码,年度,提交日期\n".encode()
    for role in ("platform", "auditor", "treasury"):
        assert (await post(suite.client("registry", role=role), "a.csv", content, "text/csv")).status_code == 403
    ok = await post(suite.client("registry"), "a.csv", ("\ufeff" + "统一社会信用代码,年度,提交日期\n").encode(), "text/csv")
    assert ok.status_code == 200 and ok.json() == {"rows": 0, "created": 0, "unchanged": 0, "rejected": []}


def test_cells():
    on = dt.date(2026, 12, 3)
    u = make_uscc()
    assert workbook.check({"统一社会信用代码": u, "年度": "２０２６", "提交日期": "2026年4月8日"}, on) == (
        workbook.Update(u, 2026, dt.date(2026, 4, 8)), [])
    assert workbook.check({"统一社会信用代码": u, "年度": 2026.0, "提交日期": "20260408"}, on)[0].submitted_on == \
        dt.date(2026, 4, 8)
    update, errors = workbook.check({"统一社会信用代码": "", "年度": "x", "提交日期": 45765}, on)
    assert update is None and len(errors) == 3
    assert workbook.check({"统一社会信用代码": u, "年度": 2026, "提交日期": "2026-02-30"}, on)[1]
