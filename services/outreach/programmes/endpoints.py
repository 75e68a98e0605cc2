"""Programme routes: the catalogue of municipal and national programmes, windows closing soon and
their reminders, and the applications the bureau helps with. Thin; the use cases are in service.py."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.outreach.access import Reader, Writer, page
from shared.filters import UsccFilter
from shared.pagination import Cursor, Limit
from services.outreach.programmes import repository, service
from services.outreach.programmes.schemas import (ApplicationIn, ApplicationPublic, ApplicationUpdate, Closing, Level,
                                                  ProgrammeDetail, ProgrammeIn, ProgrammePublic, Reminders, Stage)
from shared import pagination
from shared.clock import today
from shared.schemas import DAY_BOUNDS, Page, RowId
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["programmes"])
ProgrammeId = Annotated[RowId, Path(description="项目编号 / the programme's id")]
On = Annotated[dt.date | None, Query(**DAY_BOUNDS, description="所问日期（默认今天）/ the day asked (default today)")]


@router.post("/programmes", status_code=201, summary="登记上级项目 / Add a municipal or national programme")
def create_programme(body: ProgrammeIn, who: Writer, session: WriteSession) -> ProgrammePublic:
    """登记一个市级或国家级项目及其申报窗口；同名且同一开始日的批次已存在则 409。
    Add a municipal or national programme with its window; 409 for the same name and opening day."""
    return service.create(session, who, body)


@router.get("/programmes", summary="项目目录 / The programme catalogue")
def list_programmes(who: Reader, session: ReadSession, limit: Limit = 100, cursor: Cursor = None,
                    open_on: Annotated[dt.date | None, Query(**DAY_BOUNDS, description="只列出当日开放的窗口 / only "
                                                                                "windows open that day")] = None,
                    level: Annotated[Level | None, Query(description="按级别筛选 / only this level")] = None
                    ) -> Page[ProgrammePublic]:
    """按编号分页列出项目目录。
    The programme catalogue by id, a keyset page at a time."""
    return page(repository.listing(session, who, open_on, level, pagination.decode_id(cursor), limit), limit)


@router.get("/programmes/closing", summary="即将截止的申报窗口 / Windows closing soon")
def closing(who: Reader, session: ReadSession, on: On = None) -> Closing:
    """当日开放、在 outreach.programme.reminder_days 天内截止的窗口，及仍在准备中的申报。
    Windows open on `on` closing within outreach.programme.reminder_days, with the applications
    still preparing."""
    return service.closing_soon(session, who, on or today())


@router.post("/programmes/reminders", summary="截止提醒 / Remind applicants of windows closing soon")
def remind(who: Writer, session: WriteSession, on: On = None) -> Reminders:
    """为每个即将截止的窗口向仍在准备中的申报企业发一份提醒通知（经 outreach.programme.reminder_channels）；
    重复运行只为新增的准备中企业排队。
    For each window closing soon, one reminder notice to the applicants still preparing, queued on
    outreach.programme.reminder_channels; running it again queues only newly preparing applicants."""
    return service.remind_closing(session, who, on or today())


@router.get("/programmes/{programme_id}", summary="项目详情（含申报）/ One programme with its applications")
def get_programme(programme_id: ProgrammeId, who: Reader, session: ReadSession) -> ProgrammeDetail:
    """项目及其全部申报。
    One programme with its applications."""
    return service.detail(session, who, programme_id)


@router.post("/programmes/{programme_id}/applications", status_code=201,
             summary="登记项目申报 / An application the bureau helps an enterprise with")
def create_application(programme_id: ProgrammeId, body: ApplicationIn, who: Writer,
                       session: WriteSession) -> ApplicationPublic:
    """登记一份申报，阶段为准备中；超过项目上限或企业不在企业库 422；同一企业重复申报 409。
    Record an application at stage preparing; above the programme's maximum or not in the registry:
    422; a second one of the enterprise: 409."""
    return service.apply(session, who, programme_id, body)


@router.patch("/applications/{application_id}", summary="推进申报阶段、记录金额 / Move an application's stage")
def update_application(application_id: Annotated[RowId, Path(description="申报编号 / the application's id")],
                       body: ApplicationUpdate, who: Writer, session: WriteSession) -> ApplicationPublic:
    """阶段依次为准备中 → 已提交 → 已批准 → 已拨付（或未通过、已撤回），跳步 409；获批金额仅在已拨付阶段记录；金额超过项目上限 422。
    Stages preparing → submitted → approved → granted (rejected, withdrawn); a skipped step is 409;
    granted_yuan only at granted; an amount above the programme's maximum is 422."""
    return service.update(session, who, application_id, body)


@router.get("/applications", summary="申报列表 / Applications")
def list_applications(who: Reader, session: ReadSession, limit: Limit = 100,
                      cursor: Cursor = None,
                      uscc: UsccFilter = None,
                      stage: Annotated[Stage | None, Query(description="按阶段筛选 / only this stage")] = None
                      ) -> Page[ApplicationPublic]:
    """按编号分页列出申报，可按企业或阶段筛选。
    Applications by id, by enterprise or stage, a keyset page at a time."""
    return page(repository.applications(session, who, uscc, stage, pagination.decode_id(cursor), limit), limit)
