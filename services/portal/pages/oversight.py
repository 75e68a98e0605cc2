"""The validity cycle's reminders (到期提醒), the audit log (审计日志) and the policy parameters (政策参数)
of every service: reading them, running the reminder sweep now, adding a new version of the policy
(新增政策版本: several parameters from one date, all recorded or none) and withdrawing a version
not yet in force."""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from services.portal.backend import SERVICE_NAMES, ServiceError
from services.portal.labels import (AUDIT_OBJECT_LABELS, DEPARTMENT_LABELS, REMINDER_KIND_LABELS, ROLE_LABELS,
                                    TIER_LABELS, TIER_ORDER, param_key, param_list_labels, param_part, param_part_codes,
                                    param_part_value, param_value, said_zh)
from services.portal.names import names_of
from services.portal.pages.common import CsrfChecked, api, iso_day, optional, page_user, render, uscc_filter
from services.portal.session import PortalError, User, flash
from shared.clock import SHANGHAI, today

router = APIRouter()
# Who adds and withdraws policy versions in each service (its `policy_writers`): only shapes the
# page, the service checks again.
POLICY_WRITERS = {"registry": ("econ",), "awards": ("econ",), "talent": ("talent",), "finance": ("finance",),
                  "parks": ("econ",), "outreach": ("econ",)}
# The service a role opens the audit log and policy pages on first.
HOME_SERVICE = {"treasury": "awards", "talent": "talent", "finance": "finance"}


@router.get("/reminders")
async def reminders(request: Request, user: Annotated[User, page_user("reminders")], kind: str = "",
                    uscc: str = "", cursor: str = ""):
    kind = kind if kind in REMINDER_KIND_LABELS else ""
    code, bad = uscc_filter(uscc)
    if bad:  # said beside the filter, not "暂无提醒"
        return render(request, "reminders.html", 422, page={"items": []}, kind=kind, uscc=uscc,
                      kinds=REMINDER_KIND_LABELS, uscc_error=bad)
    page = await api(request, user).get("registry", "/reminders", kind=kind, uscc=code, cursor=cursor, limit=100)
    await names_of(request).load(usccs=[r.get("uscc") for r in page.get("items") or []])
    return render(request, "reminders.html", page=page, kind=kind, uscc=uscc, kinds=REMINDER_KIND_LABELS)


@router.post("/reminders/run", dependencies=[CsrfChecked])
async def run_reminders(request: Request, user: Annotated[User, page_user("reminders")]):
    if user.role != "econ":
        raise PortalError(403, f"您当前的角色（{ROLE_LABELS.get(user.role, user.role)}）不能运行到期检查。")
    try:
        r = await api(request, user).post("registry", "/admin/reminders/run", json=None)
    except ServiceError as e:
        if e.status == 401:
            raise
        flash(request, "error", f"到期检查未完成：{e.said()}")
    else:
        flash(request, "ok", f"已完成到期检查（{r['on']}）：新发出称号到期提醒 {r['title_lapse']} 条、年度数据更新提醒 "
                             f"{r['annual_update']} 条；已提醒过、未重复发出 {r['already_sent']} 条。")
    return RedirectResponse("/reminders", status_code=303)


def service_of(service: str, user: User) -> str:
    return service if service in SERVICE_NAMES else HOME_SERVICE.get(user.role, "registry")


def utc_bound(day: str, end: bool, what: str) -> str | None:
    """A Beijing date from the form as the UTC moment the audit log filters on (the day's start;
    for `until`, the next day's start, so the day itself is included)."""
    if not day.strip():
        return None
    try:
        d = dt.date.fromisoformat(day.strip())
    except ValueError:
        raise PortalError(422, f"{what}格式不正确：{day.strip()[:20]}（应为 年-月-日）。") from None
    try:  # 0001-01-01 or 9999-12-31: no UTC moment (OverflowError)
        start = dt.datetime.combine(d + dt.timedelta(days=1 if end else 0), dt.time(), SHANGHAI)
        return start.astimezone(dt.UTC).isoformat()
    except OverflowError:
        raise PortalError(422, f"{what}超出可查询的范围：{d.isoformat()}。") from None


