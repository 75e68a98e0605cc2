"""Recognition-list import use cases: check every row, then apply the valid ones (in recognition
order, so promotions come out in time order). They write through the caller's session and never
commit (the runner in jobs.py opens one transaction per chunk)."""
import orjson
from sqlalchemy.orm import Session

from services.registry.certifications import repository as certifications
from services.registry.certifications import service as certification_service
from services.registry.certifications.schemas import CertificationIn
from services.registry.enterprises import repository as enterprises
from services.registry.enterprises import service as enterprise_service
from services.registry.enterprises.schemas import EnterpriseIn
from services.registry.imports import rows as checks
from services.registry.imports.schemas import ImportJobPublic
from services.registry.tables import Enterprise, ImportJob
from shared.clock import today
from shared.errors import Problem
from shared.tiers import rank
from shared.validators import uscc_error


def plan(rows) -> tuple[dict, list[checks.ListRow]]:
    """Check every row: (the report so far, the valid rows in the order they are applied)."""
    report = {"rows": 0, "created": 0, "unchanged": 0, "skipped": 0, "rejected": []}
    valid = []
    on = today()
    for row, cells in rows:
        report["rows"] += 1
        checked = checks.check_list_row(row, cells, uscc_error, on)
        if checked == "skipped":
            report["skipped"] += 1
        elif isinstance(checked, list):
            report["rejected"].append({"row": row, "errors": checked})
        else:
            valid.append(checked)
    # Recognition order over the whole file, so promotions come out in time order.
    valid.sort(key=lambda r: (r.recognized_on, rank(r.tier), r.row))
    return report, valid


def apply(s: Session, actor: str, rows: list[checks.ListRow], years: dict | None = None,
          refused: list | None = None) -> tuple[int, int]:
    """Apply valid rows (in recognition order, so promotions come out in time order).
    Returns (created, unchanged); a row already known changes nothing; a refused row is appended
    to `refused` as {row, errors}. The enterprises and certifications the rows touch are read with
    two queries; each document is written once."""
    usccs = sorted({r.uscc for r in rows})
    # Locks taken and new keys inserted in USCC order: racing imports queue rather than deadlock.
    firms = enterprises.locked_many(s, usccs)
    certs = certifications.by_enterprise(s, usccs)
    touched: dict[str, Enterprise] = {}
    years = {} if years is None else years  # validity by (tier, date), for the whole import
    refused = [] if refused is None else refused  # rows the registry refuses (the re-application ban)
    created = unchanged = 0
    ordered = sorted(rows, key=lambda r: (r.recognized_on, rank(r.tier), r.row))
    for r in sorted(ordered, key=lambda r: r.uscc):  # new enterprises first, in one flush (certifications refer to them)
        if r.uscc not in firms:
            firms[r.uscc] = touched[r.uscc] = enterprise_service.create(
                s, actor, EnterpriseIn(uscc=r.uscc, name=r.name), known_new=True)
    s.flush()
    announced: list = []
    for r in ordered:
        e = firms[r.uscc]
        try:
            added = certification_service.new_certification(s, e, certs[r.uscc], CertificationIn(
                tier=r.tier, recognized_on=r.recognized_on, batch=r.batch, source="municipal_list"), years)
        except Problem as p:  # checked before anything is added: the row is refused, the rest go on
            refused.append({"row": r.row, "errors": [f"{p.zh} / {p.en}"]})
            continue
        if added:
            touched[r.uscc] = e
            announced.append((e, added))
        created += added is not None
        unchanged += added is None
    s.flush()  # one batch of INSERTs gives every new certification its id
    for e, added in announced:  # in recognition order, so promotions come out in time order
        certification_service.announce(s, actor, e, added, certs[e.uscc])
    for uscc, e in touched.items():
        enterprise_service.refresh_doc(s, e, certs[uscc])
    return created, unchanged


def job_public(job: ImportJob) -> ImportJobPublic:
    done = 1.0 if job.state == "done" else 0.0
    return ImportJobPublic(
        id=job.id, kind=job.kind, filename=job.filename, state=job.state, rows_total=job.rows_total,
        rows_done=job.rows_done, progress=round(job.rows_done / job.rows_total, 4) if job.rows_total else done,
        report=orjson.loads(job.report) if job.report else None, error=job.error, created_at=job.created_at,
        started_at=job.started_at, finished_at=job.finished_at)
