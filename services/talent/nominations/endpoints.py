"""Nomination routes: thin; the use cases are in service.py.

An enterprise's liaison (role enterprise, org = its USCC) nominates on its own quotas, reads its own
nominations (IDs masked) and may withdraw its own; the talent office does the rest. Answers to POSTs
are stored for Idempotency-Key replays: they carry the masked ID and no birth date, whoever asks.
Only the talent office's GETs show the birth date (and, audited, the whole ID)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from sqlalchemy.orm import Session

from services.talent import rules
from services.talent.auth import Liaison, LiaisonReader
from services.talent.nominations import pii, service
from services.talent.nominations.pii import IdCipher, PersonKey
from services.talent.nominations.schemas import (
    STATE,
    ActionPath,
    NominationId,
    NominationIn,
    NominationPublic,
    TransitionIn,
)
from services.talent.query import YearQuery
from shared.filters import UsccFilter
from shared import pagination
from shared.clock import today
from shared.pagination import Cursor, Limit
from shared.schemas import Page
from shared.sessions import DatabaseDep, ReadSession, WriteSession

router = APIRouter(tags=["talent"])
StateQuery = Annotated[Literal[rules.STATES] | None, Query(description=STATE)]


def _cipher(request: Request) -> IdCipher:
    return pii.cipher_of(request.app.state)


def _person_key(request: Request) -> PersonKey:
    return pii.person_key_of(request.app.state)


def _whole_id_cipher(request: Request, who: LiaisonReader) -> IdCipher | None:
    """The cipher for the talent office, which reads one nomination's ID number whole; None for others."""
    return pii.cipher_of(request.app.state) if who.role == "talent" else None


def _session_for(who: LiaisonReader, db: DatabaseDep) -> Iterator[Session]:
    """The talent office's read of one nomination writes its audit row: a write transaction; others read."""
    with db.transaction(flow=True) if who.role == "talent" else db.reader(flow=True) as session:
        yield session


Cipher = Annotated[IdCipher, Depends(_cipher)]
Keyer = Annotated[PersonKey, Depends(_person_key)]
WholeIdCipher = Annotated[IdCipher | None, Depends(_whole_id_cipher)]
AuditedSession = Annotated[Session, Depends(_session_for, scope="function")]
Reason = Body(openapi_examples={"reject": {"summary": "驳回 / reject", "value": {"reason": "学历材料不全"}}})


@router.post("/nominations", status_code=201, summary="提名 / Nominate a person on one of the enterprise's quotas",
             response_model_exclude_unset=True)
def nominate(body: NominationIn, who: Liaison, session: WriteSession, cipher: Cipher, keyer: Keyer
             ) -> NominationPublic:
    """在企业某年度的落户指标上提名一人，占用一个指标；无可用指标时 409。身份证号码加密保存，答复中为掩码且无出生日期。
    企业联络员只能为本企业提名。

    Nominate a person on one of the enterprise's quotas of a year, using one; 409 when none is left.
    The resident ID is stored encrypted; the answer holds it masked and no birth date. An enterprise
    liaison nominates for its own enterprise only."""
    return service.nominate(session, who, body, cipher, keyer, today())


@router.get("/nominations", summary="提名列表 / Nominations (resident ID numbers masked)",
            response_model_exclude_unset=True)
def list_nominations(who: LiaisonReader, session: ReadSession, uscc: UsccFilter = None, year: YearQuery = None,
                     state: StateQuery = None, limit: Limit = 100, cursor: Cursor = None) -> Page[NominationPublic]:
    """按编号排序的提名，身份证号码对所有读者均为掩码；出生日期仅人才办可见；企业联络员只见本企业的。

    Nominations by id, resident ID numbers masked for every reader; birth dates for the talent office
    only; an enterprise liaison sees its own enterprise's only."""
    items = service.list_nominations(session, who, limit, pagination.decode_id(cursor),
                                     uscc and uscc.strip().upper(), year, state)
    return Page[NominationPublic](**pagination.page(items, limit, key=lambda n: str(n.id)))


@router.get("/nominations/{nomination_id}", summary="单个提名 / One nomination", response_model_exclude_unset=True)
def get_nomination(nomination_id: NominationId, who: LiaisonReader, session: AuditedSession,
                   cipher: WholeIdCipher) -> NominationPublic:
    """人才办查询时返回完整身份证号码（每次查询写入审计日志）和出生日期；其他读者为掩码；其他企业的提名查不到（404）。

    For the talent office the resident ID whole (each read written to the audit log) and the birth
    date; masked for other readers; another enterprise's nomination is not found (404)."""
    return service.read(session, who, nomination_id, cipher)


@router.post("/nominations/{nomination_id}/{action}",
             summary="审核、推荐、批准、驳回或撤回提名 / Review, recommend, approve, reject or withdraw a nomination",
             response_model_exclude_unset=True)
def act(nomination_id: NominationId, action: ActionPath, who: Liaison, session: WriteSession,
        body: Annotated[TransitionIn | None, Reason] = None) -> NominationPublic:
    """区级审核 → 推荐至市级 → 批准；或驳回（须说明理由）/ 撤回，二者退回指标。企业联络员只能撤回本企业的提名。

    review → recommend → approve, or reject (a reason required) / withdraw, which give the quota back.
    An enterprise liaison may only withdraw its own enterprise's nominations."""
    return service.act(session, who, nomination_id, action, body.reason if body else None)
