"""The policy endpoints every service has: parameters in force on a date, their history, and a
new version from a date (never an edit of history). Mounted by shared.app for every service;
who may add a version is the service's `policy_writers`."""
# No `from __future__ import annotations` here: the role aliases are made inside policy_router,
# and FastAPI must see them as objects, not as names to look up in this module.

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import select

from shared import audit
from shared.auth import ROLES, Caller
from shared.clock import today
from shared.errors import Problem, field_error
from shared.schemas import Body, Day, LongText
from shared.tables import PolicyParameter

Key = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[a-z0-9_.]+$")]


class PolicyVersionIn(Body):
    key: Key
    value: Any
    effective_from: Day
    legal_ref: LongText


def row_dict(p: PolicyParameter) -> dict:
    return {"id": p.id, "key": p.key, "value": p.value, "effective_from": p.effective_from.isoformat(),
            "legal_ref": p.legal_ref, "set_by": p.set_by, "set_at": p.set_at.isoformat() + "Z"}


def same_kind(old: Any, new: Any) -> bool:
    """A new version keeps the value's kind: whole numbers stay whole and not negative (money is
    integer 元), text stays text, a table keeps its fields."""
    if isinstance(old, bool) or isinstance(new, bool):
        return isinstance(old, bool) and isinstance(new, bool)
    if isinstance(old, int):
        return isinstance(new, int) and new >= 0
    if isinstance(old, dict):
        return isinstance(new, dict) and set(new) == set(old) and all(same_kind(old[k], new[k]) for k in old)
    return type(old) is type(new)


def in_force_rows(s, on: dt.date) -> list[PolicyParameter]:
    latest: dict[str, PolicyParameter] = {}
    for p in s.scalars(select(PolicyParameter).where(PolicyParameter.effective_from <= on)
                       .order_by(PolicyParameter.key, PolicyParameter.effective_from)):
        latest[p.key] = p
    return list(latest.values())


# A service's own check of a new value: returns why it is refused (Chinese, English), or None.
Validator = Callable[[str, Any], tuple[str, str] | None]


def add_version(s, actor: str, body: PolicyVersionIn, validate: Validator | None = None) -> PolicyParameter:
    history = list(s.scalars(select(PolicyParameter).where(PolicyParameter.key == body.key)
                             .order_by(PolicyParameter.effective_from)))
    if not history:
        raise Problem(404, "unknown-parameter", f"没有名为 {body.key} 的参数",
                      f"No parameter named {body.key}: new parameters come with the code that uses them")
    if any(p.effective_from == body.effective_from for p in history):
        raise Problem(409, "version-exists", f"{body.key} 在 {body.effective_from} 已有版本；历史不可修改",
                      f"{body.key} already has a version from {body.effective_from}; history is never edited")
    if not same_kind(history[-1].value, body.value):
        raise field_error("value", f"取值类型须与现行版本一致（{history[-1].value!r}）",
                          f"must be of the same kind as the current version ({history[-1].value!r})")
    if validate is not None and (why := validate(body.key, body.value)) is not None:
        raise field_error("value", why[0], why[1])
    row = PolicyParameter(key=body.key, value=body.value, effective_from=body.effective_from,
                          legal_ref=body.legal_ref, set_by=actor)
    s.add(row)
    s.flush()
    audit.record(s, actor, "policy.version", "policy_parameter", str(row.id), None, row_dict(row))
    return row


def policy_router(writers: tuple[str, ...], validate: Validator | None = None) -> APIRouter:
    r = APIRouter(tags=["policy"])
    Reader = Caller(*ROLES)  # policy is public to every signed-in caller
    Writer = Caller(*writers)

    @r.get("/policy", summary="The policy parameters in force on a date, with legal references")
    def policy_on(request: Request, _: Reader,
                  on: Annotated[dt.date | None, Query(description="YYYY-MM-DD; default today")] = None):
        day = on or today()
        with request.app.state.db.reader() as s:
            return {"on": day.isoformat(), "parameters": [row_dict(p) for p in in_force_rows(s, day)]}

    @r.get("/policy/history", summary="Every version of the parameters (or of one key)")
    def policy_history(request: Request, _: Reader, key: Annotated[Key | None, Query()] = None):
        stmt = select(PolicyParameter).order_by(PolicyParameter.key, PolicyParameter.effective_from)
        if key:
            stmt = stmt.where(PolicyParameter.key == key)
        with request.app.state.db.reader() as s:
            return {"items": [row_dict(p) for p in s.scalars(stmt)]}

    @r.put("/policy", status_code=201, summary="Add a version of a parameter from a date")
    def add_policy_version(body: PolicyVersionIn, request: Request, who: Writer):
        with request.app.state.db.transaction() as s:
            return row_dict(add_version(s, who.actor, body, validate))

    return r

