"""The policy endpoints every service has: parameters in force on a date, their history, and a
new version from a date (never an edit of history), and the withdrawal of a version not yet in
force (a typo in a future amount: the row is kept and marked, every lookup ignores it, and its
date is free for the corrected version). Mounted by shared.app for every service; who may add or
withdraw a version is the service's `policy_writers`."""
# No `from __future__ import annotations` here: the role aliases are made inside policy_router,
# and FastAPI must see them as objects, not as names to look up in this module.

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import ConfigDict, Field
from sqlalchemy import select

from shared import audit, params
from shared.auth import ROLES, Caller
from shared.clock import today
from shared.db import utcnow
from shared.errors import Problem, field_error, not_found
from shared.schemas import Body, Day, LongText, Public, RowId, UtcTime
from shared.sessions import ReadSession, WriteSession
from shared.tables import PolicyParameter

Key = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[a-z0-9_.]+$",
                           description="参数键，如 award.tier.municipal_srdi / the parameter's key")]
EXAMPLE = {"id": 7, "key": "award.tier.municipal_srdi", "value": 200000, "effective_from": "2025-01-01",
           "legal_ref": "《房山区促进专精特新中小企业高质量发展若干措施》第三条", "set_by": "econ:fsjxj:li",
           "set_at": "2025-01-02T01:00:00Z", "withdrawn_at": None, "withdrawn_by": None, "withdraw_reason": None}
WITHDRAWN = {**EXAMPLE, "id": 12, "value": 2000000, "effective_from": "2027-01-01", "set_at": "2026-12-02T01:00:00Z",
             "withdrawn_at": "2026-12-02T02:00:00Z", "withdrawn_by": "econ:-:li",
             "withdraw_reason": "金额多录一个零，应为 200000 元"}


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
    withdrawn_at: UtcTime | None = Field(None, description="撤回时间（UTC），未撤回为空；已撤回的版本不生效 / when it "
                                                           "was withdrawn (UTC), or null; a withdrawn version is never in force")
    withdrawn_by: str | None = Field(None, description="撤回人（角色:机构:用户） / who withdrew it (role:org:user)")
    withdraw_reason: str | None = Field(None, description="撤回理由 / why it was withdrawn")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [EXAMPLE, WITHDRAWN]})


class PolicyWithdrawIn(Body):
    """撤回尚未生效的参数版本 / Withdraw a version that is not yet in force."""

    reason: LongText = Field(description="撤回理由（如：金额录入错误） / why (a mistyped amount, say)")
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "金额多录一个零，应为 200000 元"}]})


class PolicyInForce(Public):
    on: dt.date = Field(description="所问日期 / the date asked")
    parameters: list[PolicyVersion] = Field(description="当日生效的各参数版本 / the versions in force that day")
    model_config = ConfigDict(json_schema_extra={"examples": [{"on": "2026-12-02", "parameters": [EXAMPLE]}]})


class PolicyHistory(Public):
    items: list[PolicyVersion] = Field(description="各参数的全部版本，含已撤回的（附理由） / every version of the "
                                                   "parameters, withdrawn ones too (with the reason)")
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [EXAMPLE, WITHDRAWN]}]})


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
    for p in s.scalars(select(PolicyParameter).where(PolicyParameter.effective_from <= on, params.LIVE)
                       .order_by(PolicyParameter.key, PolicyParameter.effective_from)):
        latest[p.key] = p
    return list(latest.values())


# A service's own check of a new value: returns why it is refused (Chinese, English), or None.
Validator = Callable[[str, Any], tuple[str, str] | None]


def add_version(s, actor: str, body: PolicyVersionIn, validate: Validator | None = None) -> PolicyParameter:
    every = list(s.scalars(select(PolicyParameter).where(PolicyParameter.key == body.key)
                           .order_by(PolicyParameter.effective_from)))
    history = [p for p in every if p.withdrawn_at is None] or every  # a withdrawn version counts for nothing
    if not history:
        raise Problem(404, "unknown-parameter", f"没有名为 {body.key} 的参数",
                      f"No parameter named {body.key}: new parameters come with the code that uses them")
    if any(p.effective_from == body.effective_from and p.withdrawn_at is None for p in history):
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


def withdraw(s, actor: str, version_id: int, reason: str, on: dt.date) -> PolicyParameter:
    """Withdraw a version whose date is after `on` (today): kept and marked, never in force. One
    already in force is history (409: a new version corrects it); one withdrawn stays withdrawn."""
    row = s.get(PolicyParameter, version_id, with_for_update=True)
    if row is None:
        raise not_found("参数版本", "Policy parameter version", str(version_id))
    if row.withdrawn_at is not None:
        raise Problem(409, "version-withdrawn", f"该版本已于 {row.withdrawn_at:%Y-%m-%d} 撤回",
                      f"This version was already withdrawn on {row.withdrawn_at:%Y-%m-%d}")
    if row.effective_from <= on:
        raise Problem(409, "version-in-force", "已生效的参数不能撤回，请发布新版本",
                      f"A version in force since {row.effective_from} cannot be withdrawn: add a new version")
    before = row_dict(row)
    row.withdrawn_at, row.withdrawn_by, row.withdraw_reason = utcnow(), actor, reason
    s.flush()
    audit.record(s, actor, "policy.withdraw", "policy_parameter", str(row.id), before, row_dict(row))
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
        """全部参数（或一个参数）的每个版本，按键与生效日期排列；已撤回的版本也在内，附撤回人与理由。/ Every
        version of every parameter (or of one), by key and date; withdrawn ones too, with who and why."""
        stmt = select(PolicyParameter).order_by(PolicyParameter.key, PolicyParameter.effective_from,
                                                PolicyParameter.id)
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

    @r.post("/policy/{version_id}/withdraw", summary="撤回尚未生效的参数版本 / Withdraw a version not yet in force",
            responses={404: {"description": "没有该版本 / no such version"},
                       409: {"description": "已生效（请发布新版本）或已撤回 / in force already (add a new "
                                            "version) or withdrawn already"}})
    def withdraw_policy_version(
            version_id: Annotated[RowId, Path(description="参数版本编号 / the version's id")],
            body: PolicyWithdrawIn, who: Writer, session: WriteSession) -> PolicyVersion:
        """只能撤回生效日期晚于今天的版本：保留记录并标注撤回人、时间与理由，此后任何查询均不采用；其日期可再发布更正后的版本。
        已生效的版本为 409（请发布新版本）。/ Only a version whose date is after today: the row is kept,
        marked with who, when and why, and no lookup uses it again; its date is free for the corrected
        version. One already in force is 409 (add a new version)."""
        return PolicyVersion.model_validate(withdraw(session, who.actor, version_id, body.reason, today()))

    return r
