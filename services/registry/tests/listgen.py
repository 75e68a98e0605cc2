"""Synthetic municipal recognition lists with known expected results (the idea of
../shared/acceptance/recognition_list.py, generated here so the tests need nothing outside)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import random

from services.registry.certifications import rules
from shared.tiers import rank
from shared.validators import USCC_CHARS, uscc_check_char

COLUMNS = ["序号", "企业名称", "统一社会信用代码", "所属区", "认定类型", "批次", "认定日期"]
LABELS = {
    "innovative": ["创新型中小企业"],
    "municipal_srdi": ["北京市专精特新中小企业", "专精特新中小企业"],
    "municipal_little_giant": ["北京市专精特新“小巨人”企业", '北京市专精特新"小巨人"企业'],
    "national_little_giant": ["国家级专精特新“小巨人”企业", "专精特新“小巨人”企业", '国家级专精特新"小巨人"企业'],
    "single_champion": ["制造业单项冠军企业"],
}
BATCHES = [(dt.date(2021, 8, 15), "2021年第一批"), (dt.date(2022, 9, 10), "2022年第一批"),
           (dt.date(2023, 7, 20), "2023年第一批"), (dt.date(2023, 12, 5), "2023年第二批"),
           (dt.date(2024, 8, 12), "2024年第一批"), (dt.date(2025, 6, 18), "2025年第一批")]
DATES = (dt.date(2022, 12, 31), dt.date(2024, 1, 31), dt.date(2025, 12, 31), dt.date(2027, 3, 1))


def uscc(rng: random.Random, region: str = "110111") -> str:
    body = "91" + region + "".join(rng.choice(USCC_CHARS) for _ in range(9))
    return body + uscc_check_char(body)


def fmt(d: dt.date, rng: random.Random) -> str:
    return rng.choice([d.isoformat(), f"{d.year}年{d.month}月{d.day}日", f"{d.year}/{d.month}/{d.day}"])


def make(seed: int, n: int):
    """(rows, expected): rows keyed by column; expected report counts, enterprises, tier counts."""
    rng = random.Random(seed)
    firms = [uscc(rng) for _ in range(n // 2)]
    names = {u: f"北京测试{u[-6:]}科技有限公司" for u in firms}
    rows, certs, seen = [], set(), set()
    report = {"created": 0, "skipped": 0, "rejected": 0}
    while len(rows) < n:
        kind = rng.random()
        bdate, batch = rng.choice(BATCHES)
        if kind < 0.08:
            rows.append([0, "海淀某科技有限公司", uscc(rng, "110108"), "海淀区", "北京市专精特新中小企业", batch, fmt(bdate, rng)])
            report["skipped"] += 1
            continue
        if kind < 0.13:
            u = rng.choice(firms)
            rows.append([0, names[u], u[:-1] + ("A" if u[-1] != "A" else "B"), "房山区", "创新型中小企业", batch, fmt(bdate, rng)])
            report["rejected"] += 1
            continue
        u = rng.choice(firms)
        tier = rng.choices(list(LABELS), weights=[40, 35, 8, 12, 5])[0]
        if (u, tier, bdate) in certs:
            continue
        certs.add((u, tier, bdate))
        seen.add(u)
        rows.append([0, names[u], u, "房山区", rng.choice(LABELS[tier]), batch, fmt(bdate, rng)])
        report["created"] += 1
    for i, r in enumerate(rows, 1):
        r[0] = i
    counts = {}
    for on in DATES:
        best: dict[str, int] = {}
        for (u, tier, d) in certs:
            if d <= on <= rules.expiry(d, 3):
                best[u] = max(best.get(u, 0), rank(tier))
        c: dict[str, int] = {}
        for r in best.values():
            key = list(rules.LADDER)[r].value
            c[key] = c.get(key, 0) + 1
        counts[on.isoformat()] = c
    return rows, {"report": report, "enterprises": len(seen), "certifications": len(certs), "counts": counts}


def to_csv(rows, header=COLUMNS, bom=True, above: list[list] = ()) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    for r in above:
        w.writerow(r)
    w.writerow(header)
    w.writerows(rows)
    return (("\ufeff" if bom else "") + buf.getvalue()).encode()
