"""Effects of the registry's corrections on awards (issue 18): a certification voided (entered by
mistake: unlike a revocation it never counted, and it carries no ban) and an enterprise that moved out
or closed. Every effect is a recorded transition or flag, each publishing award.changed; each is
idempotent (a redelivered or replayed event finds the awards already moved and changes nothing).
They write through the session and never commit."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.awards import rules
from services.awards.claims.service import fallen
from services.awards.corrections import rules as corrections
from services.awards.projection import repository
from services.awards.projection.service import reassess, remembered
from services.awards.tables import Award
from services.awards.workflow import repository as awards
from services.awards.workflow.service import flag, stop, withhold
from shared import projection
from shared.contracts.registry import CertificationVoided, EnterpriseDeparted, EnterpriseRecord

VOIDED = ("认定作废后重新核定", "decided again after a certification was voided")
# What a voided certification's award becomes: not yet paid, or settled outside → withdrawn; already
# withheld (the enterprise left) → withdrawn too (the title never existed). Paid → flagged.
WITHDRAWN_FROM = (*rules.UNPAID, "settled_outside", "withheld")


def on_void(s: Session, event_id: str, data: CertificationVoided,
            record: EnterpriseRecord | None = None) -> list[Award]:
    """The awards resting on a voided certification are withdrawn with the reason (a reservation is
    released, an owed amount reversed) or, paid already, flagged `certification_voided` for the
    treasury; the claim awards it alone made eligible likewise. Then the sound history is decided
    again as after a revocation (projection.reassess): a later top-up that deducted the voided
    title's award is completed (basis.made_good), unless that award was paid: a paid award still
    accounts for what it paid until the treasury settles it, so nothing is paid twice. `record`: what
    `remembered` returned for this event already (the newest held, its row locked)."""
    record = remembered(s, data) if record is None else record
    cert = record.certification(data.certification_id) or data.record.certification(data.certification_id)
    if cert is None or not rules.voided(cert):
        return []  # the newest record does not say so: nothing to undo
    actor = f"event:{event_id}"
    changed = []
    resting = [(a, None) for a in repository.resting_on(s, record.uscc, cert.id)]
    for award, why in resting + fallen(s, record, cert):
        reason = corrections.voided_because(cert.id, data.reason, paid=award.state == "disbursed")
        if why:
            reason += f"；申领资格不再成立 / the claim is no longer eligible: {why}"
        if award.state in WITHDRAWN_FROM:
            changed.append(stop(s, award, "withdrawn", "certification_voided", actor, reason))
        elif award.state == "disbursed" and flag(s, award, "certification_voided", reason, actor):
            changed.append(award)
    changed += reassess(s, record, event_id, after=VOIDED)
    return changed


def on_departure(s: Session, event_id: str, data: EnterpriseDeparted) -> list[Award]:
    """The enterprise moved out or closed: its unpaid awards (and its introducer's) are withheld."""
    return withhold_departed(s, event_id, data.uscc, data.reason, record=remembered(s, data))


def withhold_departed(s: Session, event_id: str, uscc: str, reason: str | None = None,
                      record: EnterpriseRecord | None = None) -> list[Award]:
    """Whatever event brought it, a record that shows the enterprise gone withholds its unpaid awards
    (so an award decided after the departure arrived, from an earlier fact, is withheld too). A
    withheld award is never released, not even when the departure is corrected later: its history
    says why, and the bureau settles such a case by hand. `record`: the newest record held, its row
    locked in this transaction, as `remembered` returned it for this event (handlers pass it, so it
    is not read a second time; issue 15); read here when not given. A record that shows the
    enterprise here costs no query at all."""
    if record is None:
        record = projection.record_of(s, uscc, lock=True)
    if record is None or not corrections.departed(record):
        return []
    return withhold(s, awards.unpaid_of(s, uscc), f"event:{event_id}", corrections.withheld_because(record, reason))
