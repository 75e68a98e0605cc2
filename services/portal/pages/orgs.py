"""The organisation a park, bank or enterprise user signs in for: checked against what the services
know (the parks service's parks, the portal's list of banks, the registry's enterprises) before a
token is minted, so a typo is refused beside the field instead of every page saying 园区不存在.
A name typed instead of the id or code is resolved to it when exactly one matches."""
from __future__ import annotations

from fastapi import Request

from services.portal.backend import ServiceError
from services.portal.labels import BANK_LABELS
from services.portal.names import Names, names_of
from shared import townships
from shared.auth import ORG_ROLES
from shared.validators import uscc_error

MISSING = "园区、银行和企业用户须填写所属机构（园区编号或名称、银行代码或名称、本企业统一社会信用代码）。"


class OrgRefused(Exception):
    def __init__(self, zh: str, field: str = "org"):
        super().__init__(zh)
        self.zh, self.field = zh, field


def unique(typed: str, options: dict[str, str], what: str, example: str) -> str:
    """The one code whose code or name is `typed` (exactly, else the one name containing it)."""
    t = typed.strip()
    by_code = {code.upper(): code for code in options}
    if t.upper() in by_code:
        return by_code[t.upper()]
    exact = [code for code, name in options.items() if name and name == t]
    if len(exact) == 1:
        return exact[0]
    partial = [code for code, name in options.items() if name and t in name] if len(t) >= 2 else []
    if len(exact) > 1 or len(partial) > 1:
        names = "、".join(f"{options[c]}（{c}）" for c in (exact or partial)[:5])
        raise OrgRefused(f"有多个{what}与“{t[:40]}”相符：{names}。请填写{what}的编号或代码。")
    if len(partial) == 1:
        return partial[0]
    raise OrgRefused(f"{what}不存在：“{t[:40]}”。请填写{what}编号或代码（如 {example}），或{what}全称。")


async def resolve_org(request: Request, role: str, org: str) -> str | None:
    if role not in ORG_ROLES:
        return None
    typed = (org or "").strip()
    if not typed:
        raise OrgRefused(MISSING)
    names = names_of(request)
    if role == "bank":
        return unique(typed, BANK_LABELS, "银行", "BOB")
    if role == "township":  # any writing of a unit on the district's fixed list: 良乡, 良乡地区 → 良乡镇
        unit = townships.canonical(typed)
        if unit is None:
            raise OrgRefused(f"房山区没有“{typed[:40]}”这个乡镇（街道），请按乡镇名单填写，如 良乡镇。")
        return unit.name
    if role == "park":
        await names.load(parks=True)
        if not names.parks_known:
            raise OrgRefused("园区服务暂时无法访问，无法核对园区，请稍后再登录。")
        return unique(typed, names.parks, "园区", next(iter(names.parks), "park-0c57e4de"))
    code = typed.upper()
    if uscc_error(code):  # a name instead of the code: the registry's search, one match only
        try:
            found = (await names.api.get("registry", "/enterprises", q=typed[:100], limit=5))["items"]
        except ServiceError:
            found = []
        exact = [e for e in found if e.get("name") == typed]
        if len(exact) == 1 or len(found) == 1:
            return (exact or found)[0]["uscc"]
        raise OrgRefused("企业用户须填写本企业有效的统一社会信用代码（18位）。" + (
            f"与“{typed[:40]}”相符的企业有多家，请填写信用代码。" if found else ""))
    await names.load(usccs=[code])
    if code not in names.enterprises:
        raise OrgRefused("暂时无法核对企业（企业库服务无法访问），请稍后再登录。")
    if not names.enterprises[code]:
        raise OrgRefused(f"企业库中没有统一社会信用代码为 {code} 的企业，请核对后再登录。")
    return code


async def org_label(names: Names, role: str, org: str | None) -> str:
    """The organisation by name for the page header and the sign-in message ("北京银行", "房山工业园"),
    its code or id only when it has no name: the header puts it in （） after the role, once."""
    if not org:
        return ""
    if role == "bank":
        name = BANK_LABELS.get(org.upper(), "")
    elif role == "park":
        await names.load(parks=True)
        name = names.parks.get(org, "")
    else:
        await names.load(usccs=[org])
        name = names.ent(org)
    return name or org
