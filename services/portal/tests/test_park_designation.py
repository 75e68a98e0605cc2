"""Econ designates a featured park from its page: today's assessment explained per dimension, a
missing date or a failing park without a reason said beside the form, then designated."""
from __future__ import annotations

from services.portal.tests.helpers import a_park


async def test_econ_designates_a_park_with_its_assessment(portal, suite):
    park = await a_park(suite, "门户特色园区测试园")
    path = f"/parks/{park['id']}"
    await portal.login("econ")
    page = (await portal.http.get(path)).text
    assert "特色园区认定与考核" in page and "的考核：" in page and "认定为专精特新特色园区" in page
    r = await portal.post(f"{path}/designate", {"designated_on": ""}, page=path)
    assert r.status_code == 422 and 'id="designate-error"' in r.text
    r = await portal.post(f"{path}/designate", {"designated_on": "2025-06-01"}, page=path)
    assert r.status_code == 422 and 'id="designate-error"' in r.text  # an empty park fails: a reason is needed
    r = await portal.post(f"{path}/designate", {"designated_on": "2025-06-01", "reason": "区政府决定先行认定",
                                                "form_id": "d1"}, page=path)
    assert r.status_code == 303 and r.headers["location"].endswith("#designations")
    page = (await portal.http.get(path)).text
    assert "2025-06-01 认定（区政府决定先行认定）" in page and 'action="' + f"{path}/designate" not in page
    await portal.login("park", park["id"])  # the park reads its own designation
    assert "2025-06-01 认定" in (await portal.http.get(path)).text
