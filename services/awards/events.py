"""What awards publishes (award.changed.v1, the shared contract model). What it consumes is in
handlers.py."""
from __future__ import annotations

from sqlalchemy.orm import Session

from shared.contracts.awards import AwardChanged
from shared.events import emit_data


def changed(s: Session, award) -> None:
    emit_data(s, award.uscc or award.payee, AwardChanged(
        award_id=award.id, award_key=award.award_key, uscc=award.uscc, program=award.program, tier=award.tier, payee=award.payee,
        amount_yuan=award.amount_yuan, state=award.state, flag=award.flag))
