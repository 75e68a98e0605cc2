"""Service requests (服务包诉求) as each department's queue: the requests it owns (a park: its own
enterprises'), accepted, resolved or sent back with a note. The registry routes and checks them;
the portal shows the queue and forwards the department's decision."""
from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from services.portal.labels import REQUEST_STATE_LABELS
from services.portal.names import names_of
from services.portal.pages.common import CsrfChecked, api, attempt, back_to, page_user, render
from services.portal.session import User, flash

router = APIRouter()
PAGE_SIZE = 50
MOVES = {"accepted": "受理", "resolved": "办结", "rejected": "退回"}
# A department's queue: the requests it owns; the lead bureau and the auditor see every department's.
OWN_DEPARTMENT = ("treasury", "talent", "finance")


def _address(state: str, overdue: str, cursor: str) -> str:
    filters = urlencode({k: v for k, v in {"state": state, "overdue": overdue, "cursor": cursor}.items() if v})
    return f"/requests?{filters}" if filters else "/requests"


async def _queue(request: Request, user: User, state: str, overdue: str, cursor: str, status: int = 200, **ctx):
    query = {"state": state if state in REQUEST_STATE_LABELS else None, "overdue": "true" if overdue else None,
             "department": user.role if user.role in OWN_DEPARTMENT else None}
    page = await api(request, user).get("registry", "/service-requests", limit=PAGE_SIZE, cursor=cursor, **query)
    await names_of(request).load(usccs=[r["uscc"] for r in page["items"]])
    # The queue's address with its filter, for the forms' way back (after a refused move the address
    # in the browser is the move's, not the queue's).
    here = _address(state, overdue, cursor)
    return render(request, "requests.html", status, items=page["items"], next_cursor=page.get("next_cursor"),
                  state=state, overdue=overdue, cursor=cursor, states=REQUEST_STATE_LABELS, moves=MOVES,
                  form_id=uuid.uuid4().hex, here=here, **{"chosen": {}, **ctx})


@router.get("/requests")
async def requests_queue(request: Request, user: Annotated[User, page_user("requests")], state: str = "",
                         overdue: str = "", cursor: str = ""):
    return await _queue(request, user, state, overdue, cursor)


@router.get("/requests/{request_id}/move")
async def move_address(request_id: str, state: str = "", overdue: str = "", cursor: str = ""):
    """The move's address, left in the browser after a refused move and entered again: the queue
    (with its filter when the address has one), not 405."""
    return RedirectResponse(_address(state, overdue, cursor), status_code=303)


@router.post("/requests/{request_id}/move", dependencies=[CsrfChecked])
async def move(request: Request, request_id: int, user: Annotated[User, page_user("requests")],
               to: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
               form_id: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "",
               state: Annotated[str, Form()] = "", overdue: Annotated[str, Form()] = "",
               cursor: Annotated[str, Form()] = ""):
    """Accept, resolve or send back; a note is needed to resolve or send back (said beside it). The
    queue's filter comes with the form (as on the hotline page), so a refusal shows the same queue."""
    error = None
    if to not in MOVES:
        error = "请选择办理方式。"
    elif to in ("resolved", "rejected") and not note.strip():
        error = f"{MOVES[to]}须填写办理说明。"
    if error is None:
        body = {"state": to, **({"note": note.strip()} if note.strip() else {})}
        _, error = await attempt(api(request, user).post(
            "registry", f"/service-requests/{request_id}/transition", json=body,
            idempotency_key=f"portal-{form_id}-{request_id}" if form_id else None))
    if error:  # the queue again, the error beside that request's note, what was typed and chosen kept
        return await _queue(request, user, state, overdue, cursor, 422, failed={request_id: error},
                            typed={request_id: note}, chosen={request_id: to})
    flash(request, "ok", f"诉求 {request_id} 已{MOVES[to]}。")
    return back_to(request, next, "/requests")
