"""Service-list answers."""
from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from shared.contracts.finance import REMOVAL_REASON
from shared.schemas import Public
from shared.tiers import Tier


class ServiceListItem(Public):
    """An enterprise on the 专精特新企业服务名单. `listed` and `removed_on` appear in the sync view
    (`?changed_since=`) and on one entry; the plain list holds only listed enterprises."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"uscc": "91110111MA01ABCD2U", "name": "北京房山精密智造科技有限公司", "tier": "municipal_srdi",
         "since": "2025-06-01", "removed_on": None, "listed": True, "removed_reason": None}]})

    uscc: str = Field(description="统一社会信用代码 / unified social credit code")
    name: str = Field(description="企业名称 / enterprise name")
    tier: Tier = Field(description="当日层级 / the enterprise's tier on the day asked")
    since: dt.date | None = Field(description="本次（或最近一次）列入名单的日期 / first day of the current "
                                              "(or the last) period on the list")
    removed_on: dt.date | None = Field(None, description="移出名单日期（仍在名单时为空）/ first day off the list "
                                                         "(null while listed)")
    listed: bool = Field(True, description="当日是否在名单上 / on the list on the day asked")
    removed_reason: str | None = Field(None, description=REMOVAL_REASON)


class RebuildPublic(Public):
    """名单重新判定的结果 / How many entries changed when the list was re-judged."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{"changed": 3}]})

    changed: int = Field(description="变更（并已通知银行）的条目数 / entries that changed (each announced to the banks)")
