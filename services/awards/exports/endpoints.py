"""Export routes: the ledger and the disbursement list of a year, XLSX or CSV."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from services.awards.exports import service
from services.awards.ledger.endpoints import LedgerReader, QueryYear
from shared.sessions import ReadSession
from shared.sheets import FILE_ANSWER

router = APIRouter(tags=["awards"])

Format = Annotated[Literal["xlsx", "csv"], Query(description="文件格式：xlsx 或 csv / the file format")]
Year = Annotated[int, Path(ge=2000, le=2100, description="拨付年度 / the year of payment")]


@router.get("/ledger/export", summary="导出年度台账 / The ledger of a year as XLSX or CSV (Chinese headers)",
            response_class=Response, responses=FILE_ANSWER)
def export_ledger(who: LedgerReader, session: ReadSession, year: QueryYear, format: Format = "xlsx"):
    """某年度奖励台账（中文表头），XLSX 或 CSV；园区只含本园区奖励的条目。
    The ledger of a year with Chinese headers as XLSX or CSV; a park's holds only its own awards' entries."""
    return service.file(service.ledger_sheet(session, who, year), format, f"ledger-{year}")


@router.get("/disbursements/{year}/export", summary="导出年度拨付清单 / A year's disbursement list as XLSX or CSV "
                                                    "(Chinese headers)", response_class=Response, responses=FILE_ANSWER)
def export_disbursements(year: Year, who: LedgerReader, session: ReadSession,
                         format: Format = "xlsx"):
    """某年度拨付清单（中文表头），XLSX 或 CSV。
    A year's disbursement list with Chinese headers as XLSX or CSV."""
    return service.file(service.disbursement_sheet(session, who, year), format, f"disbursements-{year}")
