"""Import answers: the report of an import (or of its preview) and the import job."""
from typing import Annotated, Literal

from fastapi import Path
from pydantic import ConfigDict, Field

from shared.schemas import Public, UtcTime

JobId = Annotated[str, Path(max_length=36, description="导入任务编号 / the import job's id")]
ImportMode = Literal["import", "backfill"]
MODE_DOC = ("导入方式：import 新名单；backfill 系统上线前的历史名单（认定标记为补录，奖励视为已在系统外兑付，"
            "不补发往年指标） / import: a new list; backfill: a list from before go-live (certifications marked "
            "back-filled: their awards count as settled outside the system, past years' quotas are not granted)")

REPORT_EXAMPLE = {
    "rows": 120, "created": 96, "unchanged": 10, "skipped": 12, "rejected": [
        {"row": 37, "errors": ["统一社会信用代码无效（校验位不符） / invalid USCC: check digit does not match"]}],
    "skipped_rows": [{"row": 5, "reason": "所属区为“海淀区”，不是房山区 / district “海淀区” is not Fangshan"}],
    "warnings": [{"row": 8, "reason": "所属乡镇“良乡开发区”无法识别，未采用 / township “良乡开发区” is not one of "
                                      "Fangshan's: not used"}],
    "enterprises_created": 41, "enterprises_changed": 12, "mode": "import", "dry_run": False, "applied": True}
JOB_EXAMPLE = {"id": "1b7c8f0e-4a52-4c8e-9a0b-6f1d2e3c4b5a", "kind": "recognition_list",
               "filename": "2024年北京市专精特新中小企业名单.xlsx", "state": "done", "mode": "import", "dry_run": False,
               "cancel_requested": False, "applied": True, "rows_total": 120, "rows_done": 120,
               "progress": 1.0, "report": REPORT_EXAMPLE, "error": None, "created_at": "2026-12-02T02:00:00.123456Z",
               "started_at": "2026-12-02T02:00:00.200000Z", "finished_at": "2026-12-02T02:00:03.500000Z"}


class RejectedRow(Public):
    """被拒绝的一行及原因 / A rejected row and why."""

    row: int = Field(description="行号（序号列，否则为位置） / the row number (序号, else its position)")
    errors: list[str] = Field(description="原因（中文 / English） / the reasons")


class RowNote(Public):
    """跳过的一行或一条提醒，及原因 / A skipped row, or a warning about a row, and why."""

    row: int = Field(description="行号（序号列，否则为位置） / the row number (序号, else its position)")
    reason: str = Field(description="原因（中文 / English） / why")


class ImportReport(Public):
    """名单导入结果（预览时为将要发生的结果） / What an import did (for a preview: what it would do)."""

    rows: int = Field(description="读到的数据行数 / data rows read")
    created: int = Field(description="新增的认定数 / certifications created")
    unchanged: int = Field(description="已登记、未变化的行数 / rows already recorded")
    skipped: int = Field(description="跳过的行数（他区、文件内重复行），逐行见 skipped_rows / rows skipped (other "
                                     "districts, repeats within the file); each in skipped_rows")
    rejected: list[RejectedRow] = Field(description="被拒绝的行 / the rejected rows")
    skipped_rows: list[RowNote] = Field([], description="跳过的每一行及原因 / every skipped row and why")
    warnings: list[RowNote] = Field([], description="已导入但需留意的行（如乡镇无法识别） / rows imported with "
                                                     "something to check (e.g. an unknown township)")
    enterprises_created: int | None = Field(None, description="新登记的企业数 / enterprises registered")
    enterprises_changed: int | None = Field(None, description="已登记并新增认定的企业数 / enterprises already "
                                                              "registered that were given a certification")
    mode: ImportMode = Field("import", description=MODE_DOC)
    dry_run: bool = Field(False, description="是否为预览（未作任何更改） / a preview: nothing was changed")
    applied: bool = Field(True, description="是否已写入（预览、取消、失败均为 false，且未写入任何行） / whether "
                                            "it was applied (a preview, a cancelled or failed job: false, and "
                                            "nothing at all was)")
    model_config = ConfigDict(json_schema_extra={"examples": [REPORT_EXAMPLE]})


class ImportJobPublic(Public):
    """一个导入任务 / An import job."""

    id: str = Field(description="任务编号 / the job's id")
    kind: str = Field(description="任务类型（recognition_list 认定名单） / the kind of import")
    filename: str = Field(description="文件名（市级平台同步为 municipal-platform） / the file's name")
    state: str = Field(description="状态：queued 排队、running 运行中、done 完成、failed 失败（未写入任何行）、"
                                   "cancelled 已取消（未写入任何行） / the state: queued, running, done, failed or "
                                   "cancelled (failed and cancelled jobs applied nothing)")
    mode: ImportMode = Field(description=MODE_DOC)
    dry_run: bool = Field(description="是否为预览 / a preview (nothing is changed)")
    cancel_requested: bool = Field(description="是否已请求取消 / whether a cancellation was asked for")
    applied: bool = Field(description="是否已写入（全部或全不） / whether the import was applied (all or nothing)")
    rows_total: int = Field(description="总行数 / rows in all")
    rows_done: int = Field(description="已处理行数 / rows done")
    progress: float = Field(description="进度（0–1） / progress, 0 to 1")
    report: ImportReport | None = Field(description="完成后的导入结果 / the report, when done")
    error: str | None = Field(description="失败或取消的说明 / why it failed or was cancelled")
    created_at: UtcTime = Field(description="创建时间（UTC） / created at (UTC)")
    started_at: UtcTime | None = Field(description="开始时间（UTC） / started at (UTC)")
    finished_at: UtcTime | None = Field(description="结束时间（UTC） / finished at (UTC)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [JOB_EXAMPLE]})
