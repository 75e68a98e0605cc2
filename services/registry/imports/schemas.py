"""Import answers: the report of an import and the import job."""
from typing import Annotated

from fastapi import Path
from pydantic import ConfigDict, Field

from shared.schemas import Public, UtcTime

JobId = Annotated[str, Path(max_length=36, description="导入任务编号 / the import job's id")]

REPORT_EXAMPLE = {"rows": 120, "created": 96, "unchanged": 10, "skipped": 12, "rejected": [
    {"row": 37, "errors": ["统一社会信用代码无效（校验位错误） / invalid USCC: bad check character"]}]}
JOB_EXAMPLE = {"id": "1b7c8f0e-4a52-4c8e-9a0b-6f1d2e3c4b5a", "kind": "recognition_list",
               "filename": "2024年北京市专精特新中小企业名单.xlsx", "state": "done", "rows_total": 120, "rows_done": 120,
               "progress": 1.0, "report": REPORT_EXAMPLE, "error": None, "created_at": "2026-12-02T02:00:00.123456Z",
               "started_at": "2026-12-02T02:00:00.200000Z", "finished_at": "2026-12-02T02:00:03.500000Z"}


class RejectedRow(Public):
    """被拒绝的一行及原因 / A rejected row and why."""

    row: int = Field(description="行号（序号列，否则为位置） / the row number (序号, else its position)")
    errors: list[str] = Field(description="原因（中文 / English） / the reasons")


class ImportReport(Public):
    """名单导入结果 / What an import did."""

    rows: int = Field(description="读到的数据行数 / data rows read")
    created: int = Field(description="新增的认定数 / certifications created")
    unchanged: int = Field(description="已登记、未变化的行数 / rows already recorded")
    skipped: int = Field(description="他区的行数（跳过） / rows of other districts, skipped")
    rejected: list[RejectedRow] = Field(description="被拒绝的行 / the rejected rows")
    model_config = ConfigDict(json_schema_extra={"examples": [REPORT_EXAMPLE]})


class ImportJobPublic(Public):
    """一个导入任务 / An import job."""

    id: str = Field(description="任务编号 / the job's id")
    kind: str = Field(description="任务类型（recognition_list 认定名单） / the kind of import")
    filename: str = Field(description="文件名（市级平台同步为 municipal-platform） / the file's name")
    state: str = Field(description="状态：queued 排队、running 运行中、done 完成、failed 失败 / the state")
    rows_total: int = Field(description="总行数 / rows in all")
    rows_done: int = Field(description="已处理行数 / rows done")
    progress: float = Field(description="进度（0–1） / progress, 0 to 1")
    report: ImportReport | None = Field(description="完成后的导入结果 / the report, when done")
    error: str | None = Field(description="失败原因 / why it failed")
    created_at: UtcTime = Field(description="创建时间（UTC） / created at (UTC)")
    started_at: UtcTime | None = Field(description="开始时间（UTC） / started at (UTC)")
    finished_at: UtcTime | None = Field(description="结束时间（UTC） / finished at (UTC)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [JOB_EXAMPLE]})
