"""Query parameters that narrow a list, checked as the body fields they match: a USCC filter that is
not a USCC is a bilingual 422 (its reason said), not an empty page that reads as "none found"."""
from __future__ import annotations

from typing import Annotated

from fastapi import Query

from shared.schemas import USCC

UsccFilter = Annotated[USCC | None, Query(description="按企业统一社会信用代码筛选 / only this enterprise's (its USCC)")]


def uscc_filter(description: str):
    """The same filter with its own words (a supplier's USCC, say)."""
    return Annotated[USCC | None, Query(description=description)]
