"""Query parameters the sub-domains share, each with its bilingual description."""
from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import Field

Year = Annotated[int, Field(ge=2000, le=2100)]
UsccQuery = Annotated[str | None, Query(max_length=18, description="统一社会信用代码 / unified social credit code")]
YearQuery = Annotated[Year | None, Query(description="年度，如 2026 / the year, e.g. 2026")]
