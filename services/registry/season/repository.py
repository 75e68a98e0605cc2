"""Every query of the declaration season. Seasons and applications are the bureau's working record
(read by the bureau and the auditor); the enterprises' facts come from screening's tables."""
from __future__ import annotations

from collections import defaultdict

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.registry.tables import (
    Enterprise,
    Indicator,
    PlatformJob,
    Season,
    SeasonApplication,
    SeasonRecommendation,
)
from shared import pagination
from shared.db import for_update
from shared.errors import not_found


def season_or_404(s: Session, season_id: int, lock: bool = False) -> Season:
    stmt = select(Season).where(Season.id == season_id)
    row = s.scalars(for_update(s, stmt) if lock else stmt).first()
    if row is None:
        raise not_found("申报季", "Season", season_id)
    return row


def seasons_page(s: Session, after: int | None, limit: int) -> list[Season]:
    return list(s.scalars(pagination.keyset(select(Season), Season.id, after, limit)))


def application_or_404(s: Session, app_id: int) -> SeasonApplication:
    row = s.get(SeasonApplication, app_id)
    if row is None:
        raise not_found("申报", "Application", app_id)
    return row


def application_of(s: Session, season_id: int, uscc: str) -> SeasonApplication | None:
    return s.scalars(select(SeasonApplication).where(SeasonApplication.season_id == season_id,
                                                     SeasonApplication.uscc == uscc)).first()


def applications_page(s: Session, season_id: int, after: int | None, limit: int) -> list[SeasonApplication]:
    stmt = select(SeasonApplication).where(SeasonApplication.season_id == season_id)
    return list(s.scalars(pagination.keyset(stmt, SeasonApplication.id, after, limit)))


def recommended(s: Session, season_id: int) -> list[SeasonApplication]:
    return list(s.scalars(select(SeasonApplication).where(
        SeasonApplication.season_id == season_id, SeasonApplication.state == "decided",
        SeasonApplication.recommend.is_(True)).order_by(SeasonApplication.uscc)))


def names(s: Session, usccs) -> dict[str, str]:
    return dict(s.execute(select(Enterprise.uscc, Enterprise.name).where(Enterprise.uscc.in_(list(usccs)))).all())


def indicator_facts(s: Session, usccs: list[str], first: int, last: int) -> dict[str, dict[int, dict]]:
    """The enterprises' recorded facts by year, for the years first..last."""
    years: dict[str, dict[int, dict]] = defaultdict(dict)
    for row in s.scalars(select(Indicator).where(Indicator.uscc.in_(usccs), Indicator.year.between(first, last))):
        years[row.uscc][row.year] = orjson.loads(row.facts)
    return years


def next_version(s: Session, season_id: int) -> int:
    return (s.scalar(select(func.max(SeasonRecommendation.version))
                     .where(SeasonRecommendation.season_id == season_id)) or 0) + 1


def versions(s: Session, season_id: int) -> list[tuple[SeasonRecommendation, str | None]]:
    """Every version of the list, oldest first, with its job's state."""
    stmt = (select(SeasonRecommendation, PlatformJob.state)
            .join(PlatformJob, PlatformJob.id == SeasonRecommendation.job_id, isouter=True)
            .where(SeasonRecommendation.season_id == season_id).order_by(SeasonRecommendation.version))
    return [(v, state) for v, state in s.execute(stmt)]
