"""The policy endpoints every service has: parameters in force on a date, their history, and a
new version from a date (never an edit of history) — of one parameter, or of several from one date
and one legal reference, all recorded or none —, and the withdrawal of a version not yet in
force (a typo in a future amount: the row is kept and marked, every lookup ignores it, and its
date is free for the corrected version). Mounted by shared.app for every service; who may add or
withdraw a version is the service's `policy_writers`."""
# No `from __future__ import annotations` here: the role aliases are made inside policy_router,
# and FastAPI must see them as objects, not as names to look up in this module.

import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import ConfigDict, Field
from sqlalchemy import select

from shared import audit, params
from shared.auth import ROLES, Caller
from shared.clock import today
from shared.db import utcnow
from shared.errors import Problem, field_error, not_found
from shared.schemas import CONTROL, Body, Day, LongText, Public, RowId, UtcTime
from shared.sessions import ReadSession, WriteSession
from shared.tables import PolicyParameter
from shared.validators import code_error, whole_number_error

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


class PolicyVersionsIn(Body):
    """政策的新版本：自同一日期起、依同一政策依据改变若干参数；全部记录或全部不记录 / A new version of
    the policy: several parameters changed from one date on one legal reference; all recorded or none."""

    effective_from: Day = Field(description="生效日期 / in force from this date")
    legal_ref: LongText = Field(description="政策依据 / the legal reference")
    values: dict[Key, Any] = Field(min_length=1, max_length=200, description=(
        "要改变的参数及其新值（键 → 取值），类型须与各参数现行版本一致 / the parameters to change and their "
        "new values (key → value), each of its current version's kind"))
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"effective_from": "2027-01-01", "legal_ref": "《房山区促进专精特新中小企业高质量发展若干措施》第三条",
         "values": {"award.tier.municipal_srdi": 200000, "award.tier.municipal_little_giant": 400000}}]})


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


class PolicyVersions(Public):
    items: list[PolicyVersion] = Field(description="新记录的各参数版本，按键排列 / the versions recorded, by key")
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [EXAMPLE]}]})


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
# A service's check of its policy as a whole, on every date, after a change is written (in the same
# transaction): parameters that hold only together (two shares that may not exceed 100 %). Returns
# why the change is refused (Chinese, English), or None; a refusal undoes the change.
Consistency = Callable[[Any], tuple[str, str] | None]


def _consistent(s, consistency: Consistency | None) -> None:
    if consistency is not None and (why := consistency(s)) is not None:
        raise Problem(422, "inconsistent-policy", f"参数之间不一致，未记录：{why[0]}",
                      f"The parameters would not hold together; nothing recorded: {why[1]}")


def _control(value: Any) -> str | None:
    """A control or invalid character anywhere in a value's text (a table's or list's too), or None."""
    if isinstance(value, str):
        return (m := CONTROL.search(value)) and m.group()
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list):
        return next((bad for v in value if (bad := _control(v)) is not None), None)
    return None


def _finite(value: Any) -> bool:
    """No NaN or Infinity anywhere in a value (a table's or list's too): JSON has no such numbers."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


# Parameters whose value is a code, or a list or table of codes (a listing board, a notice channel,
# a department, a tier): key → {code: its name in Chinese}. A service declares its own
# (ServiceSpec.policy_codes); a code it does not know is refused, so a label typed for a code
# (主板 for main) or a channel that does not exist never becomes a version that looks good.
Codes = Mapping[str, Mapping[str, str]]
# Parameters whose whole numbers (a count, days, months, seconds; a table's too) lie in a range:
# key, or a prefix ending in "." for every key under it → (least, most). A kind alone lets 0 seconds
# between polls or a quota granted for a million years through (ServiceSpec.policy_ranges).
Ranges = Mapping[str, tuple[int, int]]


def range_of(ranges: Ranges, key: str) -> tuple[int, int] | None:
    """The range of `key`: its own, else that of the longest prefix it falls under."""
    if key in ranges:
        return ranges[key]
    under = [p for p in ranges if p.endswith(".") and key.startswith(p)]
    return ranges[max(under, key=len)] if under else None


def checked(codes: Codes, ranges: Ranges, validate: Validator | None = None) -> Validator | None:
    """A service's Validator that first checks its coded parameters against their codes and its
    counted ones against their ranges, then asks the service's own check."""
    if not codes and not ranges:
        return validate

    def check(key: str, value: Any) -> tuple[str, str] | None:
        if key in codes and (why := code_error(value, codes[key])) is not None:
            return f"参数值无效：{why[0]}", f"invalid value: {why[1]}"
        if (bounds := range_of(ranges, key)) is not None and (why := whole_number_error(value, *bounds)) is not None:
            return f"参数值无效：{why[0]}", f"invalid value: {why[1]}"
        return validate(key, value) if validate is not None else None
    return check


