"""Recognition-list import use cases: check every row (plan), then apply the valid ones (in
recognition order, so promotions come out in time order). They write through the caller's session
and never commit (the runner in jobs.py holds the one transaction of a whole import)."""
import functools
from collections import defaultdict
from dataclasses import dataclass, field

import orjson
from pydantic_core import PydanticUndefined
from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from services.registry import events

from services.registry.certifications import repository as certifications
from services.registry.certifications import service as certification_service
from services.registry.certifications.schemas import CertificationIn
from services.registry.enterprises import repository as enterprises
from services.registry.enterprises import service as enterprise_service
from services.registry.enterprises.schemas import EnterpriseIn
from services.registry.imports import rows as checks
from services.registry.imports.schemas import ImportJobPublic
from services.registry.statistics import counts
from services.registry.tables import Certification, Enterprise, ImportJob
from shared.clock import today
from shared.db import utcnow
from shared.errors import Problem
from shared.audit import record_many
from shared.events import Emitter
from shared.tiers import rank
from shared.validators import uscc_error

MODES = ("import", "backfill")  # backfill: lists from before go-live (certifications marked backfilled)


def new_report(mode: str = "import", dry_run: bool = False) -> dict:
    """The report's shape (schemas.ImportReport): counts in rows, and every row not applied with why."""
    return {"rows": 0, "created": 0, "unchanged": 0, "skipped": 0, "rejected": [], "skipped_rows": [],
            "warnings": [], "enterprises_created": 0, "enterprises_changed": 0, "mode": mode,
            "dry_run": dry_run, "applied": False}


def plan(rows, mode: str = "import", dry_run: bool = False) -> tuple[dict, list[checks.ListRow]]:
    """Check every row: (the report so far, the valid rows in the order they are applied). A row
    repeating an earlier one (same enterprise, title and date) is skipped, naming that row."""
    report = new_report(mode, dry_run)
    valid = []
    first: dict[tuple, int] = {}
    on = today()
    code_error = functools.lru_cache(maxsize=1 << 16)(uscc_error)  # an enterprise recurs in a list
    for row, cells in rows:
        report["rows"] += 1
        checked = checks.check_list_row(row, cells, code_error, on)
        if isinstance(checked, checks.Skipped):
            _skip(report, row, checked.reason)
        elif isinstance(checked, list):
            report["rejected"].append({"row": row, "errors": checked})
        elif (key := (checked.uscc, checked.tier, checked.recognized_on)) in first:
            _skip(report, row, f"与第 {first[key]} 行重复（同一企业、称号、认定日期） / repeats row {first[key]} "
                               "(the same enterprise, title and date)")
        else:
            first[key] = row
            valid.append(checked)
            report["warnings"] += [{"row": row, "reason": w} for w in checked.warnings]
    # Recognition order over the whole file, so promotions come out in time order.
    valid.sort(key=lambda r: (r.recognized_on, _rank(r.tier), r.row))
    return report, valid


_rank = functools.cache(rank)


def _skip(report: dict, row: int, reason: str) -> None:
    report["skipped"] += 1
    report["skipped_rows"].append({"row": row, "reason": reason})


@dataclass
class Tally:
    """What the chunks of one import did so far."""

    created: int = 0
    unchanged: int = 0
    refused: list = field(default_factory=list)  # rows the registry refuses (the re-application ban)
    new_firms: set = field(default_factory=set)
    changed_firms: set = field(default_factory=set)  # registered before, given a certification
    years: dict = field(default_factory=dict)  # validity by (tier, date), for the whole import


