"""Correcting the record (issue 18): an enterprise's facts, its departure (moved out or closed), and
a certification entered by mistake (作废); and a service request the enterprise made by phone or in
person, logged for it. The registry decides and audits; a refusal is shown beside the form it came
from, on the enterprise's page, with what was typed."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from services.portal.backend import ServiceError
from services.portal.labels import REQUEST_CATEGORY_LABELS, ROLE_LABELS, TIER_LABELS
from services.portal.names import names_of
from services.portal.pages.common import CsrfChecked, api, page_user, seg
from services.portal.pages.enterprises import enterprise_page
from services.portal.session import PortalError, User, flash

router = APIRouter()
DEPARTURES = {"moved_out": "迁出本区", "closed": "注销"}


def econ_only(user: User, what: str) -> None:
    if user.role != "econ":
        raise PortalError(403, f"您当前的角色（{ROLE_LABELS.get(user.role, user.role)}）不能{what}，请由区经信局办理。")


def key_of(form_id: str, what: str) -> str | None:
    """The Idempotency-Key of a rendered form: a double submission changes nothing."""
    return f"portal-{form_id}-{what}" if form_id else None


async def refused(request: Request, user: User, uscc: str, form: str, e: ServiceError, typed: dict):
    """The enterprise page again, the service's reason beside the form (`form`), what was typed kept."""
    if e.status == 401:
        raise e
    return await enterprise_page(request, user, uscc, status=e.status if 400 <= e.status < 500 else 200,
                                 failed={form: e}, typed=typed)


@router.post("/enterprises/{uscc}/correct", dependencies=[CsrfChecked])
async def correct(request: Request, uscc: str, user: Annotated[User, page_user("enterprises")],
                  name: Annotated[str, Form()] = "", township: Annotated[str, Form()] = "",
                  park_id: Annotated[str, Form()] = "", industry_code: Annotated[str, Form()] = "",
                  reason: Annotated[str, Form()] = "", form_id: Annotated[str, Form()] = ""):
    """更正企业信息: every field of the form is sent (an empty park, township or industry clears it; the
    name is never cleared); the registry changes what differs and audits it."""
    econ_only(user, "更正企业信息")
    typed = {"name": name, "township": township, "park_id": park_id, "industry_code": industry_code, "reason": reason}
    body = {k: (v.strip() or None) for k, v in typed.items() if k != "name"}
    if name.strip():
        body["name"] = name.strip()
    try:
        e = await api(request, user).patch("registry", f"/enterprises/{seg(uscc, '企业')}", json=body)
    except ServiceError as err:
        return await refused(request, user, uscc, "correct", err, typed)
    park = (await names_of(request).load(parks=True)).park(e["park_id"]) if e.get("park_id") else "无"
    flash(request, "ok", f"已更正企业信息：{e.get('name', '')}（乡镇/街道：{e.get('township') or '未填'}，"
                         f"园区：{park}）。")
    return RedirectResponse(f"/enterprises/{seg(uscc, '企业')}", status_code=303)


@router.post("/enterprises/{uscc}/departure", dependencies=[CsrfChecked])
async def departure(request: Request, uscc: str, user: Annotated[User, page_user("enterprises")],
                    status: Annotated[str, Form()] = "", on: Annotated[str, Form()] = "",
                    reason: Annotated[str, Form()] = "", form_id: Annotated[str, Form()] = ""):
    """迁出 / 注销: the registry records it and each department ends what it must (awards withheld,
    quotas and the list entry ended)."""
    econ_only(user, "记录迁出或注销")
    typed = {"status": status, "on": on, "reason": reason}
    missing = [label for label, v in (("类型", status), ("日期", on), ("说明", reason)) if not v.strip()]
    if missing:
        err = ServiceError(422, f"未记录：请填写{'、'.join(missing)}。")
        return await refused(request, user, uscc, "departure", err, typed)
    body = {"status": status.strip(), "on": on.strip(), "reason": reason.strip()}
    try:
        e = await api(request, user).post("registry", f"/enterprises/{seg(uscc, '企业')}/departure", json=body,
                                          idempotency_key=key_of(form_id, "departure"))
    except ServiceError as err:
        return await refused(request, user, uscc, "departure", err, typed)
    flash(request, "ok", f"已记录{DEPARTURES.get(e.get('status'), '迁出或注销')}（{e.get('status_on') or body['on']}）："
                         "其未兑付奖励暂停，落户指标与金融服务名单随之终止。")
    return RedirectResponse(f"/enterprises/{seg(uscc, '企业')}", status_code=303)


@router.post("/enterprises/{uscc}/requests", dependencies=[CsrfChecked])
async def log_request(request: Request, uscc: str, user: Annotated[User, page_user("enterprises")],
                      category: Annotated[str, Form()] = "", summary: Annotated[str, Form()] = "",
                      opened_on: Annotated[str, Form()] = "", form_id: Annotated[str, Form()] = ""):
    """登记诉求: a request the enterprise made by phone or in person, logged for it by the bureau (the
    enterprise's own page opens one itself); the registry routes it to its department and sets its due day."""
    econ_only(user, "代企业登记诉求")
    typed = {"category": category, "summary": summary, "opened_on": opened_on}
    missing = [label for label, v in (("类别", category if category in REQUEST_CATEGORY_LABELS else ""),
                                      ("诉求内容", summary)) if not v.strip()]
    if missing:
        return await refused(request, user, uscc, "request", ServiceError(422, f"请填写{'、'.join(missing)}。"), typed)
    body = {"uscc": uscc.strip(), "category": category, "summary": summary.strip(),
            **({"opened_on": opened_on.strip()} if opened_on.strip() else {})}
    try:
        r = await api(request, user).post("registry", "/service-requests", json=body,
                                          idempotency_key=key_of(form_id, "request"))
    except ServiceError as err:
        return await refused(request, user, uscc, "request", err, typed)
    flash(request, "ok", f"已登记诉求（编号 {r['id']}，{REQUEST_CATEGORY_LABELS.get(r['category'], '其他')}），"
                         f"由{ROLE_LABELS.get(r['department'], '承办部门')}办理，办理时限至 {r['due_on']}。")
    return RedirectResponse(f"/enterprises/{seg(uscc, '企业')}#tl", status_code=303)


