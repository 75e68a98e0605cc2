"""Monthly monitoring routes (每月动态监测): thin; the use cases are in service.py."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile

from services.registry.auth import Reader, Writer
from services.registry.monitoring import service
from services.registry.monitoring.schemas import (
    ImportReport,
    MonitoringMonth,
    OperatingIn,
    OperatingList,
    OperatingPublic,
)
from shared import sheets
from shared.clock import today
from shared.errors import Problem
from shared.paths import UsccKey
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["monitoring 每月动态监测"])

Month = Annotated[str, Path(description="月份 YYYY-MM，不晚于本月 / the month, YYYY-MM, not in the future")]
MAX_FILE_BYTES = 20 * 1024 * 1024
DataFile = Annotated[UploadFile, File(description=(
    "月度经营数据表（XLSX、XLS、ODS，或 CSV / 制表符文本），列：统一社会信用代码、月份、营业收入（元）、研发费用（元）、"
    "从业人数、新增专利 / the monthly operating data with those columns"))]


DRY_RUN = "只预览，不登记 / preview only: nothing is recorded"


@router.put("/enterprises/{uscc}/operating-data/{month}",
            responses={201: {"model": OperatingPublic, "description": "新记录 / a new record"}},
            summary="登记企业某月的经营数据 / Record an enterprise's operating data for a month")
def put_operating_data(uscc: UsccKey, month: Month, body: OperatingIn, who: Writer, session: WriteSession,
                       response: Response) -> OperatingPublic:
    """整月替换：新建为 201，替换为 200。The month is replaced whole: 201 when new, 200 when replaced."""
    row, created = service.put_month(session, who.actor, uscc, month, body, today())
    response.status_code = 201 if created else 200
    return row


@router.get("/enterprises/{uscc}/operating-data", summary="企业各月的经营数据 / An enterprise's monthly operating data")
def list_operating_data(uscc: UsccKey, who: Reader, session: ReadSession) -> OperatingList:
    """园区只能读本园区企业的（否则 404）。A park reads its own enterprises' only (else 404)."""
    return service.list_months(session, who, uscc)


@router.post("/monitoring/imports", summary="从表格导入月度经营数据 / Import monthly operating data from a workbook")
def import_operating_data(who: Writer, session: WriteSession, file: DataFile,
                          dry_run_query: Annotated[bool, Query(alias="dry_run", description=DRY_RUN)] = False,
                          dry_run_form: Annotated[bool, Form(alias="dry_run", description=DRY_RUN)] = False
                          ) -> ImportReport:
    """全部或全不：任何一行有错（附行号与原因）即 422，不登记任何内容。`dry_run=true` 只预览：各行将新增、替换或
    不变，以及错误行。All or nothing: any bad row (numbered, with its reasons) is a 422 and nothing is
    recorded. `dry_run=true` previews: what each row would do, and the bad rows."""
    content = file.file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise Problem(413, "file-too-large", "文件超过 20 MB", "The file is larger than 20 MB")
    return service.import_months(session, who.actor, file.filename or "", content, dry_run_query or dry_run_form,
                                 today())


@router.get("/monitoring/{month}", response_model=MonitoringMonth,
            summary="某月重点企业动态监测：数据、趋势与预警 / The key enterprises' month: data, trends and flags")
def monitoring_month(month: Month, who: Reader, session: ReadSession,
                     format: Annotated[Literal["json", "xlsx"],
                                       Query(description="json 或 xlsx 工作簿 / json, or an xlsx workbook")] = "json"):
    """重点企业：月末（或今天）持有不低于 `monitoring.key_min_tier` 称号的企业。预警：当月未报送；营收同比降幅超过
    `monitoring.revenue_drop_pct`；年初至今研发费用占比低于其称号认定条件的门槛（条件中无此项时为
    `monitoring.rd_ratio_min_pct`）；从业人数低于认定条件门槛（无则 `monitoring.min_employees`）。园区只见本园区企业。
    Key enterprises hold at least `monitoring.key_min_tier` at the month's end (or today). Flags: no
    data this month; revenue down more than `monitoring.revenue_drop_pct` year on year; year-to-date
    R&D ratio below its tier's criterion (else `monitoring.rd_ratio_min_pct`); employees below the
    criterion (else `monitoring.min_employees`). A park sees its own enterprises."""
    report = service.month_report(session, who, month, today())
    if format == "xlsx":
        return sheets.download(service.month_xlsx(report), "xlsx", f"srdi-monitoring-{month}")
    return report
