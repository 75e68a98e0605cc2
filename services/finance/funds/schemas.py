"""Guidance-fund (政府引导基金) request bodies and answers."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import ConfigDict, Field

from shared.schemas import USCC, Body, FactDay, Public, Text
from shared.tiers import Tier

PositiveYuan = Annotated[int, Field(gt=0, le=10**13)]
FUND = {"id": 1, "name": "房山区高精尖产业引导基金", "manager": "北京房山科创投资管理有限公司"}
INVESTMENT = {"id": 5, "fund_id": 1, "uscc": "91110111MA01ABCD2U", "invested_on": "2025-05-20",
              "amount_yuan": 20_000_000, "tier_at_investment": "municipal_srdi"}
PARAMETERS = "引用的政策参数 / the policy parameters cited"


class FundIn(Body):
    """新增引导基金 / A guidance fund to add."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": FUND["name"], "manager": FUND["manager"]}]})

    name: Text = Field(description="基金名称 / fund name")
    manager: Text | None = Field(None, description="基金管理人 / fund manager")


class InvestmentIn(Body):
    """基金对企业的一笔投资 / An investment of the fund in an enterprise."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"uscc": INVESTMENT["uscc"], "invested_on": "2025-05-20", "amount_yuan": 20_000_000}]})

    uscc: USCC = Field(description="统一社会信用代码 / unified social credit code")
    invested_on: FactDay = Field(description="投资日期 / date invested")
    amount_yuan: PositiveYuan = Field(description="投资金额（元）/ amount invested, whole 元")


class FundPublic(Public):
    """引导基金 / A guidance fund."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [FUND]})

    id: int = Field(description="基金编号 / fund id")
    name: str = Field(description="基金名称 / fund name")
    manager: str | None = Field(description="基金管理人 / fund manager")


class FundList(Public):
    """全部引导基金 / Every guidance fund."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{"items": [FUND]}]})

    items: list[FundPublic] = Field(description="引导基金 / the guidance funds")


class InvestmentPublic(Public):
    """一笔投资及企业当日层级 / An investment, with the enterprise's tier on its date (by the registry's record as held now)."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [INVESTMENT]})

    id: int = Field(description="投资记录编号 / investment id")
    fund_id: int = Field(description="基金编号 / fund id")
    uscc: str = Field(description="统一社会信用代码 / unified social credit code")
    invested_on: dt.date = Field(description="投资日期 / date invested")
    amount_yuan: int = Field(description="投资金额（元）/ amount invested, whole 元")
    tier_at_investment: Tier = Field(description="投资日企业层级 / the enterprise's tier on the investment date")


class FundDetail(FundPublic):
    """引导基金及其投资 / A fund with its investments."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {**FUND, "investments": [INVESTMENT]}]})

    investments: list[InvestmentPublic] = Field(description="投资记录 / the fund's investments")


class TierOn(Public):
    """投资日企业所处层级 / The enterprise's tier on an investment's date."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"on": "2025-05-20", "tier": "municipal_srdi"}]})

    on: dt.date = Field(description="投资日期 / date invested")
    tier: Tier = Field(description="当日层级 / the tier that day")


class ShareItem(Public):
    """被投企业及其是否为专精特新企业 / An enterprise invested in, and whether it counts as SRDI."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"uscc": INVESTMENT["uscc"], "srdi": True, "first_invested_on": "2025-05-20",
         "tiers": [{"on": "2025-05-20", "tier": "municipal_srdi"}], "name": "北京房山精密智造科技有限公司"}]})

    uscc: str = Field(description="统一社会信用代码 / unified social credit code")
    srdi: bool = Field(description="是否计为专精特新企业 / counts as SRDI")
    first_invested_on: dt.date = Field(description="首次投资日期 / first investment date")
    tiers: list[TierOn] = Field(description="各次投资日的层级 / the tier on each investment's date")
    name: str | None = Field(description="企业名称 / enterprise name")


class FundReport(Public):
    """被投企业中专精特新企业占比 / The share of SRDI enterprises among those invested in, against the floor."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"fund_id": 1, "on": "2025-12-31", "enterprises": 1, "srdi_enterprises": 1, "share_bp": 10_000,
         "floor_bp": 6_000, "min_tier": "municipal_srdi", "meets_floor": True,
         "items": ShareItem.model_config["json_schema_extra"]["examples"], "parameters": []}]})

    fund_id: int | None = Field(description="基金编号（全部基金时为空）/ fund id (null for all funds)")
    on: dt.date = Field(description="统计日期 / the date of the report")
    enterprises: int = Field(description="被投企业数 / enterprises invested in")
    srdi_enterprises: int = Field(description="其中专精特新企业数 / of which SRDI")
    share_bp: int = Field(description="专精特新企业占比，基点 / the SRDI share, basis points")
    floor_bp: int = Field(description="占比下限，基点 / the floor, basis points")
    min_tier: Tier = Field(description="计为专精特新的最低层级 / the lowest tier counted as SRDI")
    meets_floor: bool = Field(description="是否达到下限 / meets the floor")
    items: list[ShareItem] = Field(description="被投企业 / the enterprises invested in")
    parameters: list[dict] = Field(description=PARAMETERS)
