"""Keyset pagination: `?limit=` (≤ 500) and an opaque `?cursor=` holding the last key seen."""
from __future__ import annotations

import base64
from typing import Annotated

from fastapi import Query

from shared.errors import Problem

Limit = Annotated[int, Query(ge=1, le=500, description="每页条数，至多 500 / page size, at most 500")]
Cursor = Annotated[str | None, Query(max_length=500, description="上一页答复中的 next_cursor / the next_cursor of "
                                                                 "the previous page")]


def encode(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def decode(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        key = base64.b64decode(cursor.encode(), altchars=b"-_", validate=True).decode()
        if not key:
            raise ValueError("empty cursor")
        return key
    except Exception as e:  # noqa: BLE001
        raise bad_cursor() from e


def bad_cursor() -> Problem:
    return Problem(422, "bad-cursor", "分页游标无效", "The cursor is not one this API gave out",
                   errors=[{"loc": ["query", "cursor"], "msg": "invalid cursor", "type": "bad-cursor"}])


def is_id(key: str) -> bool:
    """An id as a cursor holds it: ASCII digits that fit 64 bits ("²" is a digit to isdigit(), not to int())."""
    return key.isascii() and key.isdigit() and len(key) <= 18


def decode_id(cursor: str | None) -> int | None:
    """A cursor holding the last id seen; anything else is the bad-cursor problem."""
    key = decode(cursor)
    if key is None:
        return None
    if not is_id(key):
        raise bad_cursor()
    return int(key)


def decode_pair(cursor: str | None, first, second=str) -> tuple | None:
    """A cursor holding a two-part key "a|b" (a date and an id, say), each part read by its parser
    (`first`, `second`); anything else is the bad-cursor problem."""
    key = decode(cursor)
    if key is None:
        return None
    a, _, b = key.partition("|")
    try:
        return first(a), second(b)
    except ValueError as e:
        raise bad_cursor() from e


def keyset(stmt, column, after, limit: int):
    """One keyset page by `column` after the cursor's key: limit + 1 rows (`page` cuts the extra off)."""
    if after is not None:
        stmt = stmt.where(column > after)
    return stmt.order_by(column).limit(limit + 1)


def page(items: list, limit: int, key) -> dict:
    """`items` were fetched with limit + 1: the extra one says whether a next page exists."""
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next_cursor": encode(key(items[-1])) if more and items else None}
