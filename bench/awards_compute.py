"""Benchmark: computing the awards of 10,000 promotions.

1. Pure rules: `simulation.rules.replay` over 10,000 promotions (2,500 enterprises climbing
   municipal SRDI → municipal little giant → national little giant, plus a first renewal), under
   the seed's parameters and under the 2025 measures (first renewal paid).
2. Rules + database: the same 10,000 promotions through the real handler
   (`projection.service.on_promotion`: projection, dated parameters, top-up, ledger entry, outbox event),
   one transaction per event as the consumer runs it, on SQLite (default) or on
   `SRDI_BENCH_DATABASE_URL` (a PostgreSQL server: a database of its own is made and dropped).
3. The what-if costing (`simulation.service.simulate`) over the resulting history.

Run: `.venv/bin/python bench/awards_compute.py [N]`; results in bench/results/awards_compute.json.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.awards import rules  # noqa: E402
from services.awards.simulation import rules as simulation  # noqa: E402
from services.awards.projection.service import on_promotion  # noqa: E402
from services.awards.simulation.service import PARAMETER_SETS, parameter_set, simulate  # noqa: E402
from services.awards.main import SPEC  # noqa: E402
from shared.db import Database  # noqa: E402
from shared.migrate import upgrade  # noqa: E402
from bench.common import bench_database  # noqa: E402
from shared.contracts.registry import CertificationRecord, EnterprisePromoted  # noqa: E402
from shared.testing import enterprise_record  # noqa: E402

LADDER = [("municipal_srdi", 0, True), ("municipal_little_giant", 400, True),
          ("national_little_giant", 800, True), ("municipal_srdi", 1100, False)]


def history(n: int) -> list[rules.Promotion]:
    out = []
    for i in range(n):
        e, step = divmod(i, len(LADDER))
        tier, days, first = LADDER[step]
        start = dt.date(2022, 1, 1) + dt.timedelta(days=e % 365)
        out.append(rules.Promotion(f"91110111{e:010d}", i + 1, tier, start + dt.timedelta(days=days), first))
    return out


def promotion_events(promos: list[rules.Promotion]) -> list[EnterprisePromoted]:
    """The registry's promotion events for the history: each carries the record as it then stood."""
    held: dict[str, list[CertificationRecord]] = {}
    out = []
    for p in promos:
        certs = held.setdefault(p.uscc, [])
        before = enterprise_record(p.uscc, len(certs) + 1, *certs).tier_on(p.recognized_on)
        cert = CertificationRecord(id=p.certification_id, tier=p.tier, recognized_on=p.recognized_on,
                                   expires_on=p.recognized_on + dt.timedelta(days=1094))
        certs.append(cert)
        r = enterprise_record(p.uscc, len(certs) + 1, *certs, name="基准测试企业")
        out.append(EnterprisePromoted(uscc=p.uscc, enterprise_version=r.version, record=r, name=r.name,
                                      from_tier=before, to_tier=p.tier, certification_id=cert.id,
                                      recognized_on=cert.recognized_on, expires_on=cert.expires_on,
                                      first_time_at_tier=p.first_time_at_tier))
    return out


def main(n: int = 10_000) -> dict:
    promos = history(n)
    results: dict = {"promotions": n, "enterprises": n // len(LADDER)}
    with bench_database("awards") as url:
        db = Database(url)
        upgrade(db.engine, "awards", SPEC.migrations, SPEC.metadata)
        for name in PARAMETER_SETS:  # a set is the policy rows with its own differences laid over them
            with db.reader() as s:
                ps = parameter_set(s, name)
            t = time.perf_counter()
            awards = simulation.replay(promos, {}, [], lambda _on: ps, dt.date(2000, 1, 1), dt.date(2100, 1, 1))
            secs = time.perf_counter() - t
            results[f"pure_{name}"] = {"seconds": round(secs, 3), "awards": len(awards),
                                       "total_yuan": simulation.cost(awards)["total_yuan"],
                                       "promotions_per_s": round(n / secs)}
        events = promotion_events(promos)
        t = time.perf_counter()
        made = 0
        for p, data in zip(promos, events):
            with db.transaction() as s:
                made += len(on_promotion(s, f"bench-{p.certification_id}", data))
        secs = time.perf_counter() - t
        results["db"] = {"database": db.engine.dialect.name, "seconds": round(secs, 2), "awards": made,
                         "promotions_per_s": round(n / secs), "ms_per_promotion": round(1000 * secs / n, 2)}
        t = time.perf_counter()
        with db.reader() as s:
            sim = simulate(s, "fangshan_2025", {}, dt.date(2022, 1, 1), dt.date(2030, 12, 31))
        results["simulation"] = {"seconds": round(time.perf_counter() - t, 2),
                                 "proposed_total_yuan": sim["proposed"]["total_yuan"],
                                 "in_force_total_yuan": sim["in_force"]["total_yuan"]}
        db.dispose()
    return results


if __name__ == "__main__":
    out = main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
    print(json.dumps(out, indent=2, ensure_ascii=False))
    (ROOT / "bench" / "results" / "awards_compute.json").write_text(json.dumps(out, indent=2) + "\n")
