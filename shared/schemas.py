"""Field types every service's request bodies share."""
from __future__ import annotations

import datetime as dt
import functools
import re
import types
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar, Union, get_args, get_origin

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, StringConstraints,
                      ValidationError, model_validator)
from pydantic_core import InitErrorDetails, PydanticCustomError

from shared.clock import today
from shared.validators import division_error, reason_zh, uscc_error


def _uscc(value: str) -> str:
    value = value.strip().upper()
    err = uscc_error(value)
    if err:
        raise ValueError(f"统一社会信用代码无效：{reason_zh(err)} / invalid USCC: {err}")
    return value


# Characters no text may hold: C0 controls but tab, line feed and carriage return, DEL, C1 controls,
# lone surrogates and the non-characters U+FFFE/U+FFFF. They are invisible on screen, cannot be
# written to an XLSX (XML) cell and a database may refuse them; nobody types them on purpose.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BREAKS = re.compile("[\t\n\r\u2028\u2029]")


def _refuse(ch: str, what_zh: str, what_en: str):
    return ValueError(f"含有{what_zh} U+{ord(ch):04X}，不能保存 / contains {what_en} U+{ord(ch):04X}, "
                      "which cannot be stored")


def _one_line(value: str) -> str:
    if bad := CONTROL.search(value):
        raise _refuse(bad.group(), "控制字符或无效字符", "the control or invalid character")
    if bad := _BREAKS.search(value):
        raise _refuse(bad.group(), "换行或制表符（此项只能是一行文字）", "a line break or tab (one line only)")
    return value


def _lines(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")  # a browser's textarea sends CRLF
    if bad := CONTROL.search(value):
        raise _refuse(bad.group(), "控制字符或无效字符", "the control or invalid character")
    return value


def _not_bool(value):
    # JSON true is not 1 元 nor one of anything (pydantic's lax int would take it).
    if isinstance(value, bool):
        raise ValueError("须为整数，不能是 true/false / must be an integer, not true or false")
    return value


USCC = Annotated[str, StringConstraints(min_length=1, max_length=40), AfterValidator(_uscc)]
# One line of text (a name, a reason): no control characters, no line breaks or tabs.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_one_line)]
# Free text (findings, notes): line breaks and tabs allowed (CRLF kept as LF), no other control character.
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), AfterValidator(_lines)]
# Whole 元 and counts: JSON integers (and, in a query string, digits); never a boolean.
MAX_YUAN = 10**13  # any one amount (a form in 万元 says this limit in its own unit)
Yuan = Annotated[int, Field(ge=0, le=MAX_YUAN, description="whole 元"), BeforeValidator(_not_bool)]
Count = Annotated[int, Field(ge=0, le=10**9), BeforeValidator(_not_bool)]
# The days a date may name (a body's field, or a query's with Query(**DAY_BOUNDS)): the Republic's
# founding to the end of the century; outside it a date is a typing error, and some would overflow.
DAY_BOUNDS = {"ge": dt.date(1949, 10, 1), "le": dt.date(2100, 12, 31)}
Day = Annotated[dt.date, Field(**DAY_BOUNDS)]


def _not_after_today(value: dt.date) -> dt.date:
    if value > (now := today()):
        raise ValueError(f"日期 {value} 晚于今天（{now}），不能记录尚未发生的事实 / "
                         f"{value} is after today ({now}): a fact cannot be recorded before it happens")
    return value


# The date of a fact (a recognition, a revocation, a visit, a contract, a relocation): never after
# today (Asia/Shanghai), so nothing is paid, listed or granted ahead of its date.
FactDay = Annotated[Day, AfterValidator(_not_after_today)]


def _division(value: str) -> str:
    value = value.strip()
    if err := division_error(value):
        raise ValueError(f"行政区划代码无效：{reason_zh(err)} / invalid GB/T 2260 division code: {err}")
    return value


# A GB/T 2260 administrative-division code (Beijing's start with 11).
DivisionCode = Annotated[str, StringConstraints(min_length=1, max_length=12), AfterValidator(_division)]


@functools.cache
def _leaves(annotation) -> frozenset:
    """The types a field's annotation admits: Annotated and unions unwrapped, a Literal as the types
    of its values (Literal[1, 2] would take True as 1), None left out."""
    out: set = set()

    def walk(t) -> None:
        origin = get_origin(t)
        if origin is Annotated:
            walk(get_args(t)[0])
        elif origin in (Union, types.UnionType):
            for a in get_args(t):
                walk(a)
        elif origin is Literal:
            out.update(type(a) for a in get_args(t))
        elif t is not type(None):
            out.add(t)

    walk(annotation)
    return frozenset(out)


