"""产业链合同 and 奖励申领: the contracts outreach recorded (up/down-stream deals between two district
enterprises, and scenarios' phases), econ's form to record an up/down-stream one, and econ's claims of
the awards that rest on a recorded fact — a contract outreach recorded, a listing the finance office
recorded — with the award the awards service computes and its explanation, or its refusal in words.

Nothing is decided here: outreach checks the parties and records the contract once, awards decides
eligibility, the amount and whether one already stands (409 `claim-exists`, linked); the portal only
lets the liaison choose the recorded fact by name instead of typing its id."""
from __future__ import annotations

import asyncio
import datetime as dt
import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Request

from services.portal.backend import ServiceError
from services.portal.labels import AWARD_STATE_LABELS, BOARD_LABELS, PROGRAM_LABELS, said_zh, wan, yuan
from services.portal.names import names_of
from services.portal.pages.common import (
    CsrfChecked,
    api,
    back_to,
    nothing,
    optional,
    page_user,
    render,
    seg,
    uscc_filter,
    wan_to_yuan,
)
from services.portal.session import PortalError, User, flash
from shared.clock import today
from shared.validators import reason_zh, uscc_error

router = APIRouter()
KINDS = {"ecosystem": "上下游合同", "scenario": "场景合同"}
CLAIM_PROGRAMS = ("ecosystem", "scenario", "listing")
# An award that counts (awards answers `counts`) stands on its fact: while one does, a claim is 409
# `claim-exists`, so "申领奖励" is not offered (awards checks again).
CONTRACT_FIELDS = ("supplier_uscc", "buyer_uscc", "product_id", "contract_wan", "signed_on", "evidence")
# Why awards refused a claim, in a few words before its own sentence (its `detail_zh`).
REFUSALS = {
    "not-eligible": "不符合申领条件", "not-in-registry": "企业不在本区企业名录中", "cap-reached": "已达奖励上限",
    "future-date": "日期晚于今天", "contract-unknown": "奖励服务尚未收到这份合同",
    "buyer-not-in-district": "需方不是本区企业", "same-party": "供需双方是同一企业", "not-chosen": "合同未关联入选方案",
    "no-parameter": "该日期没有有效的政策参数", "departed": "企业已迁出或注销", "listing-unknown": "金融办未记录该企业上市",
    "board-not-eligible": "上市板块不在奖励范围内", "nothing-to-award": "计算所得奖励为 0 元",
    "program-mismatch": "合同类型与奖励项目不符",
}
LISTED_ON_BOARD = re.compile(r"于 ([a-z]+) 上市")
# "层级为中小企业（sme）" once its code is in words says it twice: "中小企业（中小企业）" → "中小企业".
SAID_TWICE = re.compile(r"([\u4e00-\u9fff“”]+)（\1）")


def refusal(e: ServiceError) -> str:
    """A service's refusal in one line of words (its codes as labels, nothing said twice)."""
    return SAID_TWICE.sub(r"\1", e.said())


def explanation(text) -> str:
    """An award's basis explanation for reading: codes in words and amounts in 元 with separators
    (`said_zh`: "合同额 860,000 元 × 5% = 43,000 元"), the listing board by its name."""
    return LISTED_ON_BOARD.sub(lambda m: f"于{BOARD_LABELS.get(m.group(1), '所列板块')}上市", said_zh(text))


def _econ(user: User, what: str) -> None:
    if user.role != "econ":
        raise PortalError(403, f"只有区经信局可以{what}；您的角色只能查看。")


def _key(form, suffix: str) -> str | None:
    return f"portal-{form.get('form_id')}-{suffix}" if form.get("form_id") else None


async def _claim_awards(request: Request, user: User) -> list[dict] | None:
    """Every award raised on a contract or a listing, newest first; None when the role may not read awards."""
    a = api(request, user)
    lists = await asyncio.gather(*(optional(a.all("awards", "/awards", program=p, cap=2000), [])
                                   for p in CLAIM_PROGRAMS))
    if any(x is None for x in lists):
        return None
    return sorted((x for items in lists for x in items), key=lambda x: x["id"], reverse=True)


def _on_contract(awards: list[dict] | None) -> dict[int, dict]:
    """Each contract's award: the one standing on it, else its newest (rejected, clawed back)."""
    out: dict[int, dict] = {}
    for x in sorted(awards or [], key=lambda x: x["id"]):
        cid = x.get("contract_id")
        if cid is not None and (cid not in out or not out[cid]["counts"]):
            out[cid] = x
    return out


