"""Talent routes: thin; the use cases are in service.py."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from services.talent import pii, rules, service
from services.talent.schemas import Action, NominationIn, TransitionIn, Year
from shared import pagination
from shared.auth import Caller
from shared.clock import today

router = APIRouter(tags=["talent"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Reader = Caller("talent", "econ", "auditor")
# An enterprise's liaison (role enterprise, org = its USCC) nominates on its own quotas, reads its
# own quotas and nominations (IDs masked) and may withdraw its own; the office does the rest.
Liaison = Caller("talent", "enterprise")
LiaisonReader = Caller("talent", "econ", "auditor", "enterprise")

UsccQuery = Annotated[str | None, Query(max_length=18, description="统一社会信用代码")]
YearQuery = Annotated[Year | None, Query()]


def scope_of(who) -> str | None:
    """An enterprise liaison's own USCC: everything it reads or changes is its enterprise's."""
    return who.org if who.role == "enterprise" else None


def _quota_cursor(cursor: str | None) -> tuple[str, int] | None:
    """Quotas page by (uscc, year): the cursor holds "uscc|year"."""
    key = pagination.decode(cursor)
    if key is None:
        return None
    uscc, _, year = key.partition("|")
    if not pagination.is_id(year):
        raise pagination.bad_cursor()
    return uscc, int(year)


@router.get("/quotas", summary="Household-registration quotas (落户指标) per enterprise and year")
def list_quotas(request: Request, who: LiaisonReader, uscc: UsccQuery = None, year: YearQuery = None,
                limit: pagination.Limit = 100, cursor: pagination.Cursor = None):
    after = _quota_cursor(cursor)
    with request.app.state.db.reader() as s:
        items = service.list_quotas(s, today(), limit, after, uscc and uscc.strip().upper(), year, scope_of(who))
    return pagination.page(items, limit, key=lambda q: f"{q['uscc']}|{q['year']}")


# Answers to POSTs are stored for Idempotency-Key replays: they carry the masked ID and no birth
# date, whoever asks. Only the talent office's GETs show the birth date (and, audited, the whole ID).
@router.post("/nominations", status_code=201, summary="Nominate a person on one of the enterprise's quotas")
def nominate(body: NominationIn, request: Request, who: Liaison):
    cipher, keyer = pii.cipher_of(request.app.state), pii.person_key_of(request.app.state)
    with request.app.state.db.transaction() as s:
        n = service.nominate(s, who.actor, body, cipher, keyer, today(), scope_of(who))
        return service.nomination_answer(s, n, scope_of(who))


@router.get("/nominations", summary="Nominations (resident ID numbers masked; birth dates for the talent office only)")
def list_nominations(request: Request, who: LiaisonReader, uscc: UsccQuery = None, year: YearQuery = None,
                     state: Annotated[Literal[rules.STATES] | None, Query()] = None,
                     limit: pagination.Limit = 100, cursor: pagination.Cursor = None):
    after = pagination.decode_id(cursor)
    with request.app.state.db.reader() as s:
        items = service.list_nominations(s, limit, after, uscc and uscc.strip().upper(), year, state, scope_of(who),
                                         birth_date=who.role == "talent")
    return pagination.page(items, limit, key=lambda n: str(n["id"]))


@router.get("/nominations/{nomination_id}",
            summary="One nomination: the resident ID whole for the talent role (each read audited), masked for others")
def get_nomination(nomination_id: int, request: Request, who: LiaisonReader):
    db = request.app.state.db
    if who.role != "talent":
        with db.reader() as s:
            return service.nomination_answer(s, service.get_nomination(s, nomination_id, scope=scope_of(who)),
                                             scope_of(who))
    cipher = pii.cipher_of(request.app.state)
    with db.transaction() as s:
        n = service.get_nomination(s, nomination_id)
        return service.nomination_answer(s, n, whole_id=service.read_whole_id(s, who.actor, n, cipher),
                                         birth_date=True)


@router.post("/nominations/{nomination_id}/{action}",
             summary="review → recommend → approve, or reject (reason required) / withdraw, which return the quota")
def act(nomination_id: int, action: Action, request: Request, who: Liaison, body: TransitionIn | None = None):
    with request.app.state.db.transaction() as s:
        n = service.act(s, who.actor, nomination_id, action, body.reason if body else None, scope_of(who))
        return service.nomination_answer(s, n, scope_of(who))


@router.get("/reports/quotas", summary="Quotas granted, used, available and lapsed per year and tier")
def quota_report(request: Request, who: Reader, year: YearQuery = None):
    with request.app.state.db.reader() as s:
        return service.quota_report(s, today(), year)


@router.get("/reports/nominations", summary="Nominations per year, talent category and state")
def nomination_report(request: Request, who: Reader, year: YearQuery = None):
    with request.app.state.db.reader() as s:
        return service.nomination_report(s, year)


@router.get("/reports/export.xlsx", summary="Both reports and the quotas per enterprise as XLSX (Chinese headers)",
            response_class=Response, responses={200: {"content": {XLSX: {}}}})
def export_reports(request: Request, who: Reader, year: YearQuery = None):
    with request.app.state.db.reader() as s:
        body = service.report_xlsx(s, today(), year)
    return Response(body, media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="talent-reports.xlsx"'})
