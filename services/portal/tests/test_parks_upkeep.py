"""Parks' upkeep in the portal: econ registers a park and corrects its entry (the park corrects its own
too); an incubated enterprise graduates from its row; the year's incubation summary; bad input beside
its field with what was typed, nothing changed; the auditor reads without forms, its posts 403."""
from __future__ import annotations

import uuid

from services.portal.tests.helpers import a_park
from services.portal.tests.test_words import no_raw_code
from shared.clock import today
from shared.testing import make_uscc


async def test_econ_registers_a_park_and_the_park_corrects_its_entry(portal, suite):
    name = f"门户登记园{uuid.uuid4().hex[:6]}"
    await portal.login("econ")
    page = (await portal.http.get("/parks")).text
    assert "登记园区" in page and "窦店镇" in page
    r = await portal.post("/parks", {"name": "", "area_mu": "十亩", "operator_org": "房山产业园运营公司"}, page="/parks")
    assert r.status_code == 422 and 'id="new-name-error"' in r.text and 'id="new-area_mu-error"' in r.text
    assert 'value="十亩"' in r.text and 'value="房山产业园运营公司"' in r.text
    r = await portal.post("/parks", {"name": name, "area_mu": "85.5", "township": "窦店镇",
                                     "operator_org": "房山产业园运营公司", "form_id": f"表单{name}"}, page="/parks")
    assert r.status_code == 303, r.text  # a form_id not in ASCII (a browser may send anything) is sent as a digest
    park_path = r.headers["location"]
    pid = park_path.rsplit("/", 1)[1]
    got = (await suite.client("parks").get(f"/api/v1/parks/{pid}")).json()
    assert (got["name"], got["area_mu"], got["township"], got["operator_org"]) == (name, 85.5, "窦店镇", "房山产业园运营公司")
    r = await portal.post("/parks", {"name": name}, page="/parks")  # the name is taken: parks' 409, in words
    assert r.status_code == 422 and f"园区已存在：{name}" in r.text and f'value="{name}"' in r.text
    assert len([p for p in (await suite.client("parks").get("/api/v1/parks", params={"limit": 500})).json()["items"]
                if p["name"] == name]) == 1

    page = (await portal.http.get(park_path)).text
    assert "修改园区信息" in page and "85.5 亩" in page and "窦店镇" in page
    no_raw_code(page.replace(pid, ""), park_path)  # the park's id is shown on purpose: it signs in with it
    await portal.login("park", pid)
    r = await portal.post(f"{park_path}/entry", {"name": name, "area_mu": "-3", "township": "窦店镇",
                                                 "operator_org": "房山产业园运营公司"}, page=park_path)
    assert r.status_code == 422 and 'id="entry-area_mu-error"' in r.text
    r = await portal.post(f"{park_path}/entry", {"name": name, "area_mu": "85.50", "township": "",
                                                 "operator_org": "房山高端制造园运营有限公司"}, page=park_path)
    assert r.status_code == 303, r.text
    got2 = (await suite.client("parks").get(f"/api/v1/parks/{pid}")).json()
    assert (got2["operator_org"], got2["township"], got2["area_mu"]) == ("房山高端制造园运营有限公司", None, 85.5)
    assert got2["version"] == got["version"] + 1  # one change, only the fields that differed

    await portal.login("auditor")
    page = (await portal.http.get(park_path)).text
    assert "修改园区信息" not in page and "登记园区" not in (await portal.http.get("/parks")).text
    assert (await portal.post(f"{park_path}/entry", {"name": "改名"}, page=park_path)).status_code == 403
    assert (await portal.post("/parks", {"name": "审计登记园"}, page="/parks")).status_code == 403


async def test_an_incubated_enterprise_graduates_from_its_row(portal, suite):
    park = await a_park(suite)
    u = make_uscc()
    reg = suite.client("registry")
    r = await reg.post("/api/v1/enterprises", json={"uscc": u, "name": "北京出孵测试有限公司", "park_id": park["id"]})
    assert r.status_code == 201, r.text
    await suite.settled()
    entered = f"{today().year}-01-05"
    r = await suite.client("parks").post(f"/api/v1/parks/{park['id']}/incubations", json={"uscc": u, "entered_on": entered})
    assert r.status_code == 201, r.text
    inc = r.json()["id"]
    path = f"/parks/{park['id']}"
    await portal.login("park", park["id"])
    page = (await portal.http.get(path)).text
    assert f'action="{path}/incubations/{inc}/graduation"' in page and "新入孵 1 家" in page
    r = await portal.post(f"{path}/incubations/{inc}/graduation", {"graduated_on": f"{today().year - 1}-12-31"}, page=path)
    assert r.status_code == 422 and f'id="grad-{inc}-error"' in r.text  # before entry: the parks service says so
    assert (await suite.client("parks").get(f"/api/v1/parks/{park['id']}/incubations")).json()["items"][0][
        "graduated_on"] is None
    day = today().isoformat()
    r = await portal.post(f"{path}/incubations/{inc}/graduation", {"graduated_on": day}, page=path)
    assert r.status_code == 303, r.text
    assert (await suite.client("parks").get(f"/api/v1/parks/{park['id']}/incubations")).json()["items"][0][
        "graduated_on"] == day
    page = (await portal.http.get(path)).text
    assert "出孵 1 家" in page and f'action="{path}/incubations/{inc}/graduation"' not in page
    await portal.login("auditor")
    assert (await portal.post(f"{path}/incubations/{inc}/graduation", {"graduated_on": day}, page=path)).status_code == 403