@router.get("/audit-log")
async def audit_log(request: Request, user: Annotated[User, page_user("audit")], service: str = "",
                    object_type: str = "", object_id: str = "", actor: str = "", since: str = "", until: str = "",
                    cursor: str = ""):
    service = service_of(service, user)
    query = {"object_type": object_type.strip(), "object_id": object_id.strip(), "actor": actor.strip(),
             "since": since.strip(), "until": until.strip()}
    page = await optional(api(request, user).get(
        "registry" if service not in SERVICE_NAMES else service, "/audit-log", limit=50, cursor=cursor,
        object_type=query["object_type"], object_id=query["object_id"], actor=query["actor"],
        since=utc_bound(since, False, "起始日期"), until=utc_bound(until, True, "截止日期")))
    await names_of(request).load(parks=True)  # a park's id in a before/after: its name
    more = None
    if page and page.get("next_cursor"):
        more = "/audit-log?" + urlencode({"service": service, **query, "cursor": page["next_cursor"]})
    return render(request, "audit_log.html", page=page, service=service, services=SERVICE_NAMES, q=query,
                  objects=AUDIT_OBJECT_LABELS, roles=ROLE_LABELS, more=more, first=bool(cursor),
                  first_url="/audit-log?" + urlencode({"service": service, **query}))


async def _policy_page(request: Request, user: User, service: str, status: int = 200,
                       form: dict | None = None):
    a = api(request, user)
    in_force = await a.get(service, "/policy")
    history = await a.get(service, "/policy/history")
    by_key: dict[str, list[dict]] = {}
    for v in history.get("items") or []:
        by_key.setdefault(v["key"], []).append(v)
    current = {p["key"]: p["id"] for p in in_force.get("parameters") or []}
    may_write = user.role in POLICY_WRITERS.get(service, ())
    if may_write and form is None:
        form = _form(_bases(in_force, history))
    return render(request, "policy.html", status, service=service, services=SERVICE_NAMES, in_force=in_force,
                  by_key=by_key, current=current, today=today().isoformat(), may_withdraw=may_write,
                  form=form if may_write else None)


@router.get("/policy")
async def policy(request: Request, user: Annotated[User, page_user("policy")], service: str = ""):
    return await _policy_page(request, user, service_of(service, user))


# -- 新增政策版本: the form -----------------------------------------------------------------------
# Each parameter is a field shaped by its current value's kind: a whole number, yes/no, a tier or a
# department (a select, by name), text, a list (codes separated by commas), a table of such values
# (one field per part: a year's targets, a routing, a park dimension), or anything deeper as JSON.
# The portal only turns what was typed into the value's kind; the service checks the values again
# (kind, range, a version already from that date) and records all of them or none.
ROUTING_PARAMS = {"service_package.routing"}
LIST_SPLIT = re.compile(r"[,，、;；\s]+")


def _bases(in_force: dict, history: dict) -> dict[str, dict]:
    """Each parameter's version a new one starts from ({id, value}): the one in force today (a
    parameter with only later versions: its latest one not withdrawn), by key."""
    bases = {p["key"]: p for p in in_force.get("parameters") or []}
    latest = {v["key"]: v for v in history.get("items") or [] if not v.get("withdrawn_at")}  # by date
    return {k: {"id": v["id"], "value": v["value"]} for k, v in sorted({**latest, **bases}.items())}


def _widget(value: Any, key: str = "") -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        if key in ROUTING_PARAMS and value in DEPARTMENT_LABELS:
            return "department"
        return "tier" if value in TIER_LABELS else "text"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "list"
    return "json"


def _shown(value: Any, widget: str) -> str:
    """A value as the field shows it, to be edited."""
    if widget == "bool":
        return "true" if value else "false"
    if widget == "list":
        return ", ".join(value)
    if widget == "json":
        return json.dumps(value, ensure_ascii=False, indent=1)
    return str(value)


def _no_constant(name: str):
    """JSON's NaN and Infinity are not numbers a parameter may hold (nor does PostgreSQL's JSON)."""
    raise ValueError(name)


def _parse(raw: str, widget: str) -> tuple[Any, str | None]:
    """What was typed as a value of the widget's kind, or why it is not one (in Chinese)."""
    text = raw.strip()
    if widget == "bool":
        return (text == "true", None) if text in ("true", "false") else (None, "请选择“是”或“否”")
    if widget == "int":
        digits = text.replace(",", "").replace("，", "").replace(" ", "")
        if digits.isascii() and digits.isdigit() and len(digits) <= 30:
            return int(digits), None
        return None, "应为不小于 0 的整数"
    if widget == "float":
        try:
            number = float(text)
        except ValueError:
            return None, "应为数字"
        return (number, None) if math.isfinite(number) else (None, "应为有限的数字")
    if widget == "list":
        return [v for v in LIST_SPLIT.split(text) if v], None
    if widget == "json":
        try:
            return json.loads(text, parse_constant=_no_constant), None
        except ValueError:
            return None, "不是有效的 JSON，请检查括号、引号和逗号（不能有 NaN、Infinity）"
    return text, None


