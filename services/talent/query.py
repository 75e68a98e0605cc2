"""Query parameters the sub-domains share, each with its bilingual description."""
from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import Field


Year = Annotated[int, Field(ge=2000, le=2100)]
YearQuery = Annotated[Year | None, Query(description="年度，如 2026 / the year, e.g. 2026")]
