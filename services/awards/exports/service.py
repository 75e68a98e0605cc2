"""The ledger and the disbursement list of a year as sheets (Chinese headers; shared.sheets writes them)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.awards.exports import repository
from services.awards.ledger.service import year_range
from services.awards.rules import PROGRAMS_ZH
from shared import sheets
from shared.auth import Principal

KINDS_ZH = {"awarded": "奖励核定", "top_up": "晋级补差", "reserved": "预算预留", "released": "预算释放",
            "disbursed": "拨付", "reversed": "冲销（未付驳回）", "clawed_back": "追回",
            "recovered": "追回到账", "written_off": "追回核销"}
LEDGER_HEADER = ["序号", "记账日期", "类型", "奖励编号", "项目", "统一社会信用代码", "收款方", "收款方类型",
                 "金额（元）", "预算年度", "凭证号", "经办", "说明"]
DISBURSEMENT_HEADER = ["序号", "拨付日期", "奖励编号", "项目", "层级", "统一社会信用代码", "收款方", "收款方类型",
                       "金额（元）", "凭证号", "经办"]


def ledger_sheet(s: Session, who: Principal, year: int) -> sheets.Sheet:
    rows = [[x.id, x.booked_on.isoformat(), KINDS_ZH.get(x.kind, x.kind), x.award_id,
             PROGRAMS_ZH.get(x.program, x.program), x.uscc or "", x.payee, x.payee_type, x.amount_yuan,
             x.budget_year or "", x.voucher or "", x.actor, x.note or ""]
            for x in repository.entries(s, who, *year_range(year))]
    return sheets.Sheet(f"{year}年奖励台账", LEDGER_HEADER, rows)


def disbursement_sheet(s: Session, who: Principal, year: int) -> sheets.Sheet:
    rows = [[n, x.booked_on.isoformat(), x.award_id, PROGRAMS_ZH.get(x.program, x.program), tier or "",
             x.uscc or "", x.payee, x.payee_type, x.amount_yuan, x.voucher or "", x.actor]
            for n, (x, tier) in enumerate(repository.disbursements(s, who, *year_range(year)), 1)]
    return sheets.Sheet(f"{year}年拨付清单", DISBURSEMENT_HEADER, rows)


def file(sheet: sheets.Sheet, kind: str, name: str):
    body = sheets.csv(sheet.header, sheet.rows) if kind == "csv" else sheets.xlsx(sheet)
    return sheets.download(body, kind, name)