def _field(key: str, base: Any, typed: dict[str, str] | None = None) -> dict:
    """One parameter's field: its name in words, the value it starts from, and what was typed."""
    typed = typed or {}
    name = f"v|{key}"
    field = {"key": key, "words": param_key(key), "name": name, "error": None}
    if isinstance(base, dict) and base and all(_widget(v, key) != "json" and not isinstance(v, list)
                                               for v in base.values()):
        field["widget"] = "table"
        field["parts"] = [{"part": part, "words": param_part(part, key), "widget": (w := _widget(v, key)),
                           "name": f"{name}|{part}", "raw": typed.get(f"{name}|{part}", _shown(v, w)),
                           "codes": param_part_codes(part, key) if w == "text" else None}  # a measure's codes, named
                          for part, v in base.items()]
    else:
        field["widget"] = w = _widget(base, key)
        field["raw"] = typed.get(name, _shown(base, w))
        if w == "list":  # the field holds codes: each named beside it (a board's "sme" is 中小板)
            field["codes"] = param_list_labels(key)
    return field


def _form(bases: dict[str, dict], typed: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> dict:
    """The form: each field prefilled from its base version (whose id it carries back, so that a
    version added meanwhile is noticed, never undone), or with what was typed."""
    typed, errors = typed or {}, errors or {}
    fields = [_field(k, b["value"], typed) | {"base_id": b["id"]} for k, b in bases.items()]
    for f in fields:
        f["error"] = errors.get(f["key"])
    return {"fields": fields, "effective_from": typed.get("effective_from", ""),
            "legal_ref": typed.get("legal_ref", ""), "errors": errors, "form_id": uuid.uuid4().hex,
            "tiers": {t: TIER_LABELS[t] for t in TIER_ORDER}, "departments": DEPARTMENT_LABELS}


def _value_of(field: dict, base: Any, typed: dict[str, str]) -> tuple[Any, str | None]:
    """The value a field's typed text stands for, or why it stands for none. A field the form did
    not send (a page older than the parameter) keeps the value it starts from."""
    if field["widget"] != "table":
        if field["name"] not in typed:
            return base, None
        value, why = _parse(typed[field["name"]], field["widget"])
        return _as_codes(value, field.get("codes")), why
    value, why = {}, []
    for p in field["parts"]:
        v, err = _parse(typed[p["name"]], p["widget"]) if p["name"] in typed else (base[p["part"]], None)
        if err:
            why.append(f"{p['words']}：{err}")
        value[p["part"]] = _as_codes(v, p.get("codes"))
    return (None, "；".join(why)) if why else (value, None)


def _as_codes(value: Any, codes: dict[str, str] | None) -> Any:
    """A label typed where its code belongs (主板 for main) is taken as the code; anything else is
    sent as typed, for the service to accept or refuse."""
    if not codes:
        return value
    by_label = {label: code for code, label in codes.items()}
    if isinstance(value, list):
        return [by_label.get(v, v) for v in value]
    return by_label.get(value, value) if isinstance(value, str) else value


def _said(value: Any, key: str) -> str:
    """A value for the sentence that confirms a new version: a table part by part, in words."""
    if isinstance(value, dict) and all(isinstance(v, (bool, int, float, str)) for v in value.values()):
        return "（" + "，".join(f"{param_part(k, key)} {param_part_value(k, v, key)}" for k, v in value.items()) + "）"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return param_value(value, key)  # the codes as labels
    if isinstance(value, (dict, list)):
        return "（结构化取值，见下方版本列表）"
    return param_value(value)


@router.post("/policy/{service}/versions", dependencies=[CsrfChecked])
async def add_version(request: Request, service: str, user: Annotated[User, page_user("policy")]):
    """新增政策版本: the parameters whose typed value differs from the one they start from, from one
    date on one legal reference, sent together (the service records all or none). A field the
    portal cannot read, or the service's refusal of a value, is said beside that field with what
    was typed kept (422), and nothing is changed."""
    if service not in SERVICE_NAMES:
        raise PortalError(404, "没有这个服务。")
    if user.role not in POLICY_WRITERS.get(service, ()):
        raise PortalError(403, f"您当前的角色（{ROLE_LABELS.get(user.role, user.role)}）不能新增"
                               f"{SERVICE_NAMES[service]}的政策版本。")
    data = await request.form()
    typed = {k: str(v) for k, v in data.items() if (k.startswith("v|") or k in ("effective_from", "legal_ref"))
             and isinstance(v, str)}
    started = {k[2:]: str(v) for k, v in data.items() if k.startswith("b|")}  # the version each field showed
    form_id = str(data.get("form_id") or "")
    a = api(request, user)
    history = await a.get(service, "/policy/history")
    bases = _bases(await a.get(service, "/policy"), history)
    versions = {str(v["id"]): v["value"] for v in history.get("items") or []}
    errors: dict[str, str] = {}
    effective = iso_day(typed.get("effective_from"))
    day = effective.isoformat() if effective else ""
    if not day:
        typed_day = typed.get("effective_from", "").strip()
        errors["effective_from"] = (f"日期格式不正确：{typed_day[:20]}（应为 年-月-日）" if typed_day
                                    else "请填写生效日期（年-月-日）")
    legal_ref = typed.get("legal_ref", "").strip()
    if not legal_ref:
        errors["legal_ref"] = "请填写政策依据（如文件名称和条款）"
    changed: dict[str, Any] = {}
    unchanged: set[str] = set()
    for key, base in bases.items():
        start = versions.get(started.get(key, ""), base["value"])  # what the field was prefilled with
        value, why = _value_of(_field(key, base["value"]), start, typed)
        if why:
            errors[key] = why
        elif value == start:
            unchanged.add(key)  # left as shown: never sent, even if a newer version came meanwhile
        elif started.get(key, str(base["id"])) != str(base["id"]):
            errors[key] = (f"打开本页后，该参数已有新的现行取值（{_said(base['value'], key)}）：请核对后再提交，"
                           "再次提交即以您填写的取值为准。")
        elif value != base["value"]:
            changed[key] = value
    # On the page again: what was typed, except fields left as shown (prefilled anew, from today's versions).
    typed = {k: v for k, v in typed.items() if not any(k == f"v|{u}" or k.startswith(f"v|{u}|") for u in unchanged)}
    if not changed and not any(k in bases for k in errors):
        errors["form"] = "没有修改任何参数：请改动要调整的参数的取值，其余保持原值。"
    if errors:
        return await _policy_page(request, user, service, 422, _form(bases, typed, errors))
    try:
        done = await a.post(service, "/policy/versions", json={"effective_from": day, "legal_ref": legal_ref,
                                                                "values": changed},
                            idempotency_key=f"portal-{form_id}-policy" if form_id else None)
    except ServiceError as e:
        if e.status == 401:
            raise
        said = {k: said_zh(v) if v else "取值不符合要求" for k, v in e.fields.items()}
        errors = {k: said.pop(k) for k in [*changed, "effective_from", "legal_ref"] if k in said}
        errors["form"] = "新版本未记录，没有参数被改变" + (f"：{e.said()}" if not errors or said else "，见各参数旁的说明。")
        return await _policy_page(request, user, service, 422, _form(bases, typed, errors))
    items = done.get("items") or []
    if day < today().isoformat():  # a back-dated version: say what it changes, not "from today's value"
        flash(request, "ok", f"已新增追溯版本（自 {day} 起生效，早于今天）：" + "；".join(
            f"{param_key(v['key'])} 自 {day} 起为 {_said(v['value'], v['key'])}" for v in items)
            + f"。{day} 之后的已有版本仍自其各自日期起适用，今天生效的取值见下表；已作出的奖励和指标决定不变"
              "（各自记载当时的依据），此后按该期间日期判断的事项使用新取值。已生效的版本不能撤回。")
    else:
        flash(request, "ok", f"已新增政策版本（自 {day} 起生效）：" + "；".join(
            f"{param_key(v['key'])} 由 {_said(bases[v['key']]['value'], v['key'])} 改为 {_said(v['value'], v['key'])}"
            for v in items)
            + "。尚未生效的版本如有错误，可在生效前撤回。")
    return RedirectResponse(f"/policy?service={service}", status_code=303)


@router.post("/policy/{service}/{version_id}/withdraw", dependencies=[CsrfChecked])
async def withdraw(request: Request, service: str, version_id: int, user: Annotated[User, page_user("policy")],
                   reason: Annotated[str, Form()] = "", form_id: Annotated[str, Form()] = ""):
    if service not in SERVICE_NAMES:
        raise PortalError(404, "没有这个服务。")
    back = f"/policy?service={service}#version-{version_id}"
    if len(reason.strip()) < 2:
        flash(request, "error", f"参数版本 {version_id} 未撤回：请填写撤回理由。")
        return RedirectResponse(back, status_code=303)
    try:
        v = await api(request, user).post(service, f"/policy/{version_id}/withdraw", json={"reason": reason.strip()},
                                          idempotency_key=f"portal-{form_id}-withdraw-{version_id}" if form_id else None)
    except ServiceError as e:
        if e.status == 401:
            raise
        flash(request, "error", f"参数版本 {version_id} 未撤回：{e.said()}")
    else:
        flash(request, "ok", f"已撤回参数版本 {v['id']}（原定 {v['effective_from']} 生效）：该版本不会生效，"
                             "可在同一日期发布更正后的版本。")
    return RedirectResponse(back, status_code=303)
