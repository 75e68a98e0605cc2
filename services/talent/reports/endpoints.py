"""Report routes: thin; the use cases are in service.py. For the offices only, not the enterprises."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from services.talent.auth import Reader
from services.talent.query import YearQuery
from services.talent.reports import service
from services.talent.reports.schemas import NominationReport, QuotaReport
from shared import sheets
from shared.clock import today
from shared.sessions import ReadSession

router = APIRouter(tags=["talent"])


@router.get("/reports/quotas", summary="落户指标统计 / Quotas granted, used, available and lapsed per year and tier")
def quota_report(who: Reader, session: ReadSession, year: YearQuery = None) -> QuotaReport:
    """按年度与层级统计落户指标的企业数、授予、已使用、可用与已失效数，并按年度合计。

    Quotas per year and tier (enterprises, granted, used, available, lapsed), and per year."""
    return service.quota_report(session, who, today(), year)


@router.get("/reports/nominations", summary="人才提名统计 / Nominations per year, talent category and state")
def nomination_report(who: Reader, session: ReadSession, year: YearQuery = None) -> NominationReport:
    """按年度、人才类别与状态统计提名数，每个类别与状态均列出（含 0）。

    Nominations per year, talent category and state; every category and state listed, zeros included."""
    return service.nomination_report(session, who, year)


@router.get("/reports/export.xlsx", summary="报表导出 / Both reports and the quotas per enterprise as XLSX",
            response_class=Response, responses=sheets.XLSX_ANSWER)
def export_reports(who: Reader, session: ReadSession, year: YearQuery = None) -> Response:
    """一个工作簿，中文表头，不含个人信息：落户指标统计（按年度与层级）、落户指标明细（按企业与年度）、人才提名统计。

    One workbook, Chinese headers, no personal data: quotas per year and tier, quotas per enterprise
    and year, and nominations per category and state."""
    return sheets.download(service.report_xlsx(session, who, today(), year), "xlsx", "talent-reports")
