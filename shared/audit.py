"""The audit log: every state change with who, when, and the state before and after — written by
`record` in the change's own transaction, read through `GET /api/v1/audit-log` (every service
mounts `audit_router`, shared.app), newest first, with personal data masked.

Personal data in before/after is masked on the way out (the rows keep what the service wrote),
whoever reads, by the key that holds it, at any depth (PERSONAL_KEYS; `name` only inside a
person's object, PERSON_HOLDERS: an enterprise's name is public)."""
# No `from __future__ import annotations` here: the role aliases are made inside audit_router,
# and FastAPI must see them as objects, not as names to look up in this module.

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import ConfigDict, Field
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from shared import pagination
from shared.auth import Caller
from shared.db import append, utcnow
from shared.errors import Problem
from shared.schemas import Page, Public, UtcTime
from shared.sessions import ReadSession
from shared.tables import AuditLog


# One Core INSERT per row, not an ORM object (issue 15: nearly every change writes one, and the
# object and its flush cost several times the INSERT).
_ADD = insert(AuditLog.__table__)


def record(session: Session, actor: str, action: str, object_type: str, object_id: str,
           before: dict | None = None, after: dict | None = None) -> None:
    append(session, _ADD, {"actor": actor, "action": action, "object_type": object_type,
                           "object_id": str(object_id), "before": before, "after": after, "at": utcnow()})


def record_many(session: Session, rows: list[dict]) -> None:
    """Many audit rows of one transaction as one INSERT (a bulk import): each a dict of `record`'s
    arguments but the session (actor, action, object_type, object_id, before, after)."""
    if rows:
        session.execute(_ADD, [{"before": None, "after": None, **r, "object_id": str(r["object_id"]),
                                "at": r.get("at") or utcnow()} for r in rows])


# -- masking personal data ---------------------------------------------------------------------------
def mask_name(v: str) -> str:
    """张三 → 张*: the surname only."""
    return v[:1] + "*" * (len(v) - 1) if len(v) > 1 else "*"


def mask_id(v: str) -> str:
    """A resident ID keeps its province and city and its check character (1101*************7), as
    talent's nominations.pii.mask does: the birth, district and serial digits are hidden."""
    if len(v) >= 15:
        return v[:4] + "*" * (len(v) - 5) + v[-1]
    return v[:1] + "*" * max(len(v) - 3, 1) + v[-2:] if len(v) > 3 else "*" * len(v)


def mask_phone(v: str) -> str:
    """A mobile keeps its first 3 and last 4 digits (138****5678), a landline its last 2 (as the
    registry's hotline masks a caller's phone)."""
    digits = "".join(c for c in v if c.isascii() and c.isdigit())
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


def mask_email(v: str) -> str:
    """z***@example.com: the mailbox's first letter and the domain."""
    local, at, domain = v.partition("@")
    return (local[:1] + "***" + at + domain) if at else mask_text(v)


def mask_account(v: str) -> str:
    """A bank account or card keeps its last 4 digits."""
    digits = "".join(c for c in v if c.isascii() and c.isdigit())
    return "*" * max(len(digits) - 4, 4) + digits[-4:]