@router.post("/certifications/{cert_id}/void", dependencies=[CsrfChecked])
async def void(request: Request, cert_id: int, user: Annotated[User, page_user("enterprises")],
               uscc: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
               form_id: Annotated[str, Form()] = ""):
    """作废 a certification entered by mistake (not a revocation: no ban; unpaid awards withdrawn, paid
    ones flagged for the treasury, future quotas cancelled)."""
    econ_only(user, "作废认定")
    if not uscc.strip():
        raise PortalError(422, "请求参数不正确（统一社会信用代码），请从企业页面操作。")
    back = f"/enterprises/{seg(uscc.strip(), '企业')}"  # before the registry is asked: a bad one voids nothing
    typed = {"cert_id": cert_id, "reason": reason}
    if len(reason.strip()) < 2:
        err = ServiceError(422, "请填写作废原因（至少 2 个字）。")
        return await refused(request, user, uscc, f"void-{cert_id}", err, typed)
    try:
        c = await api(request, user).post("registry", f"/certifications/{cert_id}/void",
                                          json={"reason": reason.strip()},
                                          idempotency_key=key_of(form_id, f"void-{cert_id}"))
    except ServiceError as err:
        return await refused(request, user, uscc, f"void-{cert_id}", err, typed)
    flash(request, "ok", f"认定 {c['id']} 已作废（{c.get('voided_on') or ''}）：视为从未认定；未兑付的奖励撤回，"
                         "已拨付的提请区财政局核处。")
    return RedirectResponse(back, status_code=303)


@router.post("/enterprises/{uscc}/certifications", dependencies=[CsrfChecked])
async def certify(request: Request, uscc: str, user: Annotated[User, page_user("enterprises")],
                  tier: Annotated[str, Form()] = "", recognized_on: Annotated[str, Form()] = "",
                  batch: Annotated[str, Form()] = "", form_id: Annotated[str, Form()] = ""):
    """登记认定: one certification the municipal or national list recognised (a list: the import)."""
    econ_only(user, "登记认定")
    typed = {"tier": tier, "recognized_on": recognized_on, "batch": batch}
    missing = [label for label, v in (("称号", tier if tier in TIER_LABELS else ""), ("认定日期", recognized_on))
               if not v.strip()]
    if missing:
        return await refused(request, user, uscc, "certify", ServiceError(422, f"请填写{'、'.join(missing)}。"), typed)
    body = {"tier": tier, "recognized_on": recognized_on.strip(), **({"batch": batch.strip()} if batch.strip() else {})}
    try:
        c = await api(request, user).post("registry", f"/enterprises/{seg(uscc, '企业')}/certifications", json=body,
                                          idempotency_key=key_of(form_id, "certify"))
    except ServiceError as err:
        return await refused(request, user, uscc, "certify", err, typed)
    flash(request, "ok", f"已登记认定：{TIER_LABELS.get(c['tier'], c['tier'])}（{c['recognized_on']}，有效期至 "
                         f"{c.get('expires_on') or '—'}）。各部门按各自的政策参数办理该称号享有的奖励、落户指标和金融服务名单"
                         "（不享有的不办理），结果见企业时间线。")
    return RedirectResponse(f"/enterprises/{seg(uscc, '企业')}#cert-{c['id']}", status_code=303)


@router.post("/certifications/{cert_id}/revoke", dependencies=[CsrfChecked])
async def revoke(request: Request, cert_id: int, user: Annotated[User, page_user("enterprises")],
                 uscc: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
                 revoked_on: Annotated[str, Form()] = "", for_cause: Annotated[str, Form()] = "",
                 form_id: Annotated[str, Form()] = ""):
    """撤销 a certification: for cause (a ban; its awards taken back) or not (the title ends on its date)."""
    econ_only(user, "撤销认定")
    if not uscc.strip():
        raise PortalError(422, "请求参数不正确（统一社会信用代码），请从企业页面操作。")
    back = f"/enterprises/{seg(uscc.strip(), '企业')}"  # before the registry is asked: a bad one revokes nothing
    typed = {"cert_id": cert_id, "reason": reason, "revoked_on": revoked_on}
    if len(reason.strip()) < 2:
        err = ServiceError(422, "请填写撤销原因（至少 2 个字）。")
        return await refused(request, user, uscc, f"revoke-{cert_id}", err, typed)
    body = {"reason": reason.strip(), "for_cause": for_cause == "1",
            **({"revoked_on": revoked_on.strip()} if revoked_on.strip() else {})}
    try:
        c = await api(request, user).post("registry", f"/certifications/{cert_id}/revoke", json=body,
                                          idempotency_key=key_of(form_id, f"revoke-{cert_id}"))
    except ServiceError as err:
        return await refused(request, user, uscc, f"revoke-{cert_id}", err, typed)
    flash(request, "ok", f"认定 {c['id']} 已撤销（{c.get('revoked_on') or ''}）" +
          ("：因故撤销，未兑付的奖励驳回、已拨付的追回。" if body["for_cause"] else "。"))
    return RedirectResponse(back, status_code=303)
