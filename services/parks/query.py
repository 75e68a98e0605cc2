"""Query and path parameters several parks sub-domains share, each with its bilingual description.

`Limit` and `Cursor` repeat shared.pagination's bounds with bilingual descriptions until
shared.pagination carries them itself (its own descriptions are English only); the cursor code
stays shared.pagination's."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Path, Query

from shared import pagination

Limit = Annotated[pagination.Limit, Query(ge=1, le=500, description="每页条数，至多 500 / page size, at most 500")]
Cursor = Annotated[pagination.Cursor, Query(max_length=500, description="上一页的 next_cursor / "
                                                                        "next_cursor of the previous page")]
ParkIdPath = Annotated[str, Path(description="园区编号（park- 加 8 位十六进制） / the park's id (park- and 8 hex)")]
On = Annotated[dt.date | None, Query(ge=dt.date(1949, 10, 1), le=dt.date(2100, 12, 31),
                                     description="层级计算日期 YYYY-MM-DD（默认今天） / "
                                                 "YYYY-MM-DD: tiers on this date (default today)")]
