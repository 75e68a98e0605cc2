"""The what-if page: a parameter set costed next to the policy in force, per programme, with a chart
of both; bad dates said beside the form; nothing changes."""
from __future__ import annotations

from services.portal.charts import paired
from services.portal.tests.helpers import promote
from shared.testing import make_uscc


def test_paired_bars_share_one_scale():
    c = paired([("层级奖励", 100, 50), ("迁入奖励", 0, 25)], ("现行政策", "方案"))
    [a, b] = c["rows"]
    assert (a["a"]["w"], a["b"]["w"], b["a"]["w"], b["b"]["w"]) == (240, 120, 2, 60)  # 0 still shows a sliver
    assert "层级奖励：现行政策 100，方案 50" in c["title"]


async def test_econ_costs_a_proposal_next_to_the_policy_in_force(portal, suite):
    u = make_uscc()
    await promote(suite, u, tier="national_little_giant", name="北京试算页面测试有限公司")
    await portal.login("econ")
    page = (await portal.http.get("/whatif")).text
    assert "奖励政策试算" in page and 'name="parameter_set"' in page
    r = await portal.post("/whatif", {"parameter_set": "fangshan_2025", "from": "2025-12-31", "to": "2025-01-01"},
                          page="/whatif")
    assert r.status_code == 422 and 'id="whatif-error"' in r.text and "截止日期早于起始日期" in r.text
    before = (await suite.client("awards").get("/api/v1/awards/totals")).json()
    r = await portal.post("/whatif", {"parameter_set": "seed_proposal", "from": "2025-01-01", "to": "2025-12-31"},
                          page="/whatif")
    assert r.status_code == 200, r.text
    assert "原提案（种子方案）与现行政策" in r.text and "层级奖励" in r.text and "<svg" in r.text
    assert (await suite.client("awards").get("/api/v1/awards/totals")).json() == before  # nothing changed
