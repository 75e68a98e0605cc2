"""Matchmaking-event routes (政银企对接). A bank reads only the events it attended (repository.readable)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.finance.auth import Manager, MatchmakingReader
from services.finance.matchmaking import repository, service
from services.finance.matchmaking.schemas import AttendeesIn, MatchmakingIn, MatchmakingPublic
from shared import pagination
from shared.pagination import Cursor, Limit
from shared.schemas import Page
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["matchmaking"])

EventId = Annotated[int, Path(description="对接活动编号 / matchmaking event id")]


@router.post("/matchmaking-events", status_code=201, response_model=MatchmakingPublic,
             summary="记录政银企对接活动 / record a matchmaking event: date, banks, enterprises")
def create_matchmaking(body: MatchmakingIn, who: Manager, session: WriteSession):
    """区金融服务办记录一次政银企对接活动及参加的银行与企业。
    The finance office records an event with the banks and enterprises attending."""
    return service.public(session, service.create_matchmaking(session, who.actor, body))


@router.get("/matchmaking-events", response_model=Page[MatchmakingPublic],
            summary="政银企对接活动 / matchmaking events (a bank: those it attended, with its own cases)")
def list_matchmaking(who: MatchmakingReader, session: ReadSession, limit: Limit = 100,
                     cursor: Cursor = None,
                     year: Annotated[int | None, Query(ge=2000, le=2100, description="举办年份 / the year held")] = None):
    """活动按编号分页；银行只看到本行参加的活动及本行的案件。
    Events by id, a keyset page; a bank sees the events it attended, with its own cases."""
    rows = repository.page(session, who, limit, pagination.decode_id(cursor), year)
    return pagination.page([service.public(session, m, who) for m in rows], limit, key=lambda x: str(x.id))


@router.get("/matchmaking-events/{event_id}", response_model=MatchmakingPublic,
            summary="一次对接活动 / one matchmaking event with the loan cases from it")
def get_matchmaking(event_id: EventId, who: MatchmakingReader, session: ReadSession):
    """活动及由其促成的贷款案件。The event with the loan cases that came from it."""
    return service.public(session, service.get(session, who, event_id), who)


@router.post("/matchmaking-events/{event_id}/enterprises", response_model=MatchmakingPublic,
             summary="增加参加企业 / add attending enterprises")
def add_attendees(event_id: EventId, body: AttendeesIn, who: Manager, session: WriteSession):
    """为活动增加参加企业（已有的不重复记录）。Add enterprises to the event (those already there are kept once)."""
    m = service.add_attendees(session, who.actor, service.get(session, who, event_id), body.enterprises)
    return service.public(session, m)
