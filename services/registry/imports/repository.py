"""Every query of the imports sub-domain; `readable(who)` is where every read of a job starts."""
import datetime as dt

from sqlalchemy import Select, and_, or_, select, update
from sqlalchemy.orm import Session

from services.registry.tables import ImportJob
from shared.auth import Principal
from shared.db import utcnow


def readable(who: Principal) -> Select:
    """The municipal platform sees the jobs it started; the bureau and the auditor see all."""
    stmt = select(ImportJob)
    return stmt.where(ImportJob.actor.startswith("platform:")) if who.role == "platform" else stmt


def readable_one(s: Session, who: Principal, job_id: str) -> ImportJob | None:
    return s.scalars(readable(who).where(ImportJob.id == job_id)).first()


def newest_first(s: Session, who: Principal, after: tuple[dt.datetime, str] | None, limit: int) -> list[ImportJob]:
    """A page of jobs, newest first, after the (created_at, id) key of the previous page."""
    stmt = readable(who).order_by(ImportJob.created_at.desc(), ImportJob.id.desc())
    if after:
        at, jid = after
        stmt = stmt.where(or_(ImportJob.created_at < at, and_(ImportJob.created_at == at, ImportJob.id < jid)))
    return list(s.scalars(stmt.limit(limit)))


def set_running(s: Session, job_id: str) -> None:
    s.execute(update(ImportJob).where(ImportJob.id == job_id, ImportJob.state == "queued")
              .values(state="running", started_at=utcnow()))


def request_cancel(s: Session, job_id: str) -> int:
    """Flag a job not yet ended (or already cancelled: asking again is the same); 0 when it ended."""
    return s.execute(update(ImportJob).where(ImportJob.id == job_id,
                                             ImportJob.state.in_(("queued", "running", "cancelled")))
                     .values(cancel_requested=True)).rowcount


def finish(s: Session, job_id: str, **values) -> None:
    s.execute(update(ImportJob).where(ImportJob.id == job_id).values(finished_at=utcnow(), **values))


def fail_unfinished(s: Session, error: str) -> int:
    """Jobs left queued or running (by a stopped process) marked failed; how many."""
    return s.execute(update(ImportJob).where(ImportJob.state.in_(("queued", "running")))
                     .values(state="failed", finished_at=utcnow(), error=error)).rowcount
