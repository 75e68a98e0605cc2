"""Product request body and answer."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from shared.schemas import Body, LongText, Public, Text

ProductKind = Literal["loan", "guarantee", "insurance"]  # 专精特新贷 / 专精特新保 / 专精特新险
InsuranceType = Literal["credit_guarantee", "first_batch"]  # 信用保证保险 / 新技术首批次保险
OrgCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]

KIND = "产品类别：loan 专精特新贷、guarantee 专精特新保、insurance 专精特新险 / product kind: loan, guarantee or insurance"
INSURANCE = ("保险类型（仅保险产品）：credit_guarantee 信用保证保险、first_batch 新技术首批次保险 / "
             "insurance type (insurance products only): credit guarantee or first-batch insurance")
EXAMPLE = {"kind": "guarantee", "name": "专精特新保·科创担保", "provider_org": "BJ-GUARANTEE",
           "description": "面向专精特新企业的政府性融资担保产品", "insurance_type": None}


class ProductIn(Body):
    """新增金融产品 / A product to add to the catalogue."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    kind: ProductKind = Field(description=KIND)
    name: Text = Field(description="产品名称 / product name")
    provider_org: OrgCode = Field(description="提供机构代码（银行、担保机构或保险公司）/ the provider's org code "
                                              "(bank, guarantor or insurer)")
    description: LongText | None = Field(None, description="产品说明 / description")
    insurance_type: InsuranceType | None = Field(None, description=INSURANCE)

    @model_validator(mode="after")
    def _insurance_type(self):
        if (self.kind == "insurance") != (self.insurance_type is not None):
            raise ValueError("保险类型仅且必须用于保险产品 / insurance_type is required for insurance products "
                             "and only for them")
        return self


class ProductPublic(Public):
    """金融产品 / A product of the catalogue."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"id": 3, **EXAMPLE, "active": True}]})

    id: int = Field(description="产品编号 / product id")
    kind: ProductKind = Field(description=KIND)
    name: str = Field(description="产品名称 / product name")
    provider_org: str = Field(description="提供机构代码 / the provider's org code")
    insurance_type: InsuranceType | None = Field(description=INSURANCE)
    description: str | None = Field(description="产品说明 / description")
    active: bool = Field(description="是否在售 / offered now")
