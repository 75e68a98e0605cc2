"""Query and path parameters several parks sub-domains share, each with its bilingual description."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Path, Query

from shared.schemas import DAY_BOUNDS

ParkIdPath = Annotated[str, Path(description="园区编号（park- 加 8 位十六进制） / the park's id (park- and 8 hex)")]
On = Annotated[dt.date | None, Query(**DAY_BOUNDS,
                                     description="层级计算日期 YYYY-MM-DD（默认今天） / "
                                                 "YYYY-MM-DD: tiers on this date (default today)")]
