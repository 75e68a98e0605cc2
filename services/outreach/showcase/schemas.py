"""The showcase (新技术新产品目录): products and buyers' interest, request bodies and answers."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from services.outreach.contracts.schemas import BUYER, SUPPLIER
from shared.schemas import USCC, Body, LongText, Public, Text, UtcTime

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Maturity = Literal["research", "pilot", "mass_production", "deployed"]
MATURITY = "成熟度：research 研发、pilot 中试、mass_production 量产、deployed 已应用 / research, pilot, mass " \
           "production or deployed"


class ProductIn(Body):
    """产品目录中的一项新技术或新产品 / A new technology or product for the showcase."""

    uscc: USCC = Field(description="供给企业统一社会信用代码 / the supplying enterprise's unified social credit code")
    name: Text = Field(description="产品或技术名称 / the product's or technology's name")
    kind: Literal["technology", "product"] = Field("product", description="technology 技术、product 产品 / a "
                                                                          "technology or a product")
    category: Short = Field(description="类别 / the category")
    maturity: Maturity = Field(description=MATURITY)
    certifications: Annotated[list[Text], Field(max_length=20)] = Field(
        [], description="资质与认证（至多 20 项）/ certifications held (at most 20)")
    references: Annotated[list[Text], Field(max_length=20)] = Field(
        [], description="应用案例（至多 20 项）/ reference deployments (at most 20)")
    description: LongText | None = Field(None, description="介绍 / a description")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"uscc": SUPPLIER, "name": "新型储能系统", "kind": "product", "category": "新能源", "maturity": "mass_production",
         "certifications": ["CE", "高新技术产品"], "references": ["良乡供热站"], "description": "磷酸铁锂电池储能柜"}]})


class InterestIn(Body):
    """采购方对产品的意向（企业或部门，二者填一）/ A buyer's interest (an enterprise or a department)."""

    buyer_uscc: USCC | None = Field(None, description="采购企业统一社会信用代码（须在企业库中且不是供给企业）/ the "
                                                      "buying enterprise's USCC (in the registry, not the supplier)")
    buyer_department: Text | None = Field(None, description="采购部门 / the buying department")
    note: LongText | None = Field(None, description="备注 / a note")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"buyer_uscc": BUYER, "buyer_department": None, "note": "拟用于园区微电网"}]})

    @model_validator(mode="after")
    def _one_buyer(self):
        if not (self.buyer_uscc or self.buyer_department):
            raise ValueError("须填写采购企业或采购部门之一 / give buyer_uscc or buyer_department")
        return self


PRODUCT = {"id": 3, "uscc": SUPPLIER, "name": "新型储能系统", "kind": "product", "category": "新能源",
           "maturity": "mass_production", "certifications": ["CE"], "references": ["良乡供热站"],
           "description": "磷酸铁锂电池储能柜", "created_at": "2026-03-01T02:00:00Z"}
INTEREST = {"id": 5, "product_id": 3, "buyer_uscc": BUYER, "buyer_department": None, "note": "拟用于园区微电网",
            "created_at": "2026-03-05T03:00:00Z"}


class ProductPublic(Public):
    """产品目录中的一项 / A showcase entry."""

    id: int = Field(description="产品编号 / the entry's id")
    uscc: str = Field(description="供给企业统一社会信用代码 / the supplying enterprise's USCC")
    name: str = Field(description="名称 / the name")
    kind: str = Field(description="technology 技术、product 产品 / a technology or a product")
    category: str = Field(description="类别 / the category")
    maturity: str = Field(description=MATURITY)
    certifications: list[str] = Field(description="资质与认证 / certifications held")
    references: list[str] = Field(description="应用案例 / reference deployments")
    description: str | None = Field(description="介绍 / a description")
    created_at: UtcTime = Field(description="登记时间（UTC）/ when it was added (UTC)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [PRODUCT]})


class InterestPublic(Public):
    """采购方的一条意向 / A buyer's interest."""

    id: int = Field(description="意向编号 / the interest's id")
    product_id: int = Field(description="产品编号 / the product")
    buyer_uscc: str | None = Field(description="采购企业统一社会信用代码 / the buying enterprise's USCC")
    buyer_department: str | None = Field(description="采购部门 / the buying department")
    note: str | None = Field(description="备注 / a note")
    created_at: UtcTime = Field(description="登记时间（UTC）/ when it was recorded (UTC)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [INTEREST]})


class ProductDetail(ProductPublic):
    """产品及采购方意向 / A showcase entry with the interest expressed in it."""

    interests: list[InterestPublic] = Field(description="采购方意向 / the interest expressed, by id")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{**PRODUCT,
                                                                                      "interests": [INTEREST]}]})
