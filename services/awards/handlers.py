"""The events awards consumes, each with its handler (the bus calls them inside the transaction that
records the inbox row). Registry events carry the enterprise's whole record: every handler keeps the
newest one (shared.projection.keep_newest) before it acts, and the use cases read tiers from it. The
newest record, its row locked, is answered once per event and handed to each use case (the use cases
write no record, so it stays the newest for the whole event; issue 15). A fetched batch's records are
kept, and its enterprises' awards read, before its first event (`read_ahead`)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.awards.claims import service as claims
from services.awards.corrections import service as corrections
from services.awards.payables import service as payables
from services.awards.projection import intermediaries
from services.awards.projection import service as projection
from shared.contracts.finance import EnterpriseListed, PayableRequested
from shared.contracts.outreach import ContractSigned
from shared.contracts.parks import IncubateePromoted, IntermediaryChanged, ParkDesignated
from shared.contracts.registry import (CertificationAdded, CertificationRevoked, CertificationVoided, EnterpriseChanged,
                                       EnterpriseDemoted, EnterpriseDeparted, EnterpriseEvent, EnterprisePromoted,
                                       EnterpriseRecorded, EnterpriseRegistered)
from shared.contracts import EventData
from shared.events import Event
from shared.handlers import Handlers

handlers = Handlers()


@handlers.before_batch
def read_ahead(s: Session, batch: list[tuple[Event, EventData]]) -> None:
    """A batch's registry records kept at once, and what deciding them reads (projection.read_ahead)."""
    projection.read_ahead(s, batch)


@handlers.on(EnterprisePromoted)
def promoted(s: Session, event: Event, data: EnterprisePromoted) -> None:
    """Tier award with top-up (晋级补差), first-renewal, relocation and introducer awards."""
    record = projection.remembered(s, data)
    projection.on_promotion(s, event.id, data, record)
    corrections.withhold_departed(s, event.id, data.uscc, record=record)


@handlers.on(CertificationAdded)
def certification_added(s: Session, event: Event, data: CertificationAdded) -> None:
    """A title that does not raise the tier (a renewal before expiry, a lower title): the record
    changed, and a first renewal may pay when the policy says so."""
    record = projection.remembered(s, data)
    projection.on_certification_added(s, event.id, data, record)
    corrections.withhold_departed(s, event.id, data.uscc, record=record)


@handlers.on(EnterpriseRegistered, EnterpriseDemoted, EnterpriseRecorded, EnterpriseChanged)
def record(s: Session, event: Event, data: EnterpriseEvent) -> None:
    """Only the newer record: district membership (claims, an ecosystem contract's buyer) and
    relocation facts; a demotion decides nothing (the record already says when each title ends); a
    corrected name, township, park or industry pays nothing. A record that shows the enterprise gone,
    whichever event carried it, withholds its unpaid awards."""
    record = projection.remembered(s, data)
    corrections.withhold_departed(s, event.id, data.uscc, record=record)


@handlers.on(CertificationRevoked)
def revoked(s: Session, event: Event, data: CertificationRevoked) -> None:
    """For cause: the awards that rested on the title are taken back, the rest decided again."""
    record = projection.remembered(s, data)
    projection.on_revocation(s, event.id, data, record)
    corrections.withhold_departed(s, event.id, data.uscc, record=record)


@handlers.on(CertificationVoided)
def voided(s: Session, event: Event, data: CertificationVoided) -> None:
    """Entered by mistake: its unpaid awards withdrawn, paid ones flagged for the treasury, the rest
    decided again."""
    record = projection.remembered(s, data)
    corrections.on_void(s, event.id, data, record)
    corrections.withhold_departed(s, event.id, data.uscc, record=record)


@handlers.on(EnterpriseDeparted)
def departed(s: Session, event: Event, data: EnterpriseDeparted) -> None:
    """Moved out or closed: its unpaid awards withheld with the reason; nothing new from then on."""
    corrections.on_departure(s, event.id, data)


@handlers.on(EnterpriseListed)
def listed(s: Session, event: Event, data: EnterpriseListed) -> None:
    """The finance office's listing: the only ground of a listing award."""
    claims.on_listed(s, event.id, data)


@handlers.on(ContractSigned)
def contract_signed(s: Session, event: Event, data: ContractSigned) -> None:
    """Outreach's contract: recorded, and its scenario or ecosystem award raised (one per contract)."""
    claims.on_contract_signed(s, event.id, data)


@handlers.on(ParkDesignated)
def park_designated(s: Session, event: Event, data: ParkDesignated) -> None:
    """The featured-park award (the first featured park only)."""
    projection.on_designation(s, event.id, data)


@handlers.on(IncubateePromoted)
def incubatee_promoted(s: Session, event: Event, data: IncubateePromoted) -> None:
    """The incubation award to the park (once per park and enterprise)."""
    projection.on_incubatee_promoted(s, event.id, data)


@handlers.on(PayableRequested)
def payable_requested(s: Session, event: Event, data: PayableRequested) -> None:
    """The finance office asks the treasury to pay a subsidy quarter or a compensation share: one award
    of its programme, for the treasury to approve against that programme's budget."""
    payables.on_requested(s, event.id, data)


@handlers.on(IntermediaryChanged)
def intermediary_changed(s: Session, event: Event, data: IntermediaryChanged) -> None:
    """Parks' intermediary directory, newest version of each entry: an intermediary payee is matched to it."""
    intermediaries.remember(s, data)
