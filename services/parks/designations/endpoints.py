"""Designation routes: designate a park, its designations, its assessment explained."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from services.parks.auth import DesignationReader, Designator
from services.parks.designations import repository, service
from services.parks.designations.schemas import Assessment, DesignationIn, DesignationPublic
from services.parks.parks import repository as parks
from services.parks.query import ParkIdPath
from shared.clock import today
from shared.errors import Problem
from shared.schemas import Page
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["designations"])


Year = Annotated[int | None, Query(ge=2000, le=2100, description="考核年份（按当年 12 月 31 日考核） / calendar "
                                                                 "year (assessed as of 31 December)")]
AssessOn = Annotated[dt.date | None, Query(description="考核日期 YYYY-MM-DD / YYYY-MM-DD: assess as of this date")]


@router.post("/parks/{park_id}/designations", status_code=201, response_model_exclude_unset=True,
             summary="认定园区（srdi_featured：专精特新特色园区） / Designate a park (srdi_featured: SRDI featured "
                     "park); publishes park.designated.v1")
def designate(park_id: ParkIdPath, body: DesignationIn, who: Designator, session: WriteSession) -> DesignationPublic:
    """按认定日期考核园区并保存考核结果；未达标时须说明理由（否则 422）；同类认定已有时 409；
    在同一事务中发布 park.designated.v1。
    Assess the park as of the designation date and store the assessment; 422 without a reason when
    it fails; 409 when the park already holds the designation; publishes park.designated.v1."""
    p = parks.get(session, who, park_id, lock=True)  # one designation of a kind: serialise per park
    return DesignationPublic.of(service.designate(session, who.actor, p, body, today()))


@router.get("/parks/{park_id}/designations", response_model_exclude_unset=True,
            summary="园区的认定 / A park's designations")
def list_designations(park_id: ParkIdPath, who: DesignationReader,
                      session: ReadSession) -> Page[DesignationPublic]:
    """园区获得的认定，含认定时保存的考核结果。
    A park's designations, each with the assessment stored at the time."""
    p = parks.get(session, who, park_id)
    return Page[DesignationPublic](items=[DesignationPublic.of(d) for d in repository.of_park(session, who, p.id)],
                                   next_cursor=None)


@router.get("/parks/{park_id}/assessment", response_model_exclude_unset=True,
            summary="园区考核（按年份或日期，附说明） / The park's featured-park assessment (考核) for a year, "
                    "or as of a date, explained")
def get_assessment(park_id: ParkIdPath, who: DesignationReader, session: ReadSession, year: Year = None,
                   on: AssessOn = None) -> Assessment:
    """按 year 的 12 月 31 日或按 on 当日考核园区，逐项说明数值、达标值、权重与所依据的参数；二者须且只须给出其一。
    The assessment as of 31 December of `year`, or as of `on` (exactly one of them), with every value,
    threshold, weight and parameter cited."""
    if (year is None) == (on is None):
        raise Problem(422, "year-or-on", "请给出考核年份（year）或考核日期（on），二者只给其一", "Give either year or on",
                      errors=[{"loc": ["query", "year"], "msg": "exactly one of year, on", "type": "missing"}])
    return service.assessment(session, parks.get(session, who, park_id), on or dt.date(year, 12, 31))
