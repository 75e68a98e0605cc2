"""The treasury's payments (支付, issue 19): the approved awards waiting to be paid, the payees' bank
accounts (shown masked), the payment batches built from the queue, their file for the payment system,
and the payment system's result read back. The awards service keeps the accounts, builds the batches,
writes the file and decides what a result does; the portal shows and forwards."""
from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from services.portal.backend import ServiceError
from services.portal.names import names_of
from services.portal.pages.common import CsrfChecked, api, back_to, page_user, render
from services.portal.session import PortalError, User, flash

router = APIRouter()

BATCH_STATES = {"draft": "草稿（未导出）", "exported": "已导出，待回盘", "settled": "已办结", "cancelled": "已取消"}
RESULTS = {"paid": "已支付", "returned": "已退回"}
PAYEE_KINDS = {"enterprise": "企业", "park": "园区运营方", "intermediary": "中介机构", "bank": "银行"}
# Which field of the payee form a refusal of the awards service is about (said beside it).
PAYEE_WORDS = (("账号", "account"), ("开户行", "bank_name"), ("户名", "name"), ("类型", "kind"), ("收款方", "ref"))
MAX_RESULT_FILE = 5 * 1024 * 1024


async def _names(request: Request, items: list[dict]):
    return await names_of(request).load(
        usccs=[x.get("uscc") for x in items] + [x["payee"] for x in items if x.get("payee_type") == "enterprise"],
        parks=any(x.get("payee_type") == "park" for x in items),
        intermediaries=[x["payee"] for x in items if x.get("payee_type") == "intermediary"])


async def _page(request: Request, user: User, status: int = 200, **ctx):
    a = api(request, user)
    queue = await a.get("awards", "/payment-queue")
    batches = await a.all("awards", "/payment-batches", cap=200)
    payees = await a.all("awards", "/payees", cap=500)
    await _names(request, queue["items"])
    return render(request, "payments.html", status, queue=queue, batches=batches, payees=payees, states=BATCH_STATES,
                  kinds=PAYEE_KINDS, form_id=uuid.uuid4().hex, **ctx)


@router.get("/payments")
async def payments(request: Request, user: Annotated[User, page_user("payments")]):
    return await _page(request, user)


def _payee_form(kind: str, ref: str, name: str, bank_name: str, account: str) -> tuple[dict, dict]:
    """The payee body from the form, or what is missing beside each field (in Chinese)."""
    errors = {}
    if kind not in PAYEE_KINDS:
        errors["kind"] = "请选择收款方类型。"
    for field, value, said in (("ref", ref, "请填写奖励所载的收款方（统一社会信用代码、园区编号或中介机构名称）。"),
                               ("name", name, "请填写户名。"), ("bank_name", bank_name, "请填写开户行。"),
                               ("account", account, "请填写银行账号。")):
        if not value.strip():
            errors[field] = said
    body = {"kind": kind, "ref": ref.strip(), "name": name.strip(), "bank_name": bank_name.strip(),
            "account": account.strip()}
    return ({} if errors else body), errors


@router.post("/payments/payees", dependencies=[CsrfChecked])
async def set_payee(request: Request, user: Annotated[User, page_user("payments")],
                    kind: Annotated[str, Form()] = "", ref: Annotated[str, Form()] = "",
                    name: Annotated[str, Form()] = "", bank_name: Annotated[str, Form()] = "",
                    account: Annotated[str, Form()] = ""):
    """The treasury sets a payee's account; a refusal is said beside its field, the typed values kept
    (but the account number: never sent back to the page)."""
    if user.role != "treasury":
        raise PortalError(403, "只有区财政局可以登记收款方账户。")
    typed = {"kind": kind, "ref": ref, "name": name, "bank_name": bank_name}
    body, errors = _payee_form(kind, ref, name, bank_name, account)
    if not errors:
        try:
            p = await api(request, user).call("awards", "PUT", "/payees", json=body)
        except ServiceError as e:
            if e.status in (401, 403):
                raise
            said = e.said()
            errors[next((f for word, f in PAYEE_WORDS if word in said), "account")] = said
        else:
            flash(request, "ok", f"已登记收款方“{p['name']}”，账号 {p['account_masked']}。")
            return back_to(request, "/payments#payees", "/payments")
    return await _page(request, user, 422, payee_errors=errors, typed=typed)


