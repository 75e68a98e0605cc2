"""Query parameters the sub-domains share, each with its bilingual description.

`Limit` and `Cursor` repeat shared.pagination's bounds with bilingual descriptions until
shared.pagination's own are bilingual (then they are shared.pagination's again)."""
from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import Field

from shared import pagination

Year = Annotated[int, Field(ge=2000, le=2100)]
UsccQuery = Annotated[str | None, Query(max_length=18, description="统一社会信用代码 / unified social credit code")]
YearQuery = Annotated[Year | None, Query(description="年度，如 2026 / the year, e.g. 2026")]
Limit = Annotated[pagination.Limit, Query(ge=1, le=500, description="每页条数，至多 500 / page size, at most 500")]
Cursor = Annotated[pagination.Cursor, Query(max_length=500, description="上一页答复中的 next_cursor / "
                                                                        "next_cursor of the previous page")]
