"""Every query of the municipal platform's jobs. The bureau and the auditor read them all (a
job's request names enterprises, never personal data)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from services.registry.tables import PlatformJob
from shared.db import utcnow

UNFINISHED = ("queued", "running")


def get(s: Session, job_id: str) -> PlatformJob | None:
    return s.get(PlatformJob, job_id)


def newest_first(s: Session, state: str | None, after: tuple[dt.datetime, str] | None,
                 limit: int) -> list[PlatformJob]:
    """A page of jobs (of one state, if given), newest first, after the (created_at, id) key."""
    stmt = select(PlatformJob).order_by(PlatformJob.created_at.desc(), PlatformJob.id.desc())
    if state:
        stmt = stmt.where(PlatformJob.state == state)
    if after:
        at, jid = after
        stmt = stmt.where(or_(PlatformJob.created_at < at, and_(PlatformJob.created_at == at, PlatformJob.id < jid)))
    return list(s.scalars(stmt.limit(limit)))


def unfinished(s: Session) -> list[str]:
    return list(s.scalars(select(PlatformJob.id).where(PlatformJob.state.in_(UNFINISHED))
                          .order_by(PlatformJob.created_at)))


def attempt(s: Session, job_id: str, attempts: int) -> None:
    """The job is running its `attempts`-th try."""
    job = s.get(PlatformJob, job_id)
    job.state, job.attempts = "running", attempts
    job.started_at = job.started_at or utcnow()


def failed_attempt(s: Session, job_id: str, error: str) -> None:
    s.execute(update(PlatformJob).where(PlatformJob.id == job_id).values(last_error=error[:4000]))


def finish(s: Session, job_id: str, state: str, result: str | None = None, error: str | None = None) -> PlatformJob:
    job = s.get(PlatformJob, job_id)
    job.state, job.finished_at = state, utcnow()
    if result is not None:
        job.result = result
    if error is not None:
        job.last_error = error[:4000]
    return job