def apply(s: Session, actor: str, rows: list[checks.ListRow], tally: Tally, backfill: bool = False) -> None:
    """Apply valid rows (in recognition order, so promotions come out in time order) into `tally`;
    a row already known changes nothing; a refused row is added to tally.refused as {row, errors}.
    The enterprises and certifications the rows touch are read with two queries (the new
    certifications' ids with a third, by their live key); the new
    enterprises, certifications, audit rows and events are written with one Core INSERT each (not
    as ORM objects one by one), each document is written once, and the maintained tier counts are
    told which enterprises changed (statistics.counts rewrites them before the commit).
    `backfill`: the certifications are marked back-filled (published in the record)."""
    usccs = sorted({r.uscc for r in rows})
    # Locks taken and new keys inserted in USCC order: racing imports queue rather than deadlock.
    firms = {e["uscc"]: _Row(e) for e in enterprises.locked_rows(s, usccs)}
    known = set(firms)
    certs: dict[str, list] = defaultdict(list)
    for c in certifications.rows_of(s, usccs):
        certs[c["uscc"]].append(_Row(c))
    touched: dict[str, _Row] = {}
    ordered = sorted(rows, key=lambda r: (r.recognized_on, _rank(r.tier), r.row))
    townships: dict[str, str] = {}
    for r in ordered:
        if r.township and r.uscc not in known:
            townships.setdefault(r.uscc, r.township)  # its earliest row that names one
    out = _Writes(s, actor)
    # New enterprises first, in one INSERT (certifications refer to them), as enterprise_service.create.
    new_rows = []
    for r in sorted(ordered, key=lambda r: r.uscc):
        if r.uscc not in firms:
            body = EnterpriseIn(uscc=r.uscc, name=r.name, township=townships.get(r.uscc))
            values = {**_fresh(Enterprise), **body.model_dump(), "version": 1}
            new_rows.append(values)
            e = firms[r.uscc] = touched[r.uscc] = _Row(values)
            out.event(e.uscc, events.registration(s, e))
            out.audit("enterprise.register", "enterprise", e.uscc, None, body.model_dump(mode="json"))
            tally.new_firms.add(r.uscc)
    if new_rows:
        s.execute(insert(ENTERPRISE), new_rows)
    announced: list = []
    cert_rows: list = []

    def build(values: dict) -> _Row:
        values = {**_fresh(Certification), **values, "backfilled": backfill}  # the record says so
        values.pop("id")
        cert_rows.append(values)
        return _Row(values, id=None)

    for r in ordered:
        e = firms[r.uscc]
        try:
            added = certification_service.new_certification(s, e, certs[r.uscc], CertificationIn(
                tier=r.tier, recognized_on=r.recognized_on, batch=r.batch, source="municipal_list"), tally.years,
                build=build)
        except Problem as p:  # checked before anything is added: the row is refused, the rest go on
            tally.refused.append({"row": r.row, "errors": [f"{p.zh} / {p.en}"]})
            continue
        if added:
            touched[r.uscc] = e
            announced.append((e, added))
            if r.uscc in known:
                tally.changed_firms.add(r.uscc)
        tally.created += added is not None
        tally.unchanged += added is None
    if cert_rows:  # one INSERT, then every new certification's id by its live key (unique)
        s.execute(insert(CERTIFICATION), cert_rows)
        fresh = {(a.cert.uscc, a.cert.tier, a.cert.recognized_on): a.cert for _, a in announced}
        for cert_id, *key in certifications.live_keys(s, sorted({c["uscc"] for c in cert_rows})):
            if (cert := fresh.get(tuple(key))) is not None:
                cert.id = cert_id
        if any(c.id is None for c in fresh.values()):  # cannot be: the index holds one live row a key
            raise RuntimeError("a certification inserted by the import was not found by its key")
    for e, added in announced:  # in recognition order, so promotions come out in time order
        certification_service.announce(s, out.actor, e, added, certs[e.uscc], out=out)
    docs = []
    for uscc, e in touched.items():  # each touched enterprise's version and document: one UPDATE
        enterprise_service.refresh_doc(s, e, certs[uscc])
        docs.append({"b_uscc": uscc, "version": e.version, "doc": e.doc})
    if docs:
        s.execute(update(ENTERPRISE).where(ENTERPRISE.c.uscc == bindparam("b_uscc")), docs)
    out.write()
    # Core statements pass the session's flush hook: the maintained counts are told here, with the
    # enterprises and certifications as written, so they are not read back.
    counts.known(s, {uscc: (e, certs[uscc]) for uscc, e in touched.items()})


ENTERPRISE = Enterprise.__table__
CERTIFICATION = Certification.__table__


class _Row:
    """A row written with a Core INSERT, its columns as attributes (read as its ORM object would be)."""

    def __init__(self, values: dict, **more):
        self.__dict__.update(values, **more)


@functools.cache
def _defaults(model) -> tuple[dict, dict]:
    """A table model's field defaults and default factories (what its constructor would fill in)."""
    values, factories = {}, {}
    for name, f in model.model_fields.items():
        if f.default_factory is not None:
            factories[name] = f.default_factory
        elif f.default is not PydanticUndefined:
            values[name] = f.default
    return values, factories


def _fresh(model) -> dict:
    values, factories = _defaults(model)
    return {**values, **{name: make() for name, make in factories.items()}}


class _Writes:
    """The audit rows and events of one chunk, each kind written with one INSERT (shared.audit.record_many,
    shared.events.Emitter)."""

    def __init__(self, s: Session, actor: str):
        self.s, self.actor = s, actor
        self.audits: list[dict] = []
        self.events = Emitter(s)

    def audit(self, action: str, object_type: str, object_id: str, before, after) -> None:
        self.audits.append({"actor": self.actor, "action": action, "object_type": object_type,
                            "object_id": object_id, "before": before, "after": after, "at": utcnow()})

    def event(self, subject: str, data) -> None:
        self.events.emit_data(subject, data)

    def write(self) -> None:
        record_many(self.s, self.audits)
        self.events.write()
        self.audits = []


def job_public(job: ImportJob, live_rows_done: int | None = None) -> ImportJobPublic:
    """The job as answered; `live_rows_done`: the progress of a job running in this process (its
    apply is one transaction, so the progress is not in the table until it ends)."""
    rows_done = job.rows_done if live_rows_done is None or job.state != "running" else live_rows_done
    done = 1.0 if job.state == "done" else 0.0
    report = orjson.loads(job.report) if job.report else None
    return ImportJobPublic(
        id=job.id, kind=job.kind, filename=job.filename, state=job.state, mode=job.mode, dry_run=job.dry_run,
        cancel_requested=job.cancel_requested, applied=bool(report and report.get("applied", True)),
        rows_total=job.rows_total, rows_done=rows_done,
        progress=round(rows_done / job.rows_total, 4) if job.rows_total else done, report=report,
        error=job.error, created_at=job.created_at, started_at=job.started_at, finished_at=job.finished_at)
