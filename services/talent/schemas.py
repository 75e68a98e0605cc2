"""Talent request bodies (answers are plain dicts built in service.py)."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from shared.clock import today
from shared.schemas import USCC, Body, LongText, Text
from shared.validators import reason_zh, resident_id_error, resident_id_facts

Category = Literal["战略人才", "领军人才", "骨干人才", "优秀人才"]
Action = Literal["review", "recommend", "approve", "reject", "withdraw"]
Year = Annotated[int, Field(ge=2000, le=2100)]


def _resident_id(value: str) -> str:
    # The message never repeats the number: problem bodies and logs carry no personal data.
    err = resident_id_error(value)
    if err:
        raise ValueError(f"居民身份证号码无效：{reason_zh(err)} / invalid resident ID number: {err}")
    if resident_id_facts(value)[0] > today():
        raise ValueError("居民身份证号码无效：出生日期晚于今天 / invalid resident ID number: birth date is after today")
    return value


def _born_by_today(value: dt.date) -> dt.date:
    # A fact, so never after today; not shared.schemas.FactDay, whose floor (1949-10-01) is the
    # programme's, not a person's. The message does not repeat the date.
    if value > today():
        raise ValueError("出生日期晚于今天 / the birth date is after today")
    return value


BirthDate = Annotated[dt.date, AfterValidator(_born_by_today)]


ResidentID = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=40),
                       AfterValidator(_resident_id)]


class PersonIn(Body):
    name: Text
    id_number: ResidentID
    education: Text
    post: Text
    # Optional: when given, checked against what the ID number says (it is the source of both).
    gender: Literal["male", "female"] | None = None
    birth_date: BirthDate | None = None

    @model_validator(mode="after")
    def _matches_id(self):
        born, gender = resident_id_facts(self.id_number)
        if self.gender is not None and self.gender != gender:
            raise ValueError("性别与身份证号码不符 / gender does not match the resident ID number")
        if self.birth_date is not None and self.birth_date != born:
            raise ValueError("出生日期与身份证号码不符 / birth date does not match the resident ID number")
        return self


class NominationIn(Body):
    uscc: USCC
    year: Year
    person: PersonIn
    category: Category
    documents: list[Text] = Field(default_factory=list, max_length=50,
                                  description="references to documents held elsewhere")


class TransitionIn(Body):
    reason: LongText | None = None  # required to reject
