"""Racing writers get the same answers as sequential ones: a 409, an unchanged row, never a 500."""
import asyncio

from sqlalchemy import func, select

from services.registry.tables import Certification, Enterprise
from services.registry.tests import listgen
from shared.testing import make_uscc


async def test_concurrent_registrations_of_one_enterprise(suite):
    u = make_uscc()
    econ = suite.client("registry")
    rs = await asyncio.gather(*(econ.post("/api/v1/enterprises", json={"uscc": u, "name": "并发测试"})
                                for _ in range(12)))
    assert sorted(r.status_code for r in rs) == [201] + [409] * 11, [r.text for r in rs if r.status_code >= 500]
    assert all(r.json()["type"].endswith("/enterprise-exists") for r in rs if r.status_code == 409)
    await suite.settled()


async def test_concurrent_imports_of_one_list(suite):
    usccs = [make_uscc() for _ in range(40)]
    rows = [[i, f"北京并发{i}有限公司", u, "房山区", "创新型中小企业", "2024年第一批", "2024-08-12"]
            for i, u in enumerate(usccs, 1)]
    content = listgen.to_csv(rows)
    econ = suite.client("registry")
    rs = await asyncio.gather(*(econ.post("/api/v1/imports/recognition-lists",
                                          files={"file": ("l.csv", content, "text/csv")}) for _ in range(4)))
    assert [r.status_code for r in rs] == [200] * 4, [r.text[:300] for r in rs]
    assert sum(r.json()["created"] for r in rs) == 40 and sum(r.json()["unchanged"] for r in rs) == 120
    with suite.db("registry").reader() as s:
        assert s.scalar(select(func.count()).select_from(Enterprise).where(Enterprise.uscc.in_(usccs))) == 40
        assert s.scalar(select(func.count()).select_from(Certification).where(Certification.uscc.in_(usccs))) == 40
    await suite.settled()
