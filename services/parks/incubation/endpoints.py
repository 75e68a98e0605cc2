"""Incubation routes: record entries and graduations, list them, the yearly summary."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.parks.auth import IncubationReader, IncubationWriter
from services.parks.incubation import repository, service
from services.parks.incubation.schemas import GraduationIn, IncubationIn, IncubationPublic, IncubationSummary
from services.parks.parks import repository as parks
from services.parks.query import ParkIdPath
from shared import pagination
from shared.pagination import Cursor, Limit
from shared.schemas import Page
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["incubation"])


IncubationId = Annotated[int, Path(description="入孵记录编号 / the incubation record's id")]
SummaryYear = Annotated[int, Query(ge=2000, le=2100, description="年份 / calendar year")]


@router.post("/parks/{park_id}/incubations", status_code=201,
             summary="记录企业入孵 / Record an enterprise entering incubation")
def add_incubation(park_id: ParkIdPath, body: IncubationIn, who: IncubationWriter,
                   session: WriteSession) -> IncubationPublic:
    """只能记录企业库登记在本园区的企业（否则 422 not-in-park，且不透露该企业的任何信息）；与同一企业在本园区的
    入孵期重叠时 409。
    Only an enterprise the registry places in this park (else 422 not-in-park, saying nothing about
    it); 409 when it overlaps a stay of the same enterprise in the park."""
    p = parks.get(session, who, park_id)
    return service.public(session, [service.add_incubation(session, who.actor, p, body)], p.id)[0]


@router.get("/parks/{park_id}/incubations", summary="园区入孵记录 / A park's incubation records")
def list_incubations(park_id: ParkIdPath, who: IncubationReader, session: ReadSession, limit: Limit = 100,
                     cursor: Cursor = None) -> Page[IncubationPublic]:
    """按编号分页；企业名称仅对企业库登记在本园区的企业给出。
    Paged by id; `name` from the registry's record only for an enterprise it places in the park."""
    p = parks.get(session, who, park_id)
    rows = repository.page(session, who, p.id, pagination.decode_id(cursor), limit)
    return pagination.page(service.public(session, rows, p.id), limit, key=lambda i: str(i.id))


@router.get("/parks/{park_id}/incubations/summary",
            summary="园区年度孵化情况及孵化企业晋级 / A park's incubation in a year, with the incubated "
                    "enterprises promoted")
def incubation_summary(park_id: ParkIdPath, who: IncubationReader, session: ReadSession,
                       year: SummaryYear) -> IncubationSummary:
    """年内在孵、入孵、出孵企业数，以及孵化企业年内的晋级（由企业库记录读出），只计企业库登记在本园区的企业。
    Incubating, entered, graduated, and the incubated enterprises promoted in the year (read off the
    registry's records), counting only enterprises the registry places in the park."""
    return service.summary(session, parks.get(session, who, park_id), year)


@router.post("/parks/{park_id}/incubations/{incubation_id}/graduation",
             summary="记录孵化企业出孵 / Record an incubated enterprise's graduation (出孵)")
def graduate(park_id: ParkIdPath, incubation_id: IncubationId, body: GraduationIn, who: IncubationWriter,
             session: WriteSession) -> IncubationPublic:
    """已出孵时 409；出孵日期早于入孵日期或晚于今天时 422。
    409 when it graduated already; 422 when the date is before entry or after today."""
    p = parks.get(session, who, park_id)
    i = service.graduate(session, who.actor, repository.get(session, who, p.id, incubation_id), body)
    return service.public(session, [i], p.id)[0]