def _label(c: dict, names) -> str:
    """A contract as a liaison recognises it: parties by name, amount, date, contract number."""
    buyer = (names.ent(c["buyer_uscc"]) or c["buyer_uscc"]) if c.get("buyer_uscc") else c.get("buyer_name") or "—"
    return (f"{names.ent(c['uscc']) or c['uscc']} → {buyer}，{wan(c['contract_yuan'])}，{c['signed_on']} 签订，"
            f"合同编号 {c['evidence']}（{KINDS.get(c['kind'], '合同')}）")



# ---- 产业链合同 ------------------------------------------------------------------------------------

async def _contracts(request: Request, user: User, uscc: str = "", kind: str = "", status: int = 200, **ctx):
    a = api(request, user)
    econ = user.role == "econ"
    code, bad = uscc_filter(uscc)
    everything, awards, products = await asyncio.gather(
        a.all("outreach", "/contracts", kind=kind or None, cap=5000), _claim_awards(request, user),
        optional(a.all("outreach", "/products", cap=1000), []) if econ else nothing())
    parties = {u for c in everything for u in (c["uscc"], c.get("buyer_uscc")) if u}
    names = await names_of(request).load(usccs=[*parties, *(p["uscc"] for p in products or [])])
    # The form offers the enterprises already party to a contract by name (not the whole registry:
    # a district's thousands of enterprises made this page 0.3 s slower; any other code is typed).
    enterprises = [{"uscc": u, "name": names.ent(u)} for u in sorted(parties) if names.ent(u)] if econ else []
    rows = [c for c in everything if code in (c["uscc"], c.get("buyer_uscc"))] if code else everything
    rows = [] if bad else sorted(rows, key=lambda c: (c["signed_on"], c["id"]), reverse=True)
    return render(request, "contracts.html", status, rows=rows, kind=kind, kinds=KINDS, uscc=uscc, uscc_error=bad,
                  parties=sorted(parties, key=lambda u: (names.ent(u) or "\uffff", u)), awards=_on_contract(awards),
                  awards_known=awards is not None, products=products or [],
                  enterprises=enterprises or [], total=sum(c["contract_yuan"] for c in rows),
                  form_id=uuid.uuid4().hex, today=today().isoformat(), errors=ctx.pop("errors", {}),
                  typed=ctx.pop("typed", {}), **ctx)


@router.get("/contracts")
async def contracts(request: Request, user: Annotated[User, page_user("contracts")], uscc: str = "",
                    kind: str = ""):
    status = 422 if uscc_filter(uscc)[1] else 200  # an invalid code: said beside the filter
    return await _contracts(request, user, uscc.strip(), kind if kind in KINDS else "", status)


def _contract_errors(typed: dict) -> dict[str, str]:
    """What is wrong with the form before it is sent, by field (outreach checks again)."""
    errors: dict[str, str] = {}
    for field, party in (("supplier_uscc", "供方"), ("buyer_uscc", "需方")):
        if not typed[field]:
            errors[field] = f"请填写{party}的统一社会信用代码。"
        elif bad := uscc_error(typed[field]):
            errors[field] = f"{party}统一社会信用代码无效（{reason_zh(bad)}）：{typed[field][:30]}。"
    if not errors and typed["supplier_uscc"] == typed["buyer_uscc"]:
        errors["buyer_uscc"] = "供方和需方不能是同一家企业。"
    if typed["product_id"] and not (typed["product_id"].isascii() and typed["product_id"].isdigit()
                                    and len(typed["product_id"]) <= 18):
        errors["product_id"] = "请从列表中选择产品，或不选。"
    amount = wan_to_yuan(typed["contract_wan"]) if typed["contract_wan"] else None
    if not typed["contract_wan"]:
        errors["contract_wan"] = "请填写合同金额（万元）。"
    elif amount is None:
        errors["contract_wan"] = "合同金额应为大于 0 的万元数，最多四位小数，如 86 或 86.5。"
    elif amount <= 0:
        errors["contract_wan"] = "合同金额须大于 0。"
    if not typed["signed_on"]:
        errors["signed_on"] = "请填写签订日期。"
    else:
        try:
            signed = dt.date.fromisoformat(typed["signed_on"])
        except ValueError:
            errors["signed_on"] = "签订日期格式应为 年-月-日，如 2026-06-18。"
        else:
            if signed > today():
                errors["signed_on"] = f"签订日期不能晚于今天（{today().isoformat()}）：合同签订后再登记。"
    if not typed["evidence"]:
        errors["evidence"] = "请填写合同编号或扫描件引用（同一合同只登记一次，以此识别）。"
    elif len(typed["evidence"]) > 200:
        errors["evidence"] = "合同编号或扫描件引用不超过 200 字。"
    return errors


