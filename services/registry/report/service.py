"""The leadership report's registry part: a multi-year series built from the statistics' own use
cases (stock, new, renewed, targets) and the service package's records. Never commits."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy.orm import Session

from services.registry.report import repository as repo
from services.registry.report import rules
from services.registry.report.schemas import Series
from services.registry.statistics import service as statistics
from services.registry.statistics.rules import TITLED
from shared.errors import Problem


def targets(s: Session, year: int, on: dt.date) -> list:
    """The year's targets against progress; none when no targets were in force that year (a year
    before the policy): the rest of the report still answers."""
    try:
        return statistics.target_progress(s, year, on).targets
    except Problem as e:
        if e.code == "no-parameter":
            return []
        raise


def series(s: Session, first: int, last: int, on: dt.date, today: dt.date) -> Series:
    by_enterprise: dict[str, list] = defaultdict(list)
    for c in repo.certifications(s):
        by_enterprise[c.uscc].append(c)
    gone = repo.departures(s)
    years = []
    for year, start, end in rules.year_ends(first, last, on):
        stats = statistics.new_stats(s, start, end)
        lapsed = rules.lapsed(by_enterprise, start, end, gone, TITLED)
        tiers = {t: {"stock": c.stock, "base": c.base, "new": c.new, "renewed": c.renewed, "lapsed": lapsed.get(t, 0)}
                 for t, c in stats.tiers.items()}
        requests = [{"department": d, **c} for d, c in rules.timeliness(repo.requests_opened(s, start, end), end).items()]
        n, ents, people = repo.sessions_held(s, start, end)
        years.append({"year": year, "on": end, "tiers": tiers,
                      "targets": targets(s, year, min(today, end)),
                      "requests": requests, "sessions": {"sessions": n, "enterprises": ents, "attendees": people},
                      "text_zh": stats.text_zh})
    now = statistics.new_stats(s, dt.date(on.year, 1, 1), on)
    return Series.model_validate({"from_year": first, "to_year": last, "on": on, "text_zh": now.text_zh,
                                  "years": years})
