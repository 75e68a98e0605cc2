"""Registry routes: thin; the use cases are in service.py."""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import or_, select

from services.registry import rules, service
from services.registry.models import Certification, Enterprise
from services.registry.schemas import CertTier, CertificationIn, EnterpriseIn, RevokeIn
from shared import pagination
from shared.auth import Caller, Principal
from shared.clock import today
from shared.errors import Problem, not_found
from shared.validators import uscc_error

router = APIRouter(tags=["registry"])

Writer = Caller("econ")
CertWriter = Caller("econ", "platform")
Reader = Caller("econ", "treasury", "talent", "finance", "auditor", "platform", "park")
StatsReader = Caller("econ", "treasury", "talent", "finance", "auditor", "platform")


def scoped(stmt, who: Principal):
    """The one place object scoping lives: a park operator sees only its park's enterprises."""
    return stmt.where(Enterprise.park_id == who.org) if who.role == "park" else stmt


@router.post("/enterprises", status_code=201, summary="Register an enterprise")
def create_enterprise(body: EnterpriseIn, request: Request, who: Writer):
    db = request.app.state.db
    with db.transaction() as s:
        e = service.create_enterprise(s, who.actor, body)
        return service.enterprise_dict(e, [], today())


READ_DOC = "SELECT doc, park_id FROM enterprise WHERE uscc = :uscc"


@router.get("/enterprises/{uscc}", summary="One enterprise with its current tier and certifications",
            response_class=Response, responses={200: {"content": {"application/json": {}}}})
async def get_enterprise(uscc: str, request: Request, who: Reader):
    # The hot read path (bench/read_path.py): one primary-key lookup of the stored document.
    row = await request.app.state.db.fetch_one(READ_DOC, {"uscc": uscc})
    if row is None or (who.role == "park" and row[1] != who.org):  # the same scope as scoped()
        raise not_found("企业", "Enterprise", uscc)
    return Response(service.render_doc(row[0], today()), media_type="application/json")


@router.get("/enterprises", summary="List and search enterprises (cursor pagination)")
def list_enterprises(request: Request, who: Reader, limit: pagination.Limit = 100,
                     cursor: pagination.Cursor = None,
                     tier: Annotated[CertTier | None, Query()] = None,
                     township: Annotated[str | None, Query(max_length=50)] = None,
                     park_id: Annotated[str | None, Query(max_length=64)] = None,
                     q: Annotated[str | None, Query(max_length=100)] = None):
    after = pagination.decode(cursor)
    on = today()
    stmt = scoped(select(Enterprise), who).order_by(Enterprise.uscc)
    if after:
        stmt = stmt.where(Enterprise.uscc > after)
    if township:
        stmt = stmt.where(Enterprise.township == township)
    if park_id:
        stmt = stmt.where(Enterprise.park_id == park_id)
    if q:
        stmt = stmt.where(or_(Enterprise.name.contains(q), Enterprise.uscc.startswith(q.upper())))
    items: list[dict] = []
    with request.app.state.db.reader() as s:
        # The tier filter needs the tier on a date, computed from certifications: page in chunks.
        chunk = limit + 1 if not tier else 500
        while len(items) <= limit:
            rows = list(s.scalars(stmt.limit(chunk)))
            for e in rows:
                doc = service.enterprise_dict(e, service.certifications_of(s, e.uscc), on)
                if not tier or doc["current_tier"] == tier:
                    items.append(doc)
            if len(rows) < chunk:
                break
            stmt = stmt.where(Enterprise.uscc > rows[-1].uscc)
    return pagination.page(items, limit, key=lambda d: d["uscc"])


@router.post("/enterprises/{uscc}/certifications", status_code=201, summary="Record a certification")
def add_certification(uscc: str, body: CertificationIn, request: Request, who: CertWriter):
    db = request.app.state.db
    with db.transaction() as s:
        cert, created = service.add_certification(s, who.actor, uscc, body)
        doc = service.cert_dict(cert)
    if not created:
        raise Problem(409, "certification-exists", f"该企业已有同一层级、同一认定日期的认定（编号 {cert.id}）",
                      f"The enterprise already has this tier recognised on this date (id {cert.id})",
                      existing=doc)
    return doc


@router.get("/certifications/{cert_id}", summary="One certification")
def get_certification(cert_id: int, request: Request, who: Reader):
    with request.app.state.db.reader() as s:
        stmt = scoped(select(Certification).join(Enterprise).where(Certification.id == cert_id), who)
        cert = s.scalars(stmt).first()
        if cert is None:
            raise not_found("认定", "Certification", str(cert_id))
        return service.cert_dict(cert)


@router.post("/certifications/{cert_id}/revoke", summary="Revoke a certification (撤销)")
def revoke(cert_id: int, body: RevokeIn, request: Request, who: Writer):
    with request.app.state.db.transaction() as s:
        return service.cert_dict(service.revoke(s, who.actor, cert_id, body, today()))


@router.get("/stats/tiers", summary="Enterprises per current tier, and title holders, on a date")
def tier_stats(request: Request, who: StatsReader,
               on: Annotated[dt.date | None, Query(description="YYYY-MM-DD; default today")] = None):
    with request.app.state.db.reader() as s:
        return service.tier_stats(s, on or today())


@router.post("/imports/recognition-lists", summary="Import a municipal recognition list (CSV or XLSX)")
async def import_recognition_list(request: Request, who: CertWriter, file: UploadFile):
    """Rows of other districts are skipped, bad rows rejected with their row number and reasons,
    known rows left unchanged: importing the same list twice creates nothing the second time."""
    content = await file.read()
    if len(content) > MAX_IMPORT_BYTES:
        raise Problem(413, "file-too-large", "文件超过 50 MB", "The file is larger than 50 MB")
    return await asyncio.to_thread(_import, request.app.state.db, who.actor, file.filename or "", content)


MAX_IMPORT_BYTES = 50 * 1024 * 1024
IMPORT_CHUNK = 500


def _import(db, actor: str, filename: str, content: bytes) -> dict:
    report = {"rows": 0, "created": 0, "unchanged": 0, "skipped": 0, "rejected": []}
    valid: list = []

    def flush():
        with db.transaction() as s:
            created, unchanged = service.import_rows(s, actor, valid)
        report["created"] += created
        report["unchanged"] += unchanged
        valid.clear()

    for row, cells in service.read_list_file(filename, content):
        report["rows"] += 1
        checked = rules.check_list_row(row, cells, uscc_error)
        if checked == "skipped":
            report["skipped"] += 1
        elif isinstance(checked, list):
            report["rejected"].append({"row": row, "errors": checked})
        else:
            valid.append(checked)
            if len(valid) >= IMPORT_CHUNK:
                flush()
    if valid:
        flush()
    return report


@router.post("/admin/expire", summary="Expire certifications past their last valid day now")
def expire_now(request: Request, who: Writer):
    with request.app.state.db.transaction() as s:
        return {"expired": service.expire_due(s, today(), who.actor)}
