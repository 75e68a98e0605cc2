"""Township answers."""
import datetime as dt

from pydantic import ConfigDict, Field

from shared.schemas import Public

TOWNSHIP_EXAMPLE = {"code": "110111102", "name": "窦店镇", "kind": "镇", "valid_from": "2020-06-30",
                    "valid_to": None, "code_confirmed": False}


class TownshipPublic(Public):
    """房山区的一个乡镇、街道或地区 / One town, township or street office of Fangshan District."""

    code: str | None = Field(description="统计用区划代码（9 位；燕山地区无独立代码，为空） / the statistical division "
                                         "code (9 digits; null for 燕山地区, which has none of its own)")
    name: str = Field(description="规范名称 / the canonical name")
    kind: str = Field(description="类别：街道、镇、乡、地区 / the kind: street office, town, township, area office")
    valid_from: dt.date = Field(description="名单自此日起有效 / on the list from this day")
    valid_to: dt.date | None = Field(description="名单至此日止（不含），仍有效为空 / on the list until this day "
                                                 "(exclusive), null while it exists")
    code_confirmed: bool = Field(description="代码是否已与公布的名单核对 / whether the code was checked against a "
                                             "published list")
    model_config = ConfigDict(json_schema_extra={"examples": [TOWNSHIP_EXAMPLE]})


class TownshipList(Public):
    """某日的乡镇（街道）名单 / The list of townships on a date."""

    on: dt.date = Field(description="名单所对应的日期 / the date the list is for")
    items: list[TownshipPublic] = Field(description="乡镇、街道与地区，按代码 / the units, by code")
    model_config = ConfigDict(json_schema_extra={"examples": [{"on": "2026-12-03", "items": [TOWNSHIP_EXAMPLE]}]})
