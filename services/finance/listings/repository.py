"""Every query of the listing pipeline (上市培育)."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from services.finance import rules
from services.finance.tables import ListingPipeline, ListingStage
from shared.auth import Principal
from shared.db import for_update


def readable(who: Principal | None = None) -> Select:
    """Every programme reader sees the whole pipeline: select(ListingPipeline)."""
    return select(ListingPipeline)


def get(s: Session, who: Principal | None, uscc: str) -> ListingPipeline | None:
    return s.scalars(readable(who).where(ListingPipeline.uscc == uscc)).first()


def locked(s: Session, uscc: str) -> ListingPipeline | None:
    return s.scalars(for_update(s, select(ListingPipeline).where(ListingPipeline.uscc == uscc))).first()


def page(s: Session, who: Principal, limit: int, after: str | None, stage: str | None) -> list[ListingPipeline]:
    stmt = readable(who).order_by(ListingPipeline.uscc).limit(limit + 1)
    if after:
        stmt = stmt.where(ListingPipeline.uscc > after)
    if stage:
        stmt = stmt.where(ListingPipeline.stage == stage)
    return list(s.scalars(stmt))


def stages(s: Session, uscc: str) -> list[ListingStage]:
    """The stages an enterprise reached, in the pipeline's order."""
    rows = s.scalars(select(ListingStage).where(ListingStage.uscc == uscc)).all()
    return sorted(rows, key=lambda r: rules.STAGES.index(r.stage))


def all_stages(s: Session) -> list[ListingStage]:
    return list(s.scalars(select(ListingStage)))


def boards(s: Session) -> dict[str, str | None]:
    return {uscc: board for uscc, board in s.execute(select(ListingPipeline.uscc, ListingPipeline.board))}
