"""Benchmark: every page a liaison opens, with 1,000 awards in the queue (issue 17: each under 0.3 s).

The suite in one process (real nats-server, SQLite), the portal wired to it as in its tests. A
municipal list of 1,000 enterprises is imported, so awards computes 1,000 awards; then each page is
opened 5 times per role and the median and worst kept. Run: `.venv/bin/python bench/portal_pages.py`.
"""
from __future__ import annotations

import asyncio
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import machine_state  # noqa: E402
from services.portal.config import PortalSettings  # noqa: E402
from services.portal.main import create_portal  # noqa: E402
from shared.testing import Suite, make_uscc  # noqa: E402

N = 1000
PAGES = {"econ": ["/", "/awards", "/awards?sort=-amount", "/awards?state=computed", "/enterprises", "/talent",
                  "/seasons", "/reminders", "/policy", "/audit-log",
                  # issue 17's later pages (2026-12-04)
                  "/renewals", "/visits", "/programmes", "/platform-jobs", "/claims", "/contracts", "/hotline",
                  "/import/jobs", "/events"],
         "treasury": ["/", "/awards", "/awards?state=reviewed", "/budgets/2025/ledger", "/claims"],
         "finance": ["/service-list", "/service-list?changed_since=2025-01-01", "/matchmaking", "/listings"],
         "auditor": ["/", "/awards?state=computed", "/enterprises"]}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def main() -> dict:
    machine = machine_state()  # before the run: its load is the machine's, not the bench's
    suite = await Suite(Path(tempfile.mkdtemp(prefix="srdi-bench-portal-"))).start()
    try:
        rows = ["序号,企业名称,统一社会信用代码,所属区,认定类型,批次,认定日期"]
        rows += [f"{i},北京基准测试{i:04d}有限公司,{make_uscc()},房山区,北京市专精特新中小企业,2025年第一批,2025-06-18"
                 for i in range(1, N + 1)]
        r = await suite.client("registry").post("/api/v1/imports/recognition-lists", timeout=600,
                                                files={"file": ("list.csv", "\n".join(rows).encode(), "text/csv")})
        r.raise_for_status()
        await suite.settled(timeout=600)
        total = (await suite.client("awards").get("/api/v1/awards/totals", params={"state": "computed"})).json()
        assert total["count"] >= N, total
        app = create_portal(suite.settings, PortalSettings(),
                            {s: httpx.ASGITransport(app=a) for s, a in suite.apps.items()})
        award_id = (await suite.client("awards").get("/api/v1/awards", params={"limit": 1})).json()["items"][0]["id"]
        result = {}
        for role, pages in PAGES.items():
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1",
                                         timeout=60) as http:
                token = CSRF.search((await http.get("/login")).text).group(1)
                r = await http.post("/login", data={"role": role, "org": "", "csrf_token": token})
                assert r.status_code == 303, r.text
                for page in [*pages, *([f"/awards/{award_id}"] if role != "finance" else [])]:  # finance: no awards
                    times = []
                    for _ in range(6):
                        t0 = time.perf_counter()
                        r = await http.get(page)
                        times.append(time.perf_counter() - t0)
                        assert r.status_code == 200, (role, page, r.status_code)
                    times = times[1:]  # the first fills the name cache
                    result[f"{role} {page}"] = {"median_ms": round(statistics.median(times) * 1000, 1),
                                                "max_ms": round(max(times) * 1000, 1)}
        return {**machine, "awards": total["count"],
                "pages": result}
    finally:
        await suite.stop()


if __name__ == "__main__":
    import logging
    logging.disable(logging.WARNING)  # the suite's own lines; the numbers are the output
    out = asyncio.run(main())
    (Path(__file__).parent / "results" / "portal_pages.json").write_text(json.dumps(out, indent=1, ensure_ascii=False))
    print(json.dumps(out, indent=1, ensure_ascii=False))