def mask_address(v: str) -> str:
    """北京市房山区良乡镇…… → 北京市房山区****: the district, not the door."""
    keep = min(6, len(v) // 2)
    return v[:keep] + "****"


def mask_text(v: str) -> str:
    """Free text that may name or reach a person (a contact): its first character only."""
    return v[:1] + "*" * min(max(len(v) - 1, 1), 12)


# Already masked by the service that wrote it (nominations keep 1101*************7): left alone.
_MASKED = re.compile(r"^[0-9A-Za-z]{0,4}\*+[0-9Xx]{0,4}$")

# Keys (any depth, case-insensitive) whose values are personal data, and how each is masked.
PERSONAL_KEYS: dict[str, Callable[[str], str]] = {
    **dict.fromkeys(("person_name", "caller_name", "contact_name", "contact_person", "legal_representative",
                     "legal_rep", "applicant_name", "nominee_name", "liaison_name"), mask_name),
    **dict.fromkeys(("id_number", "id_number_masked", "resident_id", "id_card", "id_card_number",
                     "identity_number", "passport_number"), mask_id),
    **dict.fromkeys(("phone", "caller_phone", "contact_phone", "mobile", "telephone", "tel", "phone_number"),
                    mask_phone),
    **dict.fromkeys(("email", "contact_email"), mask_email),
    **dict.fromkeys(("bank_account", "account_number", "account_no", "bank_card", "card_number"), mask_account),
    **dict.fromkeys(("home_address", "person_address", "residence", "domicile"), mask_address),
    **dict.fromkeys(("contact", "wechat_openid", "openid"), mask_text),
}
# Objects that are a person: their `name` is a person's name (elsewhere `name` is an enterprise's,
# a park's or a product's, which are public).
PERSON_HOLDERS = frozenset({"person", "caller", "contact", "nominee", "applicant", "liaison",
                            "legal_representative"})


def _mask_value(value: Any, how: Callable[[str], str]) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, list):
        return [_mask_value(v, how) for v in value]
    if isinstance(value, dict):
        return mask(value, person=True)
    text = str(value)
    if how in (mask_id, mask_phone) and _MASKED.match(text):
        return text
    return how(text)


