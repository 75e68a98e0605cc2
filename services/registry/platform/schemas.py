"""Municipal platform request bodies and answers."""
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from shared.schemas import USCC, Body, Public, UtcTime

RecommendTier = Literal["innovative", "municipal_srdi", "municipal_little_giant", "national_little_giant",
                        "single_champion"]
TIER = "推荐申报的称号 / the title to declare"
USCCS = ["91110111MA01ABCD2U", "91110111MA02EFGH38"]


class RecommendationIn(Body):
    """区级推荐：推荐企业申报某年某称号 / The district's recommendations (区级推荐) of enterprises to
    declare a tier in a year."""

    year: Annotated[int, Field(ge=2000, le=2100)] = Field(description="申报年度 / the declaration year")
    tier: RecommendTier = Field(description=TIER)
    usccs: Annotated[list[USCC], Field(min_length=1, max_length=1000)] = Field(
        description="推荐企业的统一社会信用代码（须已登记） / the recommended enterprises' USCCs (registered)")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"year": 2026, "tier": "municipal_srdi", "usccs": USCCS}]})


JOB_ID = "0b7e4c1a-2f7d-4a55-9a43-6b1f0c7e9d21"


class PlatformJobPublic(Public):
    """市级平台任务：同步公示名单或报送推荐，失败可重试 / A municipal platform job: a list sync or a
    recommendation sent, retried while the platform fails transiently."""

    id: str = Field(description="任务编号 / the job's id")
    kind: Literal["sync", "recommend"] = Field(description="同步公示名单或报送推荐 / a list sync or a recommendation")
    state: Literal["queued", "running", "done", "failed"] = Field(
        description="排队、运行（含重试等待）、完成、失败 / queued, running (or waiting to retry), done, failed")
    attempts: int = Field(description="已尝试次数 / attempts made")
    last_error: str | None = Field(description="最近一次失败的原因 / why the last attempt failed")
    request: dict = Field(description="报送内容（同步为空） / what is sent (empty for a sync)")
    result: dict | None = Field(description="完成后的结果：推荐回执或导入报告 / when done: the receipt, or the "
                                            "import's report")
    actor: str = Field(description="发起人 / who started it")
    created_at: UtcTime = Field(description="创建时间（UTC） / when it was created (UTC)")
    started_at: UtcTime | None = Field(description="首次尝试时间 / the first attempt")
    finished_at: UtcTime | None = Field(description="结束时间 / when it finished")
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": JOB_ID, "kind": "recommend", "state": "done", "attempts": 3, "last_error": "市级平台：平台故障 / HTTP 503",
        "request": {"year": 2026, "tier": "municipal_srdi", "usccs": USCCS, "batch_id": "FS-3f2a9c0d1e4b5a6c7d8e9f01"},
        "result": {"batch_id": "FS-3f2a9c0d1e4b5a6c7d8e9f01", "accepted": 2, "duplicate": False},
        "actor": "econ:alice", "created_at": "2026-04-10T02:00:00Z", "started_at": "2026-04-10T02:00:00Z",
        "finished_at": "2026-04-10T02:00:01Z"}]})
