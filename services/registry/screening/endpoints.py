"""Screening and dynamic management routes: thin; the use cases are in service.py."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, File, Path, Query, Response, UploadFile

from services.registry.auth import CertWriter, Reader, Writer
from services.registry.screening import service
from services.registry.screening.schemas import (
    AnnualUpdateImport,
    AnnualUpdateIn,
    AnnualUpdatePublic,
    ChangeReportIn,
    ChangeReportList,
    ChangeReportPublic,
    IndicatorList,
    IndicatorPublic,
    IndicatorsIn,
    RenewalsDue,
    ScreeningList,
)
from shared.clock import today
from shared.errors import Problem
from shared.paths import UsccKey
from shared.schemas import DAY_BOUNDS
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["screening 培育筛选与动态管理"])

Year = Annotated[int, Path(ge=2000, le=2100, description="指标年度 / the indicators' year")]
ScreenTier = Literal["innovative", "municipal_srdi", "national_little_giant"]


@router.put("/enterprises/{uscc}/indicators/{year}", response_model_exclude_unset=True,
            responses={201: {"model": IndicatorPublic, "description": "新记录 / a new record"}},
            summary="登记企业某年度的指标 / Record an enterprise's indicators for a year")
def put_indicators(uscc: UsccKey, year: Year, body: IndicatorsIn, who: Writer, session: WriteSession,
                   response: Response) -> IndicatorPublic:
    """整年替换：新建为 201，替换为 200；未填的指标不出现在答复中。
    The year is replaced whole: 201 when new, 200 when replaced; indicators not given are absent."""
    row, created = service.put_indicators(session, who.actor, uscc, year, body)
    response.status_code = 201 if created else 200
    return row


@router.get("/enterprises/{uscc}/indicators", response_model_exclude_unset=True,
            summary="企业各年度的指标 / An enterprise's indicators, every year")
def list_indicators(uscc: UsccKey, who: Reader, session: ReadSession) -> IndicatorList:
    """园区只能读本园区企业的（否则 404）。A park reads its own enterprises' only (else 404)."""
    return service.list_indicators(session, who, uscc)


@router.get("/screening", summary="培育清单：低于某层级的企业，达标、准达标、不达标 / The cultivation list: "
                                  "enterprises below a tier, 达标 / 准达标 / 不达标 for it")
def screening(who: Reader, session: ReadSession,
              tier: Annotated[ScreenTier, Query(description="目标层级 / the tier screened for")],
              on: Annotated[dt.date | None, Query(description="条件与称号的日期，默认今天 / criteria and titles on "
                                                              "this date; default today")] = None,
              year: Annotated[int | None, Query(ge=2000, le=2100, description="指标年度，默认 on 的上一年 / "
                                                                           "indicator year; default on's year − 1")] = None
              ) -> ScreeningList:
    """下一层级为 `tier` 的企业（`innovative`：所有无称号企业），按指标分为达标、准达标（至多 N 项未满足且差距
    在相对范围内，均为按日期生效的参数，列出未满足的条件及差距）和不达标。
    Enterprises whose next tier is `tier` (for `innovative`: every enterprise without a title),
    classified on their indicators: `met`, `near` (at most N criteria fail, each within a relative
    gap, both dated parameters) with the failing criteria and by how much, or `not_met`."""
    on = on or today()
    return service.screening(session, who, tier, on, year or on.year - 1)


@router.post("/enterprises/{uscc}/annual-updates", status_code=201,
             summary="登记称号企业的年度数据更新 / Record a title holder's annual data update")
def record_annual_update(uscc: UsccKey, body: AnnualUpdateIn, who: CertWriter,
                         session: WriteSession) -> AnnualUpdatePublic:
    """企业在国家平台按期提交的年度数据更新；该年度已登记为 409（附 `existing`）。
    The update filed on the national platform by the deadline (年度数据更新). 409 with `existing`
    when that year is already recorded."""
    row, created = service.record_annual_update(session, who.actor, uscc, body)
    if not created:
        raise Problem(409, "annual-update-exists", f"{body.year} 年度更新已登记", f"The {body.year} update is already recorded",
                      existing=row.model_dump(mode="json"))
    return row


MAX_UPDATE_FILE_BYTES = 20 * 1024 * 1024
UpdateFile = Annotated[UploadFile, File(description=(
    "年度数据更新表（XLSX，或 UTF-8 / UTF-16 / GB18030 的 CSV、制表符文本），列：统一社会信用代码、年度、提交日期 / "
    "the annual updates (XLSX, or CSV / tab-separated text in UTF-8, UTF-16 or GB18030) with the columns "
    "统一社会信用代码, 年度, 提交日期"))]


@router.post("/imports/annual-updates", summary="从表格导入年度数据更新 / Import annual data updates from a workbook")
def import_annual_updates(who: Writer, session: WriteSession, file: UpdateFile) -> AnnualUpdateImport:
    """每行一条：统一社会信用代码、年度（提交的年份）、提交日期（不得晚于今天，且在该年度内）。已登记且相同
    的行不变；错误行附行号（表格中的行号）与原因拒绝，其余照常登记。文件或表头无法读取为 422，不登记任何内容。
    支持 `Idempotency-Key`。
    One row per update: 统一社会信用代码, 年度 (the year it is filed in), 提交日期 (not after today, within
    that year). Rows already recorded as they are stay unchanged; bad rows are refused with their row
    number (as the spreadsheet shows it) and reasons, the others recorded. A file or header that cannot
    be read is a 422 and records nothing. `Idempotency-Key` is honoured."""
    content = file.file.read(MAX_UPDATE_FILE_BYTES + 1)
    if len(content) > MAX_UPDATE_FILE_BYTES:
        raise Problem(413, "file-too-large", "文件超过 20 MB", "The file is larger than 20 MB")
    return AnnualUpdateImport.model_validate(
        service.import_annual_updates(session, who.actor, file.filename or "", content, today()))


@router.post("/enterprises/{uscc}/change-reports", status_code=201, response_model_exclude_unset=True,
             summary="登记重大变更报告 / Record a major-change report (重大变更)")
def report_change(uscc: UsccKey, body: ChangeReportIn, who: Writer, session: WriteSession) -> ChangeReportPublic:
    """`due_on` 为变更日期加报告期限（按日期生效的参数）；晚于该日报告为 `late`。
    `due_on` is the change date plus the reporting period (a dated parameter); `late` when reported after it."""
    return service.report_change(session, who.actor, uscc, body, today())


@router.get("/enterprises/{uscc}/change-reports", response_model_exclude_unset=True,
            summary="企业的重大变更报告 / An enterprise's major-change reports")
def list_changes(uscc: UsccKey, who: Reader, session: ReadSession) -> ChangeReportList:
    """按变更日期排序；园区只能读本园区企业的。By change date; a park reads its own enterprises' only."""
    return service.list_changes(session, who, uscc)


@router.get("/renewals/due", summary="复核到期清单：提示期内到期的称号 / Renewal (复核) due list: titles expiring "
                                     "within the notice window")
def renewals_due(who: Reader, session: ReadSession,
                 on: Annotated[dt.date | None, Query(**DAY_BOUNDS,
                                                     description="查询日期，默认今天 / as of this date; "
                                                                 "default today")] = None) -> RenewalsDue:
    """未复核的称号及其漏报的年度更新（漏报即不能复核）。
    Titles not yet renewed, with the annual updates they missed (a missed one blocks the renewal)."""
    return service.renewals_due(session, on or today(), who)