def _leaves_of(annotation) -> frozenset:
    try:
        return _leaves(annotation)
    except TypeError:  # an annotation that cannot be a cache key (unhashable metadata)
        return _leaves.__wrapped__(annotation)


def _takes_number_not_bool(annotation) -> bool:
    """Whether a field takes numbers but not booleans (`int`, `Yuan | None`, `Decimal`, ...)."""
    leaves = _leaves_of(annotation)
    return bool(leaves & {int, float, Decimal}) and not leaves & {bool, Any}


def _takes_integer_only(annotation) -> bool:
    """Whether a field takes whole numbers and nothing a string could stand for (`int`, `Yuan | None`,
    `Literal[1, 2]`): there a JSON string ("100") is a typing error in the caller's code, not an
    amount (pydantic's lax mode would take it)."""
    return _leaves_of(annotation) == {int}


class Body(BaseModel):
    """Request bodies: unknown fields are refused, so a typo is a 422, not a silent no-op. Every
    field of every body, whatever its own type says, refuses control characters in text (tab and
    line breaks aside; Text refuses those too), `true`/`false` where a number is expected, and a
    string where only a whole number is (an amount sent as "100")."""

    model_config = ConfigDict(extra="forbid", strict=False)

    @model_validator(mode="before")
    @classmethod
    def _edges(cls, data):
        # A model validator, not a field one: a field validator may not sit on a union's discriminator.
        if not isinstance(data, dict):
            return data
        errors = []
        for name, value in data.items():
            if isinstance(value, str) and (bad := CONTROL.search(value)):
                err = _refuse(bad.group(), "控制字符或无效字符", "the control or invalid character")
            elif isinstance(value, bool) and _takes_number_not_bool(_annotation(cls, name)):
                err = ValueError("须为整数，不能是 true/false / must be an integer, not true or false")
            elif isinstance(value, str) and _takes_integer_only(_annotation(cls, name)):
                shown = value[:20]
                err = ValueError(f"须为整数（JSON 数字），不能是文本“{shown}” / must be a JSON integer, "
                                 f"not the string \"{shown}\"")
            else:
                continue
            errors.append(InitErrorDetails(type=PydanticCustomError("value_error", "Value error, {error}",
                                                                    {"error": str(err)}),
                                           loc=(name,), input=value))
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return data


def _annotation(cls, key: str):
    field = cls.model_fields.get(key)
    if field is None:  # sent by its alias
        field = next((f for f in cls.model_fields.values() if f.alias == key), None)
    return field.annotation if field is not None else None


# A database row id in a path: bounded so that no id can overflow the database's integer.
RowId = Annotated[int, Field(ge=1, le=2**31 - 1), BeforeValidator(_not_bool)]


def _utc_text(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat() + "Z"


# A moment in an answer: stored naive in UTC (shared.db.utcnow), written "2026-12-02T03:04:05.123456Z".
UtcTime = Annotated[dt.datetime, PlainSerializer(_utc_text, return_type=str, when_used="json")]


class Public(BaseModel):
    """An answer (a response model): built from a table row or a dict. Every field carries a
    description in Chinese with the English beside it, and the model an example
    (`model_config = ConfigDict(json_schema_extra={"examples": [...]})`): tests/test_openapi.py."""

    model_config = ConfigDict(from_attributes=True)


Item = TypeVar("Item")


class Page(Public, Generic[Item]):
    """列表的一页（键集分页），下一页以 next_cursor 作 ?cursor= 传回 / One page of a keyset-paginated list
    (shared.pagination): pass `next_cursor` as `?cursor=`."""

    items: list[Item] = Field(description="本页条目 / the items on this page")
    next_cursor: str | None = Field(None, description="下一页游标，作为 ?cursor= 传回；已是最后一页时为空 / "
                                                      "the next page's cursor, for ?cursor=; null on the last page")


class Cited(Public):
    """所依据的政策参数版本 / A dated policy parameter as an answer cites it (shared.params.Param.cite)."""

    id: int = Field(description="参数版本编号 / the parameter version's id")
    key: str = Field(description="参数键 / the parameter's key")
    value: Any = Field(description="取值 / the value")
    effective_from: dt.date = Field(description="生效日期 / in force from this date")
    legal_ref: str = Field(description="政策依据 / the legal reference")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {"id": 31, "key": "renewal.notice_months", "value": 6, "effective_from": "2022-01-01",
         "legal_ref": "京经信发〔2022〕号 复核：有效期届满前6个月"}]})
