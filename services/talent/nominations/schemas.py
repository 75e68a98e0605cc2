"""Nomination bodies and answers. An answer never holds the whole resident ID number unless the
talent office asked for one nomination (audited), nor the birth date unless the talent office reads."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import Path
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, model_validator

from services.talent import rules
from services.talent.query import Year
from shared.clock import today
from shared.schemas import USCC, Body, LongText, Public, Text, UtcTime
from shared.validators import reason_zh, resident_id_error, resident_id_facts

Category = Literal[rules.CATEGORIES]
Action = Literal[tuple(rules.ACTIONS)]
NominationId = Annotated[int, Path(description="提名编号 / the nomination's id")]
ActionPath = Annotated[Action, Path(description="操作：review 区级审核、recommend 推荐至市级、approve 批准、"
                                                "reject 驳回（须说明理由）、withdraw 撤回 / the action: review, "
                                                "recommend, approve, reject (reason required) or withdraw")]
STATE = "状态：" + "、".join(f"{code} {zh}" for code, zh in rules.STATE_ZH.items()) + " / the state"
USCC_EXAMPLE = "91110111MA01R2XJ3P"


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

PERSON_IN = {"name": "张三", "id_number": "110111198803157367", "education": "博士", "post": "首席工程师"}
NOMINATION_IN = {"uscc": USCC_EXAMPLE, "year": 2026, "category": "领军人才", "documents": ["DOC-2026-001"],
                 "person": PERSON_IN}
PERSON = {"name": "张三", "id_number": "1101*************7", "id_number_masked": "1101*************7",
          "gender": "male", "education": "博士", "post": "首席工程师"}
RECORD = {"id": 41, "uscc": USCC_EXAMPLE, "year": 2026, "category": "领军人才", "state": "submitted",
          "state_reason": None, "holds_quota": True, "person": PERSON, "documents": ["DOC-2026-001"],
          "created_by": "enterprise:91110111MA01R2XJ3P:wang", "created_at": "2026-03-02T01:20:00Z",
          "updated_at": "2026-03-02T01:20:00Z"}
SAME = {"id": 17, "uscc": "91110111MA01QW8B5K", "year": 2025, "category": "骨干人才", "state": "rejected"}


class PersonIn(Body):
    """被提名人 / The person nominated."""

    name: Text = Field(description="姓名 / name")
    id_number: ResidentID = Field(description="居民身份证号码（GB 11643，加密保存） / resident ID number (GB 11643, "
                                              "stored encrypted)")
    education: Text = Field(description="学历 / education")
    post: Text = Field(description="岗位 / post")
    # Optional: when given, checked against what the ID number says (it is the source of both).
    gender: Literal["male", "female"] | None = Field(
        None, description="性别（可选，须与身份证号码一致） / gender (optional; must match the ID number)")
    birth_date: BirthDate | None = Field(
        None, description="出生日期（可选，须与身份证号码一致） / birth date (optional; must match the ID number)")
    model_config = ConfigDict(json_schema_extra={"examples": [PERSON_IN]})

    @model_validator(mode="after")
    def _matches_id(self):
        born, gender = resident_id_facts(self.id_number)
        if self.gender is not None and self.gender != gender:
            raise ValueError("性别与身份证号码不符 / gender does not match the resident ID number")
        if self.birth_date is not None and self.birth_date != born:
            raise ValueError("出生日期与身份证号码不符 / birth date does not match the resident ID number")
        return self


class NominationIn(Body):
    """在企业的落户指标上提名一人 / A person nominated on one of an enterprise's quotas."""

    uscc: USCC = Field(description="统一社会信用代码 / unified social credit code")
    year: Year = Field(description="指标年度 / the quotas' year")
    person: PersonIn = Field(description="被提名人 / the person nominated")
    category: Category = Field(description="聚源计划人才类别 / the talent category (聚源计划)")
    documents: list[Text] = Field(default_factory=list, max_length=50,
                                  description="材料编号（材料另行保存） / references to documents held elsewhere")
    model_config = ConfigDict(json_schema_extra={"examples": [NOMINATION_IN]})


class TransitionIn(Body):
    """状态变更的说明 / The reason given with a change of state."""

    reason: LongText | None = Field(None, description="理由（驳回时必填） / the reason (required to reject)")
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "学历材料不全 / incomplete degree papers"}]})


class PersonPublic(Public):
    """被提名人（身份证号码除人才办单条查询外均为掩码） / The person, the ID number masked except for the talent
    office's read of one nomination."""

    name: str = Field(description="姓名 / name")
    id_number: str = Field(description="身份证号码：人才办单条查询为全号（留审计记录），其余为掩码 / the resident ID: "
                                       "whole for the talent office's read of one nomination (audited), else masked")
    id_number_masked: str = Field(description="掩码身份证号码 / the masked resident ID")
    gender: str = Field(description="性别，由身份证号码得出 / gender, derived from the ID number")
    education: str = Field(description="学历 / education")
    post: str = Field(description="岗位 / post")
    birth_date: dt.date | None = Field(None, description="出生日期（仅人才办查询时出现） / birth date (present only "
                                                         "on the talent office's reads)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [PERSON]})


class _Nomination(Public):
    id: int = Field(description="提名编号 / the nomination's id")
    uscc: str = Field(description="统一社会信用代码 / unified social credit code")
    year: int = Field(description="指标年度 / the quotas' year")
    category: str = Field(description="人才类别 / the talent category")
    state: str = Field(description=STATE)


class SamePerson(_Nomination):
    """同一人的另一提名 / Another nomination of the same person."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [SAME]})


class NominationRecord(_Nomination):
    """提名（审计日志所存形式：掩码，无出生日期） / A nomination as the audit log keeps it (masked, no birth date)."""

    state_reason: str | None = Field(description="最近一次变更的理由 / the reason of the last change")
    holds_quota: bool = Field(description="是否占用一个指标 / whether it holds a quota")
    person: PersonPublic = Field(description="被提名人 / the person nominated")
    documents: list[str] = Field(description="材料编号 / references to documents held elsewhere")
    created_by: str = Field(description="提名人（角色:机构:用户） / who nominated (role:org:user)")
    created_at: UtcTime = Field(description="提名时间（UTC） / when it was made (UTC)")
    updated_at: UtcTime = Field(description="最近变更时间（UTC） / when it last changed (UTC)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [RECORD]})


class NominationPublic(NominationRecord):
    """提名，附同一人的其他提名 / A nomination, with the same person's other nominations."""

    repeat: bool = Field(description="此人是否另有提名 / whether the person has other nominations")
    same_person: list[SamePerson] = Field(description="同一人的其他提名（按身份证号码的密钥散列匹配；"
                                                      "企业只见本企业的） / the person's other nominations (matched "
                                                      "by the keyed hash; an enterprise sees its own only)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [
        {**RECORD, "repeat": True, "same_person": [SAME]}]})
