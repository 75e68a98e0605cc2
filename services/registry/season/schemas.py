"""Declaration season bodies and answers: seasons, applications, the pre-review checklist, decisions,
and the recommendation list's versions."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, computed_field, model_validator

from services.registry.season import rules
from services.registry.screening.schemas import GapPublic, ScreeningBasis
from shared.schemas import USCC, Body, Day, LongText, Public, UtcTime

Programme = Literal["innovative", "municipal_srdi", "national_little_giant"]
PROGRAMME_D = "申报的称号（有认定条件的层级） / the title declared for (a tier with criteria)"
USCC_D = "统一社会信用代码 / unified social credit code"
U1, U2 = "91110111MA01ABCD2U", "91110111MA02EFGH38"


class SeasonIn(Body):
    """申报季：通知、申报称号、受理起止日期 / A declaration season: its notice, the title declared for,
    and the days applications are taken."""

    year: Annotated[int, Field(ge=2000, le=2100)] = Field(description="申报年度 / the declaration year")
    programme: Programme = Field(description=PROGRAMME_D)
    opens_on: Day = Field(description="开始受理日 / the first day applications are taken")
    closes_on: Day = Field(description="截止日（含） / the last day applications are taken")
    notice: Annotated[LongText, Field(max_length=2000)] = Field(
        description="申报通知（正文或文号、链接） / the notice (its text, or its reference or link)")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"year": 2026, "programme": "municipal_srdi", "opens_on": "2026-03-01", "closes_on": "2026-03-31",
         "notice": "房经信发〔2026〕5号 关于组织申报2026年北京市专精特新中小企业的通知"}]})

    @model_validator(mode="after")
    def _order(self):
        if self.closes_on < self.opens_on:
            raise ValueError("截止日早于开始日 / closes_on is before opens_on")
        return self


SEASON = {"id": 3, "year": 2026, "programme": "municipal_srdi", "opens_on": "2026-03-01", "closes_on": "2026-03-31",
          "notice": "房经信发〔2026〕5号", "created_by": "econ:alice", "created_at": "2026-02-20T02:00:00Z"}


class SeasonPublic(Public):
    """一个申报季 / A declaration season."""

    id: int = Field(description="编号 / id")
    year: int = Field(description="申报年度 / the declaration year")
    programme: str = Field(description=PROGRAMME_D)
    opens_on: dt.date = Field(description="开始受理日 / the first day applications are taken")
    closes_on: dt.date = Field(description="截止日（含） / the last day applications are taken")
    notice: str = Field(description="申报通知 / the notice")
    created_by: str = Field(description="创建人 / who created it")
    created_at: UtcTime = Field(description="创建时间（UTC） / when (UTC)")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [SEASON]})


class ApplicationIn(Body):
    """企业申报 / An enterprise's application in a season."""

    uscc: USCC = Field(description="申报企业（须已登记） / the enterprise (registered)")
    model_config = ConfigDict(json_schema_extra={"examples": [{"uscc": U1}]})


class ChecklistItem(Public):
    """初审清单的一项：梯度条件或一项认定条件 / One line of the pre-review checklist: the ladder or a criterion."""

    criterion: str = Field(description="条件编号（ladder 为称号阶梯） / the criterion (ladder: the title ladder)")
    zh: str = Field(description="条件 / the criterion, in Chinese")
    met: bool = Field(description="是否满足 / met")
    gaps: list[GapPublic] = Field(description="未满足之处及差距 / what falls short, and by how much")


class Reason(Public):
    """不能推荐的一条理由 / One reason an enterprise cannot be recommended."""

    code: Literal["ladder", "criterion", "departed"] = Field(
        description="类别：称号阶梯、认定条件、已迁出或注销 / the kind: ladder, a criterion, departed")
    criterion: str | None = Field(description="相关条件 / the criterion concerned")
    zh: str = Field(description="理由（中文） / the reason in Chinese")
    en: str = Field(description="理由（英文） / the reason in English")


class Checklist(Public):
    """初审清单：按筛选结果（达标/准达标/不达标）逐项列出 / The pre-review (初审) checklist, filled from screening."""

    programme: str = Field(description=PROGRAMME_D)
    on: dt.date = Field(description="称号与条件的日期 / the day of the titles and criteria")
    indicator_year: int = Field(description="指标年度 / the indicators' year")
    rule_set: str | None = Field(description="认定条件版本 / the rule set")
    current_tier: str = Field(description="当日称号 / the tier held that day")
    status: Literal["met", "near", "not_met"] = Field(description="达标、准达标、不达标 / met, near, not met")
    status_zh: str = Field(description="状态（中文） / the status in Chinese")
    eligible: bool = Field(description="可推荐（在梯度上且达标） / may be recommended (on the ladder, met)")
    items: list[ChecklistItem] = Field(description="逐项结果 / each condition")
    reasons: list[Reason] = Field(description="不能推荐的理由 / why it may not be recommended")
    basis: ScreeningBasis | None = Field(None, description="依据的参数 / the parameters applied")


