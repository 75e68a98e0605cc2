"""The intermediaries' directory in the portal: econ registers one (a bad code said beside the form), a
park records a service it gave one of the park's enterprises, and reads only its own park's records."""
from __future__ import annotations

import re

from services.portal.tests.helpers import a_park
from shared.testing import make_uscc, wrong_check


async def test_directory_and_a_parks_service_record(portal, suite):
    park = await a_park(suite)
    firm = make_uscc()
    r = await suite.client("registry").post("/api/v1/enterprises", json={"uscc": firm, "name": "北京中介服务对象有限公司",
                                                                         "park_id": park["id"]})
    assert r.status_code == 201, r.text
    await suite.settled()
    await portal.login("econ")
    r = await portal.post("/intermediaries", {"name": "房山知识产权服务中心", "uscc": wrong_check(make_uscc())},
                          page="/intermediaries")
    assert r.status_code == 422 and 'id="m-error"' in r.text and "房山知识产权服务中心" in r.text
    r = await portal.post("/intermediaries", {"name": "房山知识产权服务中心", "kind": "intermediary", "form_id": "i1"},
                          page="/intermediaries")
    assert r.status_code == 303, r.text
    path = r.headers["location"]
    await portal.login("park", park["id"])
    r = await portal.post(f"{path}/services", {"uscc": firm, "served_on": "", "category": "ip"}, page=path)
    assert r.status_code == 422 and 'id="r-error"' in r.text and "服务日期" in r.text
    r = await portal.post(f"{path}/services", {"uscc": firm, "served_on": "2025-06-01", "category": "ip",
                                               "description": "专利布局辅导", "form_id": "s1"}, page=path)
    assert r.status_code == 303, r.text
    page = (await portal.http.get(path)).text
    assert "北京中介服务对象有限公司" in page and "专利布局辅导" in page and "知识产权" in page
    other = await a_park(suite)
    await portal.login("park", other["id"])  # another park sees the directory, not this park's record
    page = (await portal.http.get(path)).text
    assert "房山知识产权服务中心" in page and "专利布局辅导" not in page


async def test_econ_corrects_an_entry_and_a_park_cannot(portal, suite):
    from services.portal.tests.test_words import no_raw_code
    parks = suite.client("parks")
    r = await parks.post("/api/v1/intermediaries", json={"name": "房山科技咨询服务社", "contact": "李经理 010-1"})
    assert r.status_code == 201, r.text
    mid = r.json()["id"]
    taken = await parks.post("/api/v1/intermediaries", json={"name": "房山已有名称服务社"})
    assert taken.status_code == 201, taken.text
    path = f"/intermediaries/{mid}"
    await portal.login("econ")
    page = (await portal.http.get(path)).text
    assert "修改名录信息" in page and 'value="李经理 010-1"' in page
    no_raw_code(page, path)

    # Another's name (parks refuses, 409), an empty name, a bad code: beside the form, nothing changed.
    code = make_uscc()
    for form, said in (({"name": "房山已有名称服务社", "kind": "intermediary"}, "中介机构已登记：房山已有名称服务社"),
                       ({"name": " ", "kind": "intermediary"}, "请填写名称"),
                       ({"name": "房山科技咨询服务社", "kind": "intermediary", "uscc": wrong_check(code)}, "统一社会信用代码无效")):
        r = await portal.post(path, form, page=path)
        beside = re.search(r'<p [^>]*id="e-error"[^>]*>(.*?)</p>', r.text)
        assert r.status_code == 422 and beside and said in beside.group(1), (form, r.text[-2000:])
        kept = f'id="e-name" name="name" maxlength="200" value="{form["name"].strip()}"'
        assert kept in r.text and 'aria-describedby="e-error"' in r.text  # what was typed, kept
        no_raw_code(r.text, f"{path} refused")
        held = (await parks.get(f"/api/v1/intermediaries/{mid}")).json()
        assert (held["name"], held["contact"], held.get("uscc")) == ("房山科技咨询服务社", "李经理 010-1", None)

    # A new name, its code, the contact cleared, made an association.
    r = await portal.post(path, {"name": "房山科技企业协会", "kind": "association", "uscc": code.lower(), "contact": ""},
                          page=path)
    assert r.status_code == 303 and r.headers["location"] == path, r.text
    held = (await parks.get(f"/api/v1/intermediaries/{mid}")).json()
    assert (held["name"], held["kind"], held["uscc"], held["contact"]) == ("房山科技企业协会", "association", code, None)
    page = (await portal.http.get(path)).text
    assert "<h1>房山科技企业协会</h1>" in page and "商协会" in page and "已修改中介机构信息" in page
    assert f'value="{code}"' in page and 'value="李经理 010-1"' not in page  # the form prefilled anew
    no_raw_code(page, path)

    # A park reads the entry without the form; its post changes nothing.
    park = await a_park(suite)
    await portal.login("park", park["id"])
    page = (await portal.http.get(path)).text
    assert "修改名录信息" not in page and "房山科技企业协会" in page
    r = await portal.post(path, {"name": "园区改名", "kind": "intermediary"}, page=path)
    assert r.status_code == 403 and "只有区经信局" in r.text, r.text[-1000:]
    assert (await parks.get(f"/api/v1/intermediaries/{mid}")).json()["name"] == "房山科技企业协会"


async def test_an_intermediarys_page_lists_the_enterprises_it_introduced(portal, suite):
    """引荐入区: the enterprises whose record names the intermediary as introducer, by name, park, the day
    they moved in and their tier today."""
    import uuid
    park = await a_park(suite)
    name = f"房山招商引荐服务中心{uuid.uuid4().hex[:4]}"
    r = await suite.client("parks").post("/api/v1/intermediaries", json={"name": name, "kind": "intermediary"})
    assert r.status_code == 201, r.text
    mid = r.json()["id"]
    firm = make_uscc()
    r = await suite.client("registry").post("/api/v1/enterprises", json={
        "uscc": firm, "name": "北京引荐入区测试有限公司", "park_id": park["id"], "introducer": name,
        "relocated_on": "2024-05-20", "relocated_from_code": "130600", "relocated_from": "河北省保定市"})
    assert r.status_code == 201, r.text
    await suite.settled()
    await portal.login("econ")
    page = (await portal.http.get(f"/intermediaries/{mid}")).text
    assert "引荐入区的企业（1 家）" in page and "北京引荐入区测试有限公司" in page and "2024-05-20" in page
    assert park["name"] in page
