"""Townships as data (issue 18, item 3): the dated list with codes, forms that map variants to it,
the list filter and the statistics that group by the canonical name."""
import pytest
from sqlalchemy import update

from services.registry.tables import Enterprise
from shared.testing import make_uscc


async def register(econ, township, name="北京乡镇测试科技有限公司", **extra):
    u = make_uscc()
    r = await econ.post("/api/v1/enterprises", json={"uscc": u, "name": name, "township": township, **extra})
    return u, r


@pytest.mark.parametrize(("role", "org"), [("econ", None), ("auditor", None), ("park", "P-T"), ("bank", "B1")])
async def test_any_signed_in_role_reads_the_list_with_codes(suite, role, org):
    r = await suite.client("registry", role=role, org=org).get("/api/v1/townships")
    assert r.status_code == 200, r.text
    items = {t["name"]: t for t in r.json()["items"]}
    assert len(items) == 29
    assert items["城关街道"] == {"code": "110111001", "name": "城关街道", "kind": "街道", "valid_from": "2020-06-30",
                                "valid_to": None, "code_confirmed": True}
    assert items["良乡镇"]["code"] == "110111008" and items["窦店镇"]["code_confirmed"] is False
    assert items["燕山地区"]["code"] is None and items["燕山地区"]["kind"] == "地区"
    assert sorted({t["kind"] for t in items.values()}) == ["乡", "地区", "街道", "镇"]


async def test_the_list_on_a_date_and_bad_dates(suite):
    econ = suite.client("registry")
    assert (await econ.get("/api/v1/townships", params={"on": "2019-12-31"})).json() == {"on": "2019-12-31",
                                                                                       "items": []}
    assert len((await econ.get("/api/v1/townships", params={"on": "2030-01-01"})).json()["items"]) == 29
    r = await econ.get("/api/v1/townships", params={"on": "someday"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert (await suite.client("registry", role=None).get("/api/v1/townships")).status_code == 401


@pytest.mark.parametrize(("written", "stored"), [("良乡", "良乡镇"), ("良乡地区", "良乡镇"), ("房山区窦店镇", "窦店镇"),
                                                 ("窦\u3000店", "窦店镇"), ("闫村镇", "阎村镇"), ("燕山街道", "燕山地区"),
                                                 ("北京市房山区拱辰街道办事处", "拱辰街道")])
async def test_a_form_records_the_canonical_name(suite, written, stored):
    econ = suite.client("registry")
    u, r = await register(econ, written)
    assert r.status_code == 201, r.text
    assert r.json()["township"] == stored
    assert (await econ.get(f"/api/v1/enterprises/{u}")).json()["township"] == stored


async def test_unknown_township_is_refused_in_both_languages_and_nothing_is_created(suite):
    econ = suite.client("registry")
    u, r = await register(econ, "中关村街道")
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    msg = r.json()["errors"][0]["msg"]
    assert "不是房山区的乡镇（街道）：中关村街道" in msg and "not a town, township or street office" in msg
    assert "城关街道" in msg and "/api/v1/townships" in msg
    assert r.json()["errors"][0]["loc"] == ["body", "township"]
    assert (await econ.get(f"/api/v1/enterprises/{u}")).status_code == 404
    # no township at all is still allowed (an import or a form may not know it)
    u, r = await register(econ, None)
    assert r.status_code == 201 and r.json()["township"] is None


def store_raw(suite, uscc, township):
    """A row written before the list existed (free text), as an old import left it."""
    with suite.db("registry").transaction() as s:
        s.execute(update(Enterprise).where(Enterprise.uscc == uscc).values(township=township))


async def test_the_list_filter_and_the_statistics_take_every_writing_as_one_township(suite):
    econ = suite.client("registry")
    canonical, _ = await register(econ, "史家营乡", name="史家营规范写法")
    legacy, _ = await register(econ, None, name="史家营旧写法")
    odd, _ = await register(econ, None, name="旧乡镇文本")
    store_raw(suite, legacy, "史家营")
    store_raw(suite, odd, "旧乡镇文本无法识别")
    for u in (canonical, legacy, odd):
        r = await econ.post(f"/api/v1/enterprises/{u}/certifications",
                            json={"tier": "innovative", "recognized_on": "2024-03-01"})
        assert r.status_code == 201, r.text
    for written in ("史家营", "史家营乡", "房山区史家营乡"):
        got = (await econ.get("/api/v1/enterprises", params={"township": written, "limit": 500})).json()["items"]
        assert {e["uscc"] for e in got} == {canonical, legacy}, written
    # unknown text in a filter finds the rows that say exactly that (so they can be found and corrected)
    got = (await econ.get("/api/v1/enterprises", params={"township": "旧乡镇文本无法识别"})).json()["items"]
    assert [e["uscc"] for e in got] == [odd]
    r = await econ.get("/api/v1/stats/new", params={"year": 2024, "by": "township"})
    assert r.status_code == 200, r.text
    groups = {g["key"]: g["tiers"]["innovative"] for g in r.json()["groups"]}
    assert groups["史家营乡"]["new"] == 2 and "史家营" not in groups
    assert groups["旧乡镇文本无法识别"]["new"] == 1
