"""Parks request bodies."""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from shared.schemas import USCC, Body, FactDay, LongText, Text

Township = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
ParkId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
DesignationKind = Literal["srdi_featured"]
IntermediaryKind = Literal["intermediary", "association"]
ServiceCategory = Literal["declaration", "finance", "ip", "legal", "talent", "technology", "training",
                          "market", "other"]


class ParkIn(Body):
    name: Text
    operator_org: Text | None = None
    area_mu: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)] | None = None
    township: Township | None = None


class ParkPatch(Body):
    """Fields to change (null clears an optional one); at least one."""

    name: Text | None = None
    operator_org: Text | None = None
    area_mu: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)] | None = None
    township: Township | None = None

    @model_validator(mode="after")
    def _something(self):
        if not self.model_fields_set:
            raise ValueError("没有要修改的字段 / nothing to change")
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("name 不能为空 / name cannot be cleared")
        return self


class DesignationIn(Body):
    designation: DesignationKind
    designated_on: FactDay
    reason: LongText | None = None


class IncubationIn(Body):
    uscc: USCC
    entered_on: FactDay  # facts, never after today (shared.schemas.FactDay)
    graduated_on: FactDay | None = None
    note: LongText | None = None

    @model_validator(mode="after")
    def _dates(self):
        if self.graduated_on and self.graduated_on < self.entered_on:
            raise ValueError("graduated_on 早于 entered_on / graduated_on is before entered_on")
        return self


class GraduationIn(Body):
    graduated_on: FactDay


class IntermediaryIn(Body):
    name: Text
    kind: IntermediaryKind = "intermediary"
    uscc: USCC | None = None
    contact: Text | None = None


class ServiceRecordIn(Body):
    uscc: USCC
    served_on: FactDay
    category: ServiceCategory
    description: LongText | None = None
    outcome: LongText | None = None  # what the service achieved (成效), e.g. "获批市级专精特新"
    park_id: ParkId | None = None  # a park operator's records are always its own park's