@router.post("/payments/batches", dependencies=[CsrfChecked])
async def build_batch(request: Request, user: Annotated[User, page_user("payments")],
                      award_id: Annotated[list[int], Form()] = (), note: Annotated[str, Form()] = "",
                      form_id: Annotated[str, Form()] = ""):
    """A batch of the ticked awards (the awards service checks each: all or none)."""
    if user.role != "treasury":
        raise PortalError(403, "只有区财政局可以生成支付批次。")
    ids = sorted(set(award_id))[:1000]
    if not ids:
        return await _page(request, user, 422, batch_error="请先勾选要支付的奖励。")
    body = {"award_ids": ids, **({"note": note.strip()} if note.strip() else {})}
    try:
        b = await api(request, user).post("awards", "/payment-batches", json=body,
                                          idempotency_key=f"portal-{form_id}-batch" if form_id else None)
    except ServiceError as e:
        if e.status in (401, 403):
            raise
        return await _page(request, user, 422, batch_error=e.said())
    flash(request, "ok", f"已生成支付批次 {b['number']}：{b['count']} 笔，合计 {b['amount_yuan']:,} 元。请导出支付文件。")
    return back_to(request, f"/payments/batches/{b['id']}", "/payments")


async def _batch(request: Request, user: User, bid: int, status: int = 200, **ctx):
    b = await api(request, user).get("awards", f"/payment-batches/{bid}")
    return render(request, "payments_batch.html", status, b=b, states=BATCH_STATES, results=RESULTS, **ctx)


@router.get("/payments/batches/{bid}")
async def batch(request: Request, bid: int, user: Annotated[User, page_user("payments")]):
    return await _batch(request, user, bid)


@router.get("/payments/batches/{bid}/export.{fmt}")
async def export(request: Request, bid: int, fmt: str, user: Annotated[User, page_user("payments")]):
    """The payment system's file, as the awards service writes it (treasury only: it holds the accounts)."""
    if fmt not in ("xlsx", "csv"):
        raise PortalError(404, "没有这个导出文件。")
    r = await api(request, user).download("awards", f"/payment-batches/{bid}/export", format=fmt)
    headers = {k: v for k, v in r.headers.items() if k.lower() in ("content-type", "content-disposition")}
    return Response(r.content, headers=headers)


@router.post("/payments/batches/{bid}/result", dependencies=[CsrfChecked])
async def result(request: Request, bid: int, user: Annotated[User, page_user("payments")],
                 file: Annotated[UploadFile | None, File()] = None):
    """The payment system's result file forwarded as it is; what is wrong (by line) is said beside the field."""
    if user.role != "treasury":
        raise PortalError(403, "只有区财政局可以登记支付结果。")
    if file is None or not file.filename:
        return await _batch(request, user, bid, 422, result_error="请选择支付系统的回盘文件（CSV 或 XLSX）。")
    content = await file.read(MAX_RESULT_FILE + 1)
    if len(content) > MAX_RESULT_FILE:
        return await _batch(request, user, bid, 422, result_error="文件超过 5 MB，请检查是否选错了文件。")
    try:
        b = await api(request, user).call("awards", "POST", f"/payment-batches/{bid}/result", content=content)
    except ServiceError as e:
        if e.status in (401, 403, 404):
            raise
        return await _batch(request, user, bid, 422, result_error=e.zh, result_lines=e.errors)
    flash(request, "ok", f"已登记支付结果：已支付 {b['paid_count']} 笔，已退回 {b['returned_count']} 笔"
                         f"（退回的奖励已回到待支付）；批次状态：{BATCH_STATES.get(b['state'], b['state'])}。")
    return back_to(request, f"/payments/batches/{bid}", "/payments")


@router.post("/payments/batches/{bid}/cancel", dependencies=[CsrfChecked])
async def cancel(request: Request, bid: int, user: Annotated[User, page_user("payments")],
                 reason: Annotated[str, Form()] = ""):
    """A draft batch cancelled with its reason: its awards back in the queue (the awards service refuses an
    exported batch; what it says is shown beside the field)."""
    if user.role != "treasury":
        raise PortalError(403, "只有区财政局可以取消支付批次。")
    if not reason.strip():
        return await _batch(request, user, bid, 422, cancel_error="请填写取消原因。")
    try:
        b = await api(request, user).post("awards", f"/payment-batches/{bid}/cancel", json={"reason": reason.strip()})
    except ServiceError as e:
        if e.status in (401, 403, 404):
            raise
        return await _batch(request, user, bid, 422, cancel_error=e.said())
    flash(request, "ok", f"已取消支付批次 {b['number']}：{b['count']} 笔奖励已回到待支付（仍为已批准，预算仍预留）。")
    return back_to(request, f"/payments/batches/{bid}", "/payments")
