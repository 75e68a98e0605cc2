"""Pure rules of the registry's corrections as awards sees them (no I/O): an enterprise that moved
out or closed (its record's `status`), a certification voided (entered by mistake), and the reasons
written into the awards they touch, in Chinese and English."""
from __future__ import annotations

import datetime as dt

from services.awards.rules import Ineligible

STATUS_ZH = {"moved_out": "迁出本区", "closed": "注销"}


def departed(record) -> bool:
    """The record says the enterprise moved out or closed."""
    return (record.status or "active") != "active"


def here_on(record, on: dt.date) -> bool:
    """Whether the enterprise was still in the district on `on`: a departure with no date stops
    everything; one dated stops what is dated on or after it."""
    return not departed(record) or (record.status_on is not None and on < record.status_on)


def check_here(record, on: dt.date) -> None:
    """No new award for an enterprise whose record shows it left on or before the triggering date."""
    if not here_on(record, on):
        gone = STATUS_ZH.get(record.status, record.status)
        raise Ineligible("departed", f"企业已于 {record.status_on or '（日期未记录）'} {gone}，{on} 的事实不再给予区级奖励",
                         f"The enterprise {record.status} on {record.status_on or '(date not recorded)'}: "
                         f"nothing dated {on} is awarded any more")


def withheld_because(record, reason: str | None = None) -> str:
    """Why an enterprise's unpaid awards are withheld (the award's history and flag say it)."""
    gone = STATUS_ZH.get(record.status, record.status)
    why = f"（{reason}）" if reason else ""
    return (f"企业已于 {record.status_on or '（日期未记录）'} {gone}{why}，未兑付奖励暂停，不再发放 / the enterprise "
            f"{record.status} on {record.status_on or '(date not recorded)'}: its unpaid award is withheld and "
            "will not be paid")


def voided_because(certification_id: int, reason: str, paid: bool) -> str:
    """Why an award resting on a voided certification is withdrawn, or (paid) flagged for the treasury."""
    if paid:
        return (f"所依据的认定 {certification_id} 已作废（{reason}），该奖励已拨付，请财政核处 / certification "
                f"{certification_id} was voided ({reason}): this award was paid, for the treasury to settle")
    return (f"所依据的认定 {certification_id} 已作废（{reason}），奖励撤回 / certification {certification_id} was "
            f"voided ({reason}): the award is withdrawn")
