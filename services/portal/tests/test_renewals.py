"""到期复核 and an enterprise's filings: econ sees the titles coming due with the annual updates they
missed, records a missed update and a major-change report (late said in words), bad input beside
its field with what was typed kept; the auditor reads without forms and its posts are refused."""
from __future__ import annotations

import datetime as dt

from services.portal.tests.test_words import no_raw_code
from shared.clock import today
from shared.testing import make_uscc


async def _coming_due(suite, uscc: str, name: str) -> dt.date:
    """A municipal SRDI title whose last valid day is about 60 days away (inside the 6-month window)."""
    t = today()
    recognized = dt.date(t.year - 3, t.month, min(t.day, 28)) + dt.timedelta(days=60)
    r = suite.client("registry")
    assert (await r.post("/api/v1/enterprises", json={"uscc": uscc, "name": name})).status_code == 201
    c = await r.post(f"/api/v1/enterprises/{uscc}/certifications",
                     json={"tier": "municipal_srdi", "recognized_on": recognized.isoformat()})
    assert c.status_code == 201, c.text
    await suite.settled()
    return recognized


async def test_econ_sees_titles_coming_due_and_records_the_missed_update(portal, suite):
    u = make_uscc()
    await _coming_due(suite, u, "北京到期复核测试有限公司")
    due = (await suite.client("registry").get("/api/v1/renewals/due")).json()
    mine = next(i for i in due["items"] if i["uscc"] == u)
    assert mine["annual_updates_missed"], mine  # the test needs a missed year to record
    missed = mine["annual_updates_missed"][0]

    await portal.login("econ")
    page = (await portal.http.get("/renewals")).text
    assert "北京到期复核测试有限公司" in page and "北京市专精特新中小企业" in page
    assert f"漏报 {missed}" in page and f'href="/enterprises/{u}/filings"' in page
    no_raw_code(page, "/renewals")
    r = await portal.http.get("/renewals", params={"on": "2025-02-30"})
    assert r.status_code == 422 and 'id="on-error"' in r.text and 'value="2025-02-30"' in r.text

    filings = f"/enterprises/{u}/filings"
    page = (await portal.http.get(filings)).text
    assert "登记年度更新" in page and "登记变更报告" in page and "没有重大变更报告" in page
    r = await portal.post(f"/enterprises/{u}/annual-updates", {"year": "20x5", "submitted_on": ""}, page=filings)
    assert r.status_code == 422 and 'id="annual-updates-year-error"' in r.text
    assert 'id="annual-updates-submitted_on-error"' in r.text and 'value="20x5"' in r.text
    future = (today() + dt.timedelta(days=3)).isoformat()
    r = await portal.post(f"/enterprises/{u}/annual-updates", {"year": str(missed), "submitted_on": future},
                          page=filings)  # the registry refuses a future date: beside that field, in words
    assert r.status_code == 422 and 'id="annual-updates-submitted_on-error"' in r.text, r.text[-2000:]
    assert f'value="{future}"' in r.text
    r = await portal.post(f"/enterprises/{u}/annual-updates",
                          {"year": str(missed), "submitted_on": f"{missed}-04-20", "form_id": f"au{u}"}, page=filings)
    assert r.status_code == 303, r.text
    due = (await suite.client("registry").get("/api/v1/renewals/due")).json()
    assert missed not in next(i for i in due["items"] if i["uscc"] == u)["annual_updates_missed"]
    r = await portal.post(f"/enterprises/{u}/annual-updates",  # once a year: the registry's 409, in words
                          {"year": str(missed), "submitted_on": f"{missed}-04-21"}, page=filings)
    assert r.status_code == 422 and "已登记" in r.text

    r = await portal.post(f"/enterprises/{u}/change-reports", {"kind": "", "changed_on": "abc"}, page=filings)
    assert r.status_code == 422 and 'id="change-reports-kind-error"' in r.text
    assert 'id="change-reports-changed_on-error"' in r.text and 'value="abc"' in r.text
    r = await portal.post(f"/enterprises/{u}/change-reports",
                          {"kind": "relocation", "changed_on": "2024-01-10", "detail": "迁至窦店镇", "form_id": f"cr{u}"},
                          page=filings)
    assert r.status_code == 303, r.text
    reports = (await suite.client("registry").get(f"/api/v1/enterprises/{u}/change-reports")).json()["items"]
    assert [(x["kind"], x["changed_on"], x["late"]) for x in reports] == [("relocation", "2024-01-10", True)]
    page = (await portal.http.get(filings)).text
    assert "迁址" in page and "逾期报告" in page and "迁至窦店镇" in page
    no_raw_code(page, filings)


async def test_the_auditor_reads_the_filings_without_forms(portal, suite):
    u = make_uscc()
    await _coming_due(suite, u, "北京复核只读测试有限公司")
    await portal.login("auditor")
    assert "北京复核只读测试有限公司" in (await portal.http.get("/renewals")).text
    page = (await portal.http.get(f"/enterprises/{u}/filings")).text
    assert "重大变更报告" in page and "登记变更报告" not in page and "登记年度更新" not in page
    r = await portal.post(f"/enterprises/{u}/change-reports", {"kind": "rename", "changed_on": "2025-01-10"},
                          page=f"/enterprises/{u}/filings")
    assert r.status_code == 403
    assert not (await suite.client("registry").get(f"/api/v1/enterprises/{u}/change-reports")).json()["items"]
    await portal.login("treasury")  # not its page
    assert (await portal.http.get("/renewals")).status_code == 403
