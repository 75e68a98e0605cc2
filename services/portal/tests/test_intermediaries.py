"""The intermediaries' directory in the portal: econ registers one (a bad code said beside the form), a
park records a service it gave one of the park's enterprises, and reads only its own park's records."""
from __future__ import annotations

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