class DecisionIn(Body):
    """区级推荐决定 / The district's decision on an application."""

    recommend: bool = Field(description="是否推荐 / recommend it or not")
    reasons: Annotated[LongText, Field(max_length=2000)] | None = Field(
        None, description="理由（不推荐时必填） / the reasons (required when not recommending)")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"recommend": False, "reasons": "研发费用占比未达3%，建议明年申报"}, {"recommend": True}]})

    @model_validator(mode="after")
    def _reasons(self):
        if not self.recommend and not self.reasons:
            raise ValueError("不推荐须写明理由 / reasons are required when not recommending")
        return self


class ApplicationPublic(Public):
    """一份申报：状态 applied → pre_reviewed → decided / An application: applied → pre_reviewed → decided."""

    id: int = Field(description="编号 / id")
    season_id: int = Field(description="申报季 / the season")
    uscc: str = Field(description=USCC_D)
    name: str | None = Field(None, description="企业名称 / the enterprise's name")
    state: Literal["applied", "pre_reviewed", "decided"] = Field(description="状态 / the state")
    applied_by: str = Field(description="登记人 / who recorded it")
    applied_at: UtcTime = Field(description="登记时间（UTC） / when (UTC)")
    checklist: Checklist | None = Field(description="初审清单 / the pre-review checklist")
    pre_reviewed_by: str | None = Field(description="初审人 / who pre-reviewed it")
    pre_reviewed_at: UtcTime | None = Field(description="初审时间 / when it was pre-reviewed")
    recommend: bool | None = Field(description="是否推荐 / recommended or not")
    reasons: str | None = Field(description="决定理由 / the decision's reasons")
    decided_by: str | None = Field(description="决定人 / who decided")
    decided_at: UtcTime | None = Field(description="决定时间 / when it was decided")
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{
        "id": 7, "season_id": 3, "uscc": U1, "name": "北京精工科技有限公司", "state": "applied", "applied_by": "econ:alice",
        "applied_at": "2026-03-05T02:00:00Z", "checklist": None, "pre_reviewed_by": None, "pre_reviewed_at": None,
        "recommend": None, "reasons": None, "decided_by": None, "decided_at": None,
        "actions": {"pre_review": ["econ"]}}]})

    @computed_field(description="当前状态可进行的步骤（pre_review 初审，可重复至作出决定；decide 推荐决定，可修改）及可操作的"
                                "角色；其他为 409 或 403 / the steps its state allows (pre_review, repeatable until "
                                "decided; decide, which may be changed), each with the roles that may take it; any other "
                                "is a 409 or a 403")
    @property
    def actions(self) -> dict[str, list[str]]:
        return rules.actions(self.state)


class Refused(Public):
    """决定推荐但不符合条件而未报送的企业 / An enterprise decided for but refused by the criteria check."""

    uscc: str = Field(description=USCC_D)
    application_id: int = Field(description="申报编号 / the application")
    reasons: list[Reason] = Field(description="理由 / why")


class RecommendationVersion(Public):
    """推荐名单的一个版本（保留全部历史） / One version of the season's recommendation list (all kept)."""

    season_id: int = Field(description="申报季 / the season")
    version: int = Field(description="版本号，自 1 起 / the version, from 1")
    enterprises: list[str] = Field(description="报送的企业 / the enterprises sent")
    refused: list[Refused] = Field(description="未通过条件核对的企业及理由 / those refused, with reasons")
    batch_id: str = Field(description="报送批次号（同一名单相同） / the batch id (the same list, the same id)")
    job_id: str = Field(description="报送任务 / the platform job sending it")
    job_state: str | None = Field(None, description="报送任务状态 / the job's state")
    created_by: str = Field(description="生成人 / who built it")
    created_at: UtcTime = Field(description="生成时间（UTC） / when (UTC)")
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "season_id": 3, "version": 1, "enterprises": [U1], "refused": [{"uscc": U2, "application_id": 8, "reasons": [
            {"code": "ladder", "criterion": "ladder", "zh": "须先持有创新型中小企业或专精特新培育库企业称号（现为中小企业）",
             "en": "must hold innovative or potential first (holds sme)"}]}],
        "batch_id": "FS-3f2a9c0d1e4b5a6c7d8e9f01", "job_id": "0b7e4c1a-2f7d-4a55-9a43-6b1f0c7e9d21",
        "job_state": "done", "created_by": "econ:alice", "created_at": "2026-04-10T02:00:00Z"}]})


class RecommendationHistory(Public):
    """申报季推荐名单的全部版本，旧在前 / Every version of a season's recommendation list, oldest first."""

    season_id: int = Field(description="申报季 / the season")
    items: list[RecommendationVersion] = Field(description="各版本 / the versions")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"season_id": 3, "items": RecommendationVersion.model_config["json_schema_extra"]["examples"]}]})
