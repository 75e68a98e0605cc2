"""A township or street office's page (乡镇/街道): its own enterprises, the visits it records to them
(走访), and the policy sessions it holds (政策宣讲会) with who attended. The registry scopes every read
and write to the signed-in township (readable(who)); the portal shows and forwards."""
from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Request

from services.portal.pages.common import CsrfChecked, api, attempt, back_to, page_user, render
from services.portal.session import User, flash
from shared.validators import reason_zh, uscc_error

router = APIRouter()
FORMS = {"visit": "走访", "session": "宣讲会", "attendance": "参会登记"}


async def _page(request: Request, user: User, status: int = 200, **ctx):
    a = api(request, user)
    ents, visits, sessions = await asyncio.gather(
        a.all("registry", "/enterprises", cap=1000), a.get("registry", "/visits", limit=50),
        a.get("registry", "/policy-sessions", limit=50))
    return render(request, "township.html", status, enterprises=ents, visits=visits["items"],
                  sessions=sessions["items"], names_by_uscc={e["uscc"]: e["name"] for e in ents},
                  form_id=uuid.uuid4().hex, **ctx)


@router.get("/township")
async def township(request: Request, user: Annotated[User, page_user("township")]):
    return await _page(request, user)


def _missing(form: dict, fields: dict[str, str]) -> str | None:
    empty = [label for name, label in fields.items() if not (form.get(name) or "").strip()]
    return f"请填写{'、'.join(empty)}。" if empty else None


@router.post("/township/{what}", dependencies=[CsrfChecked])
async def record(request: Request, what: str, user: Annotated[User, page_user("township")]):
    """Records a visit, a session or an attendance; a missing field or the registry's refusal is said
    beside that form, with what was typed."""
    if what not in FORMS:
        return back_to(request, "/township", "/township")
    form = {k: str(v) for k, v in (await request.form()).items()}
    error = await submit(request, user, what, form, user.org)
    if error:
        return await _page(request, user, 422, failed={what: error}, typed={what: form})
    flash(request, "ok", f"{FORMS[what]}已登记。")
    return back_to(request, f"/township#{what}", "/township")


async def submit(request: Request, user: User, what: str, form: dict, township: str) -> str | None:
    """A visit, a session (held in `township`) or an attendance sent to the registry: None when
    recorded, else what is wrong (a missing field, or the registry's refusal in its words)."""
    a = api(request, user)
    key = f"portal-{form.get('form_id')}-{what}" if form.get("form_id") else None
    form = {**form, "uscc": form.get("uscc", "").strip().upper()}
    if what == "visit":
        error = _missing(form, {"uscc": "企业", "visited_on": "走访日期", "visitors": "走访人员", "findings": "走访发现"})
        call = ("POST", "/visits", {k: form.get(k, "").strip() for k in ("uscc", "visited_on", "visitors", "findings")})
    elif what == "session":
        error = _missing(form, {"title": "名称", "held_on": "举办日期", "topic": "主题"})
        body = {"title": form.get("title", "").strip(), "held_on": form.get("held_on", ""), "topic": form.get("topic", "").strip(),
                "township": township, **({"venue": form["venue"].strip()} if form.get("venue", "").strip() else {})}
        call = ("POST", "/policy-sessions", body)
    else:
        error = _missing(form, {"session_id": "宣讲会", "uscc": "企业", "attendees": "参会人数"})
        n = form.get("attendees", "").strip()
        if not error and not (n.isascii() and n.isdigit() and len(n) <= 5 and 1 <= int(n) <= 10000):
            error = "参会人数须为 1 至 10000 的整数。"
        call = ("PUT", f"/policy-sessions/{form.get('session_id', '').strip()}/attendance/{form.get('uscc', '').strip()}",
                {"attendees": int(n) if n.isascii() and n.isdigit() and len(n) <= 5 else 0})
    uscc = form.get("uscc", "")
    if error is None and what != "session" and (bad := uscc_error(uscc)):  # typed by econ: never sent as a path unchecked
        error = f"统一社会信用代码无效（{reason_zh(bad)}）：{uscc[:30]}。"
    if error is None and what == "attendance" and not form.get("session_id", "").strip().isdigit():
        error = "请选择宣讲会。"
    if error is None:
        method, path, body = call
        _, error = await attempt(a.call("registry", method, path, json=body,
                                        **({"idempotency_key": key} if method == "POST" else {})))
    return error
