"""Municipal platform request bodies and answers."""
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from shared.schemas import USCC, Body, Public

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


class RecommendationPublic(Public):
    """市级平台的推荐回执 / The platform's receipt of a recommendation."""

    batch_id: str = Field(description="推荐批次号（同一推荐再次发送相同） / the batch id (the same for a resend)")
    year: int = Field(description="申报年度 / the declaration year")
    tier: str = Field(description=TIER)
    enterprises: list[str] = Field(description="推荐的企业（去重排序） / the enterprises recommended, sorted")
    accepted: int = Field(description="平台接收的企业数 / enterprises the platform accepted")
    duplicate: bool = Field(description="平台此前已收到同一批次 / the platform had this batch already")
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"batch_id": "FS-3f2a9c0d1e4b5a6c7d8e9f01", "year": 2026, "tier": "municipal_srdi", "enterprises": USCCS,
         "accepted": 2, "duplicate": False}]})