def refusal(s, key: str, value: Any, effective_from: dt.date,
            validate: Validator | None = None) -> tuple[int, str, str, str] | None:
    """Why a new version of `key` is refused — (status, code, Chinese, English), said of the
    parameter without naming it (an error's loc names it) — or None: no such parameter (404), a
    version from that date already (409: history is never edited), a value of another kind than the
    current version's or one the service's own check refuses (422)."""
    every = list(s.scalars(select(PolicyParameter).where(PolicyParameter.key == key)
                           .order_by(PolicyParameter.effective_from)))
    history = [p for p in every if p.withdrawn_at is None] or every  # a withdrawn version counts for nothing
    if not history:
        return (404, "unknown-parameter", "没有该参数",
                "no such parameter: new parameters come with the code that uses them")
    if any(p.effective_from == effective_from and p.withdrawn_at is None for p in history):
        return (409, "version-exists", f"在 {effective_from} 已有版本；历史不可修改",
                f"already has a version from {effective_from}; history is never edited")
    if not _finite(value):
        return (422, "invalid-field", "含有非有限数值（NaN 或 Infinity），不能保存",
                "contains a number that is not finite (NaN or Infinity), which cannot be stored")
    if (bad := _control(value)) is not None:
        return (422, "invalid-field", f"含有控制字符或无效字符 U+{ord(bad):04X}，不能保存",
                f"contains the control or invalid character U+{ord(bad):04X}, which cannot be stored")
    if not same_kind(history[-1].value, value):
        return (422, "invalid-field", f"取值类型须与现行版本一致（{history[-1].value!r}）",
                f"must be of the same kind as the current version ({history[-1].value!r})")
    if validate is not None and (why := validate(key, value)) is not None:
        return 422, "invalid-field", why[0], why[1]
    return None


def _record(s, actor: str, key: str, value: Any, effective_from: dt.date, legal_ref: str) -> PolicyParameter:
    row = PolicyParameter(key=key, value=value, effective_from=effective_from, legal_ref=legal_ref, set_by=actor)
    s.add(row)
    s.flush()
    params.changed(s)
    audit.record(s, actor, "policy.version", "policy_parameter", str(row.id), None, row_dict(row))
    return row


def add_version(s, actor: str, body: PolicyVersionIn, validate: Validator | None = None,
                consistency: Consistency | None = None) -> PolicyParameter:
    why = refusal(s, body.key, body.value, body.effective_from, validate)
    if why is None:
        row = _record(s, actor, body.key, body.value, body.effective_from, body.legal_ref)
        _consistent(s, consistency)
        return row
    status, code, zh, en = why
    if status == 404:
        raise Problem(404, code, f"没有名为 {body.key} 的参数",
                      f"No parameter named {body.key}: new parameters come with the code that uses them")
    if status == 409:
        raise Problem(409, code, f"{body.key} {zh}", f"{body.key} {en}")
    raise field_error("value", zh, en)


def add_versions(s, actor: str, body: PolicyVersionsIn, validate: Validator | None = None,
                 consistency: Consistency | None = None) -> list[PolicyParameter]:
    """Several parameters from one date: every value checked as `add_version` checks one, and all
    recorded, or — any refused — none, with every refusal named by its parameter (`errors`, loc
    body.values.<key>): 409 when each is a version from that date already, else 422."""
    refused = {key: why for key, value in sorted(body.values.items())
               if (why := refusal(s, key, value, body.effective_from, validate)) is not None}
    if refused:
        errors = [{"loc": ["body", "values", key], "msg": f"{zh} / {en}", "type": code}
                  for key, (_, code, zh, en) in refused.items()]
        said_zh = "；".join(f"{key}：{zh}" for key, (_, _, zh, _) in refused.items())
        said_en = "; ".join(f"{key}: {en}" for key, (_, _, _, en) in refused.items())
        if all(status == 409 for status, *_ in refused.values()):
            raise Problem(409, "version-exists", f"新版本未记录，没有参数被改变：{said_zh}",
                          f"Nothing recorded: {said_en}", errors=errors)
        raise Problem(422, "invalid-versions", f"新版本未记录，没有参数被改变：{said_zh}",
                      f"Nothing recorded: {said_en}", errors=errors)
    rows = [_record(s, actor, key, value, body.effective_from, body.legal_ref)
            for key, value in sorted(body.values.items())]
    _consistent(s, consistency)
    return rows


def withdraw(s, actor: str, version_id: int, reason: str, on: dt.date,
             consistency: Consistency | None = None) -> PolicyParameter:
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
    params.changed(s)
    audit.record(s, actor, "policy.withdraw", "policy_parameter", str(row.id), before, row_dict(row))
    _consistent(s, consistency)  # a version withdrawn may have been the other half of a pair
    return row


def policy_router(writers: tuple[str, ...], validate: Validator | None = None,
                  consistency: Consistency | None = None) -> APIRouter:
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
        return PolicyVersion.model_validate(add_version(session, who.actor, body, validate, consistency))

    @r.post("/policy/versions", status_code=201,
            summary="新增政策版本：自同一日期起改变若干参数 / Add a version of several parameters from one date",
            responses={409: {"description": "各参数在该日期均已有版本（errors 逐一列出），未记录 / each parameter "
                                            "has a version from that date (listed in errors); nothing recorded"},
                       422: {"description": "有参数不存在、取值类型不符或超出范围（errors 逐一列出，loc 为 body.values.<键>），"
                                            "一个也未记录 / a parameter unknown, of another kind or out of range "
                                            "(each in errors, loc body.values.<key>); nothing recorded"}})
    def add_policy_versions(body: PolicyVersionsIn, who: Writer, session: WriteSession) -> PolicyVersions:
        """一份政策文件自同一日期起改变的若干参数，依同一政策依据：每个取值按 PUT /policy 的规则检查，
        全部通过才一并记录（各记一条审计）；任何一个被拒，一个也不记录，逐一说明（errors）。/ The
        parameters one policy document changes from one date, on one legal reference: each value checked
        as PUT /policy checks one, all recorded together (each audited) only if every one passes;
        any refused, none is recorded and each refusal is named (errors)."""
        return PolicyVersions(items=[PolicyVersion.model_validate(p)
                                     for p in add_versions(session, who.actor, body, validate, consistency)])

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
        return PolicyVersion.model_validate(withdraw(session, who.actor, version_id, body.reason, today(),
                                                     consistency))

    return r
