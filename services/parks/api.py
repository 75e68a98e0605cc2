"""Parks routes: thin; the use cases are in service.py."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from services.parks import service
from services.parks.models import Designation, Enterprise, Incubation, Intermediary, Park, ServiceRecord
from services.parks.schemas import (DesignationIn, GraduationIn, IncubationIn, IntermediaryIn, ParkIn,
                                    ParkPatch, ServiceRecordIn)
from shared import pagination
from shared.auth import Caller, Principal
from shared.clock import today
from shared.db import for_update
from shared.errors import Problem, not_found
from shared.tiers import Tier

router = APIRouter(tags=["parks"])

Writer = Caller("econ")
Reader = Caller("econ", "auditor", "park")
ParkWriter = Caller("econ", "park")  # a park operator records its own park's incubation and services

Year = Annotated[int | None, Query(ge=2000, le=2100, description="calendar year")]
On = Annotated[dt.date | None, Query(ge=dt.date(1949, 10, 1), le=dt.date(2100, 12, 31),
                                     description="YYYY-MM-DD: tiers on this date (default today)")]


def scoped(stmt, who: Principal, column=Park.id):
    """The one place object scoping lives: a park operator finds only its own park's objects
    (`column` is the park id column of the object queried)."""
    return stmt.where(column == who.org) if who.role == "park" else stmt


def park_or_404(s, park_id: str, who: Principal, lock: bool = False) -> Park:
    stmt = scoped(select(Park).where(Park.id == park_id), who)
    p = s.scalars(for_update(s, stmt) if lock else stmt).first()
    if p is None:
        raise not_found("园区", "Park", park_id)
    return p




# -- parks ----------------------------------------------------------------------------------------
@router.post("/parks", status_code=201, summary="Register a park")
def create_park(body: ParkIn, request: Request, who: Writer):
    with request.app.state.db.transaction() as s:
        return service.park_dict(service.create_park(s, who.actor, body))


@router.get("/parks", summary="List parks (a park operator sees its own)")
def list_parks(request: Request, who: Reader, limit: pagination.Limit = 100, cursor: pagination.Cursor = None,
               township: Annotated[str | None, Query(max_length=50)] = None):
    after = pagination.decode(cursor)
    stmt = scoped(select(Park), who).order_by(Park.id).limit(limit + 1)
    if after:
        stmt = stmt.where(Park.id > after)
    if township:
        stmt = stmt.where(Park.township == township)
    with request.app.state.db.reader() as s:
        items = [service.park_dict(p) for p in s.scalars(stmt)]
    return pagination.page(items, limit, key=lambda d: d["id"])


@router.get("/parks/{park_id}", summary="One park with its enterprises, counts per tier (today, or on `on`) "
                                       "and designations")
def get_park(park_id: str, request: Request, who: Reader, on: On = None):
    with request.app.state.db.reader() as s:
        return service.park_detail(s, park_or_404(s, park_id, who), on or today())


@router.patch("/parks/{park_id}", summary="Change a park's register entry (a park operator: its own park)")
def update_park(park_id: str, body: ParkPatch, request: Request, who: ParkWriter):
    with request.app.state.db.transaction() as s:
        return service.park_dict(service.update_park(s, who.actor, park_or_404(s, park_id, who, lock=True), body))


@router.get("/parks/{park_id}/enterprises",
            summary="The enterprises the registry places in the park, with their tiers today (or on `on`)")
def list_enterprises(park_id: str, request: Request, who: Reader, limit: pagination.Limit = 100,
                     cursor: pagination.Cursor = None, tier: Annotated[Tier | None, Query()] = None, on: On = None):
    after = pagination.decode(cursor)
    with request.app.state.db.reader() as s:
        p = park_or_404(s, park_id, who)
        items = service.park_enterprises(s, p, on or today(), tier and tier.value, after, limit)
    return pagination.page(items, limit, key=lambda d: d["uscc"])


# -- designations and assessment --------------------------------------------------------------------
@router.post("/parks/{park_id}/designations", status_code=201,
             summary="Designate a park (srdi_featured: SRDI featured park); publishes park.designated.v1")
def designate(park_id: str, body: DesignationIn, request: Request, who: Writer):
    with request.app.state.db.transaction() as s:
        p = park_or_404(s, park_id, who, lock=True)  # one designation of a kind: serialise per park
        return service.designation_dict(service.designate(s, who.actor, p, body, today()))


@router.get("/parks/{park_id}/designations", summary="A park's designations")
def list_designations(park_id: str, request: Request, who: Reader):
    with request.app.state.db.reader() as s:
        p = park_or_404(s, park_id, who)
        items = [service.designation_dict(d) for d in
                 s.scalars(select(Designation).where(Designation.park_id == p.id).order_by(Designation.id))]
    return {"items": items, "next_cursor": None}


@router.get("/parks/{park_id}/assessment",
            summary="The park's featured-park assessment (考核) for a year, or as of a date, explained")
def get_assessment(park_id: str, request: Request, who: Reader, year: Year = None,
                   on: Annotated[dt.date | None, Query(description="YYYY-MM-DD: assess as of this date")] = None):
    if (year is None) == (on is None):
        raise Problem(422, "year-or-on", "请给出 year 或 on 之一", "Give either year or on",
                      errors=[{"loc": ["query", "year"], "msg": "exactly one of year, on", "type": "missing"}])
    with request.app.state.db.reader() as s:
        return service.assessment(s, park_or_404(s, park_id, who), on or dt.date(year, 12, 31))


# -- incubation ---------------------------------------------------------------------------------------
@router.post("/parks/{park_id}/incubations", status_code=201, summary="Record an enterprise entering incubation")
def add_incubation(park_id: str, body: IncubationIn, request: Request, who: ParkWriter):
    with request.app.state.db.transaction() as s:
        i = service.add_incubation(s, who.actor, park_or_404(s, park_id, who), body)
        return service.incubation_dict(i, service.names_of(s, i.park_id, {i.uscc}))


@router.get("/parks/{park_id}/incubations", summary="A park's incubation records")
def list_incubations(park_id: str, request: Request, who: Reader, limit: pagination.Limit = 100,
                     cursor: pagination.Cursor = None):
    after = pagination.decode_id(cursor)
    with request.app.state.db.reader() as s:
        p = park_or_404(s, park_id, who)
        stmt = select(Incubation).where(Incubation.park_id == p.id).order_by(Incubation.id).limit(limit + 1)
        if after is not None:
            stmt = stmt.where(Incubation.id > after)
        rows = list(s.scalars(stmt))
        names = service.names_of(s, p.id, {i.uscc for i in rows})
        items = [service.incubation_dict(i, names) for i in rows]
    return pagination.page(items, limit, key=lambda d: str(d["id"]))


@router.get("/parks/{park_id}/incubations/summary",
            summary="A park's incubation in a year, with the incubated enterprises promoted")
def incubation_summary(park_id: str, request: Request, who: Reader,
                       year: Annotated[int, Query(ge=2000, le=2100)]):
    with request.app.state.db.reader() as s:
        return service.incubation_summary(s, park_or_404(s, park_id, who), year)


@router.post("/parks/{park_id}/incubations/{incubation_id}/graduation",
             summary="Record an incubated enterprise's graduation (出孵)")
def graduate(park_id: str, incubation_id: int, body: GraduationIn, request: Request, who: ParkWriter):
    with request.app.state.db.transaction() as s:
        p = park_or_404(s, park_id, who)
        i = s.scalars(select(Incubation).where(Incubation.id == incubation_id, Incubation.park_id == p.id)).first()
        if i is None:
            raise not_found("入孵记录", "Incubation", str(incubation_id))
        return service.incubation_dict(service.graduate(s, who.actor, i, body), service.names_of(s, p.id, {i.uscc}))


# -- intermediaries ---------------------------------------------------------------------------------
@router.post("/intermediaries", status_code=201, summary="Register an intermediary (中介机构) or association")
def create_intermediary(body: IntermediaryIn, request: Request, who: Writer):
    with request.app.state.db.transaction() as s:
        return service.intermediary_dict(service.create_intermediary(s, who.actor, body))


@router.get("/intermediaries", summary="The district's intermediaries and associations (a shared directory)")
def list_intermediaries(request: Request, who: Reader, limit: pagination.Limit = 100,
                        cursor: pagination.Cursor = None):
    after = pagination.decode_id(cursor)
    stmt = select(Intermediary).order_by(Intermediary.id).limit(limit + 1)
    if after is not None:
        stmt = stmt.where(Intermediary.id > after)
    with request.app.state.db.reader() as s:
        items = [service.intermediary_dict(m) for m in s.scalars(stmt)]
    return pagination.page(items, limit, key=lambda d: str(d["id"]))


def intermediary_or_404(s, intermediary_id: int) -> Intermediary:
    m = s.get(Intermediary, intermediary_id)
    if m is None:
        raise not_found("中介机构", "Intermediary", str(intermediary_id))
    return m


@router.get("/intermediaries/{intermediary_id}", summary="One intermediary")
def get_intermediary(intermediary_id: int, request: Request, who: Reader):
    with request.app.state.db.reader() as s:
        return service.intermediary_dict(intermediary_or_404(s, intermediary_id))


@router.post("/intermediaries/{intermediary_id}/services", status_code=201,
             summary="Record a service an intermediary gave an enterprise")
def add_service_record(intermediary_id: int, body: ServiceRecordIn, request: Request, who: ParkWriter):
    with request.app.state.db.transaction() as s:
        park_id = body.park_id
        if who.role == "park":
            park_id = park_or_404(s, body.park_id or who.org, who).id
        m = intermediary_or_404(s, intermediary_id)
        return service.service_record_dict(service.add_service_record(s, who.actor, m, body, park_id))


@router.get("/intermediaries/{intermediary_id}/services",
            summary="An intermediary's service records (a park operator sees its own park's)")
def list_service_records(intermediary_id: int, request: Request, who: Reader, limit: pagination.Limit = 100,
                         cursor: pagination.Cursor = None):
    after = pagination.decode_id(cursor)
    stmt = scoped(select(ServiceRecord).where(ServiceRecord.intermediary_id == intermediary_id), who,
                  ServiceRecord.park_id).order_by(ServiceRecord.id).limit(limit + 1)
    if after is not None:
        stmt = stmt.where(ServiceRecord.id > after)
    with request.app.state.db.reader() as s:
        intermediary_or_404(s, intermediary_id)
        items = [service.service_record_dict(r) for r in s.scalars(stmt)]
    return pagination.page(items, limit, key=lambda d: str(d["id"]))


@router.get("/intermediaries/{intermediary_id}/introduced",
            summary="Enterprises the intermediary introduced (引荐入区), by the registry's `introducer` "
                    "(its name or USCC); a park operator sees those in its own park")
def list_introduced(intermediary_id: int, request: Request, who: Reader, limit: pagination.Limit = 100,
                    cursor: pagination.Cursor = None):
    after = pagination.decode(cursor)
    with request.app.state.db.reader() as s:
        m = intermediary_or_404(s, intermediary_id)
        stmt = scoped(service.introduced_by(m), who, Enterprise.park_id).order_by(Enterprise.uscc).limit(limit + 1)
        if after:
            stmt = stmt.where(Enterprise.uscc > after)
        items = service.enterprise_dicts(s, list(s.scalars(stmt)), today())
    return pagination.page(items, limit, key=lambda d: d["uscc"])
