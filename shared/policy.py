"""The policy endpoints every service has: parameters in force on a date, their history, and a
new version from a date (never an edit of history). Mounted by shared.app for every service;
who may add a version is the service's `policy_writers`."""
# No `from __future__ import annotations` here: the role aliases are made inside policy_router,
# and FastAPI must see them as objects, not as names to look up in this module.

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import ConfigDict, Field
from sqlalchemy import select

from shared import audit
from shared.auth import ROLES, Caller
from shared.clock import today
from shared.errors import Problem, field_error
from shared.schemas import Body, Day, LongText, Public, UtcTime
from shared.sessions import ReadSession, WriteSession
from shared.tables import PolicyParameter

Key = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[a-z0-9_.]+$",
                           description="参数键，如 award.tier.municipal_srdi / the parameter's key")]
EXAMPLE = {"id": 7, "key": "award.tier.municipal_srdi", "value": 200000, "effective_from": "2025-01-01",
           "legal_ref": "《房山区促进专精特新中小企业高质量发展若干措施》第三条", "set_by": "econ:fsjxj:li",
           "set_at": "2025-01-02T01:00:00Z"}


class PolicyVersionIn(Body):
    """参数的新版本，自某日起生效 / A new version of a parameter, in force from a date."""

    key: Key
    value: Any = Field(description="取值，类型须与现行版本一致（金额为整数元） / the value, of the current "
                                   "version's kind (money in whole 元)")
    effective_from: Day = Field(description="生效日期 / in force from this date")
    legal_ref: LongText = Field(description="政策依据 / the legal reference")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {k: EXAMPLE[k] for k in ("key", "value", "effective_from", "legal_ref")}]})


class PolicyVersion(Public):
    """参数的一个版本 / One version of a policy parameter."""

    id: int = Field(description="版本编号 / the version's id")
    key: str = Field(description="参数键 / the parameter's key")
    value: Any = Field(description="取值 / the value")
    effective_from: dt.date = Field(description="生效日期 / in force from this date")
    legal_ref: str = Field(description="政策依据 / the legal reference")
    set_by: str = Field(description="设定人（角色:机构:用户） / who set it (role:org:user)")
    set_at: UtcTime = Field(description="设定时间（UTC） / when it was set (UTC)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [EXAMPLE]})


class PolicyInForce(Public):
    on: dt.date = Field(description="所问日期 / the date asked")
    parameters: list[PolicyVersion] = Field(description="当日生效的各参数版本 / the versions in force that day")
    model_config = ConfigDict(json_schema_extra={"examples": [{"on": "2026-12-02", "parameters": [EXAMPLE]}]})


class PolicyHistory(Public):
    items: list[PolicyVersion] = Field(description="各参数的全部版本 / every version of the parameters")
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [EXAMPLE]}]})


def row_dict(p: PolicyParameter) -> dict:
    return PolicyVersion.model_validate(p).model_dump(mode="json")


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

    @r.get("/policy", summary="某日生效的政策参数 / The policy parameters in force on a date")
    def policy_on(_: Reader, session: ReadSession,
                  on: Annotated[dt.date | None, Query(description="日期 YYYY-MM-DD，默认今天 / the date; default today")] = None
                  ) -> PolicyInForce:
        """某日生效的每个参数及其政策依据。/ Every parameter in force on a date, with its legal reference."""
        day = on or today()
        return PolicyInForce(on=day, parameters=[PolicyVersion.model_validate(p) for p in in_force_rows(session, day)])

    @r.get("/policy/history", summary="参数的全部版本 / Every version of the parameters")
    def policy_history(_: Reader, session: ReadSession, key: Annotated[Key | None, Query(
            description="只看此参数 / only this parameter")] = None) -> PolicyHistory:
        """全部参数（或一个参数）的每个版本，按键与生效日期排列。/ Every version of every parameter (or
        of one), by key and date."""
        stmt = select(PolicyParameter).order_by(PolicyParameter.key, PolicyParameter.effective_from)
        if key:
            stmt = stmt.where(PolicyParameter.key == key)
        return PolicyHistory(items=[PolicyVersion.model_validate(p) for p in session.scalars(stmt)])

    @r.put("/policy", status_code=201, summary="新增参数版本 / Add a version of a parameter from a date",
           responses={404: {"description": "没有该参数 / no such parameter"},
                      409: {"description": "该日期已有版本，历史不可修改 / a version from that date exists"}})
    def add_policy_version(body: PolicyVersionIn, who: Writer, session: WriteSession) -> PolicyVersion:
        """自某日起生效的新版本；历史从不修改，同日已有版本为 409。/ A new version from a date;
        history is never edited (a version on the same date is 409)."""
        return PolicyVersion.model_validate(add_version(session, who.actor, body, validate))

    return r