def mask(value: Any, person: bool = False) -> Any:
    """`value` (a before/after document) with every personal value masked, recursively. `person`:
    `value` is a person's object, so its `name` is a person's name."""
    if isinstance(value, list):
        return [mask(v, person) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, v in value.items():
        k = str(key).lower()
        if k in PERSONAL_KEYS:
            out[key] = _mask_value(v, PERSONAL_KEYS[k])
        elif person and k == "name":
            out[key] = _mask_value(v, mask_name)
        elif k in PERSON_HOLDERS and isinstance(v, (dict, list)):
            out[key] = mask(v, person=True)
        else:
            out[key] = mask(v)
    return out


# -- the API -------------------------------------------------------------------------------------------
EXAMPLE = {"id": 812, "at": "2026-12-02T03:04:05Z", "actor": "talent:-:zhao", "action": "nomination.reject",
           "object_type": "nomination", "object_id": "41",
           "before": {"state": "submitted", "person": {"name": "张*", "id_number": "1101*************7"}},
           "after": {"state": "rejected", "person": {"name": "张*", "id_number": "1101*************7"}}}


class AuditEntry(Public):
    """审计日志的一条：谁、何时、对何对象做了何事，变更前后（个人信息已遮蔽） / One audit-log entry: who did
    what to which object, when, with the state before and after (personal data masked)."""

    id: int = Field(description="条目编号（越大越新） / the entry's id (larger is newer)")
    at: UtcTime = Field(description="发生时间（UTC） / when it happened (UTC)")
    actor: str = Field(description="操作人（角色:机构:用户；事件处理为 event:<事件编号>） / who (role:org:user; "
                                   "event:<id> for an event's handler)")
    action: str = Field(description="动作，如 certification.revoke / the action, such as certification.revoke")
    object_type: str = Field(description="对象类型，如 enterprise、certification / the object's type")
    object_id: str = Field(description="对象编号 / the object's id")
    before: dict[str, Any] | None = Field(description="变更前（个人信息已遮蔽），新建时为空 / the state before "
                                                      "(personal data masked); null for a creation")
    after: dict[str, Any] | None = Field(description="变更后（个人信息已遮蔽） / the state after (personal data masked)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [EXAMPLE]})


def _utc(moment: dt.datetime | None, name: str) -> dt.datetime | None:
    """A query's moment as the table holds it: naive UTC (a moment without an offset is UTC)."""
    if moment is None or moment.tzinfo is None:
        return moment
    try:
        return moment.astimezone(dt.UTC).replace(tzinfo=None)
    except (OverflowError, ValueError) as e:
        raise Problem(422, "bad-time", f"时间（{name}）超出范围", f"{name} is out of range",
                      errors=[{"loc": ["query", name], "msg": "out of range", "type": "value"}]) from e


def entries(s: Session, limit: int, cursor: str | None, *, object_type: str | None = None,
            object_id: str | None = None, actor: str | None = None, since: dt.datetime | None = None,
            until: dt.datetime | None = None) -> list[AuditEntry]:
    """Up to limit + 1 entries, newest first (by id), masked."""
    after = pagination.decode_id(cursor)
    stmt = select(AuditLog).order_by(AuditLog.id.desc())
    if after is not None:
        stmt = stmt.where(AuditLog.id < after)
    if object_type:
        stmt = stmt.where(AuditLog.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditLog.object_id == object_id)
    if actor:  # "econ:" (ending in a colon): every actor of that role
        stmt = stmt.where(AuditLog.actor.startswith(actor, autoescape=True) if actor.endswith(":")
                          else AuditLog.actor == actor)
    if since is not None:
        stmt = stmt.where(AuditLog.at >= since)
    if until is not None:
        stmt = stmt.where(AuditLog.at < until)
    return [AuditEntry(id=r.id, at=r.at, actor=r.actor, action=r.action, object_type=r.object_type,
                       object_id=r.object_id, before=mask(r.before), after=mask(r.after))
            for r in s.scalars(stmt.limit(limit + 1))]


def audit_router(readers: tuple[str, ...]) -> APIRouter:
    """GET /audit-log for `readers` (the auditor, the lead bureau and the service's own department:
    shared.app)."""
    r = APIRouter(tags=["audit"])
    Reader = Caller(*readers)

    @r.get("/audit-log", summary="审计日志：谁、何时、改了什么 / The audit log: who changed what, when")
    def audit_log(
            _: Reader, session: ReadSession, limit: pagination.Limit = 100, cursor: pagination.Cursor = None,
            object_type: Annotated[str | None, Query(max_length=50, description="对象类型，如 enterprise / only this "
                                                                                "object type, such as enterprise")] = None,
            object_id: Annotated[str | None, Query(max_length=100, description="对象编号（如统一社会信用代码） / only "
                                                                              "this object id (a USCC, say)")] = None,
            actor: Annotated[str | None, Query(max_length=200, description="操作人，全称如 econ:-:li；以冒号结尾如 econ: "
                                                                           "为该角色的全部 / only this actor (econ:-:li); "
                                                                           "ending in a colon (econ:), every actor of "
                                                                           "that role")] = None,
            since: Annotated[dt.datetime | None, Query(description="自此时刻起（含），ISO 8601，无时区为 UTC / from "
                                                                  "this moment on (inclusive), ISO 8601; UTC without "
                                                                  "an offset")] = None,
            until: Annotated[dt.datetime | None, Query(description="至此时刻前（不含），ISO 8601，无时区为 UTC / before "
                                                                  "this moment (exclusive), ISO 8601; UTC without "
                                                                  "an offset")] = None,
    ) -> Page[AuditEntry]:
        """本服务的每一次变更，新的在前（按编号的游标分页），可按对象、操作人与时间筛选；变更前后中的个人信息
        （人名、身份证号、电话、邮箱、银行账号、住址等）一律遮蔽。审计员、区经信局与本服务的主管部门可读。
        / Every change in this service, newest first (keyset pages by id), filtered by object, actor and
        time; personal data in before/after (names of persons, ID numbers, phones, e-mails, bank
        accounts, home addresses, …) is always masked. The auditor, the lead bureau and the service's
        own department read it."""
        items = entries(session, limit, cursor, object_type=object_type, object_id=object_id, actor=actor,
                        since=_utc(since, "since"), until=_utc(until, "until"))
        return pagination.page(items, limit, key=lambda e: str(e.id))

    return r