@router.post("/contracts", dependencies=[CsrfChecked])
async def record_contract(request: Request, user: Annotated[User, page_user("contracts")]):
    """econ records an up/down-stream contract; what is wrong is said beside its field with what was typed,
    outreach's refusal (a party not in the registry, the contract already recorded) in its words."""
    _econ(user, "登记产业链合同")
    form = await request.form()
    typed = {k: str(form.get(k, "")).strip() for k in CONTRACT_FIELDS}
    typed["supplier_uscc"], typed["buyer_uscc"] = typed["supplier_uscc"].upper(), typed["buyer_uscc"].upper()
    errors = _contract_errors(typed)
    duplicate = None
    if not errors:
        body = {"supplier_uscc": typed["supplier_uscc"], "buyer_uscc": typed["buyer_uscc"],
                "contract_yuan": wan_to_yuan(typed["contract_wan"]), "signed_on": typed["signed_on"],
                "evidence": typed["evidence"]}
        if typed["product_id"]:
            body["product_id"] = int(typed["product_id"])
        try:
            made = await api(request, user).post("outreach", "/contracts", json=body,
                                                 idempotency_key=_key(form, "contract"))
        except ServiceError as e:
            if e.status == 401:
                raise
            if e.code == "duplicate-contract":  # recorded once: the one already there, linked
                errors["evidence"], duplicate = refusal(e), e.extra.get("contract_id")
            else:
                field = next((f for f in e.fields if f in (*CONTRACT_FIELDS, "contract_yuan")), None)
                field = "contract_wan" if field == "contract_yuan" else field
                errors[field or "form"] = said_zh(e.fields.get(field or "", "")) if field and e.fields.get(field) \
                    else refusal(e)
        else:
            names = await names_of(request).load(usccs=[made["uscc"], made["buyer_uscc"]])
            flash(request, "ok", f"已登记合同：{_label(made, names)}。奖励服务据此自动核定产业生态奖励；"
                                 "当时不符合条件的，条件具备后可在“奖励申领”页申领。")
            return back_to(request, f"/contracts#contract-{made['id']}", "/contracts")
    return await _contracts(request, user, status=422, errors=errors, typed=typed, duplicate=duplicate)


# ---- 奖励申领 ---------------------------------------------------------------------------------------

async def _claims(request: Request, user: User, status: int = 200, **ctx):
    a = api(request, user)
    econ = user.role == "econ"
    award_id = str(ctx.pop("award_id", "") or "")
    contracts, listings, awards, shown_award = await asyncio.gather(
        a.all("outreach", "/contracts", cap=5000) if econ else nothing(),
        optional(a.all("finance", "/listings", stage="listed", cap=2000), []) if econ else nothing(),
        _claim_awards(request, user),
        optional(a.get("awards", f"/awards/{seg(award_id, '奖励')}")) if award_id.isdigit() else nothing())
    on_contract = _on_contract(awards)
    existing = ctx.get("existing")
    usccs = [c[k] for c in contracts or [] for k in ("uscc", "buyer_uscc") if c.get(k)]
    usccs += [x["uscc"] for x in (listings or [])] + [x.get("uscc") for x in (awards or [])[:100]]
    usccs += [x.get("uscc") for x in (shown_award, existing) if x]
    names = await names_of(request).load(usccs=usccs)
    contracts = sorted(contracts or [], key=lambda c: (c["id"] in on_contract and on_contract[c["id"]]["counts"],
                                                       -c["id"]))
    return render(request, "claims.html", status, contracts=contracts,
                  contract_labels={c["id"]: _label(c, names) for c in contracts}, on_contract=on_contract,
                  listings=sorted(listings or [], key=lambda x: (names.ent(x["uscc"]) or "\uffff", x["uscc"])),
                  awards=(awards or [])[:100], awards_known=awards is not None, shown_award=shown_award,
                  boards=BOARD_LABELS, explanation=explanation,
                  form_id=uuid.uuid4().hex, errors=ctx.pop("errors", {}), typed=ctx.pop("typed", {}), **ctx)


@router.get("/claims")
async def claims(request: Request, user: Annotated[User, page_user("claims")], contract_id: str = "",
                 uscc: str = "", award: str = ""):
    """The claims page; `contract_id` (from a contract's row) or `uscc` (a listed enterprise) chooses the fact,
    `award` shows the award a claim has just raised."""
    return await _claims(request, user, award_id=award, typed={"contract_id": contract_id.strip(),
                                                               "uscc": uscc.strip().upper()})


async def _claim(request: Request, user: User, body: dict, form, where: str, typed: dict):
    """Sends a claim: the award raised (its page), or the refusal beside the form `where`."""
    try:
        made = await api(request, user).post("awards", "/claims", json=body, idempotency_key=_key(form, where))
    except ServiceError as e:
        if e.status == 401:
            raise
        if e.code == "claim-exists" and e.extra.get("award_id"):  # one fact, one award: the one standing
            existing = await optional(api(request, user).get("awards", f"/awards/{int(e.extra['award_id'])}"))
            return await _claims(request, user, 409, typed=typed, existing=existing or {"id": e.extra["award_id"]},
                                 existing_for=where)
        field = next((f for f in e.fields if f in ("municipal_award_yuan", "municipal_award_ref")), None)
        if field:  # a value typed into the listing form: beside it
            name = "municipal_wan" if field == "municipal_award_yuan" else field
            errors = {name: said_zh(e.fields[field]) or refusal(e)}
        elif why := REFUSALS.get(e.code):
            errors = {where: f"不予奖励（{why}）：{refusal(e)}"}
        else:
            errors = {where: f"申领未成功：{refusal(e)}"}
        return await _claims(request, user, 409 if e.status == 409 else 422, typed=typed, errors=errors)
    names = await names_of(request).load(usccs=[made.get("uscc")])
    flash(request, "ok", f"已申领：{names.ent(made.get('uscc')) or made.get('uscc')}的"
                         f"{PROGRAM_LABELS.get(made['program'], '奖励')} {wan(made['amount_yuan'])}"
                         f"（{yuan(made['amount_yuan'])}），奖励 {made['id']}，"
                         f"{AWARD_STATE_LABELS.get(made['state'], '')}。")
    return back_to(request, f"/claims?award={made['id']}#result", "/claims")


@router.post("/claims/contract", dependencies=[CsrfChecked])
async def claim_contract(request: Request, user: Annotated[User, page_user("claims")]):
    """econ claims the award of a contract outreach recorded, chosen from the list (its kind is the programme)."""
    _econ(user, "申领奖励")
    form = await request.form()
    typed = {"contract_id": str(form.get("contract_id", "")).strip()}
    cid = typed["contract_id"]
    if not (cid.isascii() and cid.isdigit() and len(cid) <= 18):
        return await _claims(request, user, 422, typed=typed, errors={"contract": "请从列表中选择已登记的合同。"})
    try:
        contract = await api(request, user).get("outreach", f"/contracts/{int(cid)}")
    except ServiceError as e:
        if e.status == 401:
            raise
        return await _claims(request, user, 422, typed=typed, errors={"contract": f"找不到这份合同：{refusal(e)}"})
    return await _claim(request, user, {"program": contract["kind"], "contract_id": contract["id"]}, form,
                        "contract", typed)


@router.post("/claims/listing", dependencies=[CsrfChecked])
async def claim_listing(request: Request, user: Annotated[User, page_user("claims")]):
    """econ claims the listing award of an enterprise whose listing the finance office recorded: the municipal
    award's amount (万元, sent as whole 元) and its document."""
    _econ(user, "申领奖励")
    form = await request.form()
    typed = {k: str(form.get(k, "")).strip() for k in ("uscc", "municipal_wan", "municipal_award_ref")}
    typed["uscc"] = typed["uscc"].upper()
    errors = {}
    if not typed["uscc"]:
        errors["uscc"] = "请从列表中选择已上市的企业。"
    elif bad := uscc_error(typed["uscc"]):
        errors["uscc"] = f"统一社会信用代码无效（{reason_zh(bad)}）。"
    amount = wan_to_yuan(typed["municipal_wan"]) if typed["municipal_wan"] else None
    if not typed["municipal_wan"]:
        errors["municipal_wan"] = "请填写市级奖励金额（万元）。"
    elif not amount:
        errors["municipal_wan"] = "市级奖励金额应为大于 0 的万元数，最多四位小数，如 300。"
    if not typed["municipal_award_ref"]:
        errors["municipal_award_ref"] = "请填写市级奖励文件文号，如 京经信〔2026〕7号。"
    elif len(typed["municipal_award_ref"]) > 200:
        errors["municipal_award_ref"] = "文号不超过 200 字。"
    if errors:
        return await _claims(request, user, 422, typed=typed, errors=errors)
    body = {"program": "listing", "uscc": typed["uscc"], "municipal_award_yuan": amount,
            "municipal_award_ref": typed["municipal_award_ref"]}
    return await _claim(request, user, body, form, "uscc", typed)
