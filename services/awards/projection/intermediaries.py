"""The intermediary directory as awards knows it (issue 19): parks announces each entry whole with its
version (srdi.parks.intermediary.changed.v1); awards keeps the newest version of each, so a redelivered
or older announcement changes nothing. The treasury's intermediary payee is matched to it by the name
the award carries (payees.service.put). Queries and the use case; it writes through the session."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.awards.tables import KnownIntermediary
from shared.contracts.parks import IntermediaryChanged
from shared.db import for_update, utcnow


def remember(s: Session, data: IntermediaryChanged) -> KnownIntermediary:
    """Keep the entry if it is newer than the one held (the same or an older version: nothing written)."""
    held = s.scalars(for_update(s, select(KnownIntermediary).where(KnownIntermediary.id == data.intermediary_id))
                     ).first()
    if held is None:
        held = KnownIntermediary(id=data.intermediary_id, name=data.name, kind=data.kind, uscc=data.uscc,
                                 version=data.version)
        try:
            with s.begin_nested():
                s.add(held)
                s.flush()
            return held
        except IntegrityError:  # another delivery inserted it meanwhile: compare with that one
            held = s.scalars(for_update(s, select(KnownIntermediary).where(
                KnownIntermediary.id == data.intermediary_id))).one()
    if data.version > held.version:
        held.name, held.kind, held.uscc, held.version, held.updated_at = (data.name, data.kind, data.uscc,
                                                                           data.version, utcnow())
        s.flush()
    return held


def named(s: Session, name: str) -> KnownIntermediary | None:
    """The directory entry the name stands for now (the lowest id should two ever share it while a
    rename is on its way)."""
    return s.scalars(select(KnownIntermediary).where(KnownIntermediary.name == name)
                     .order_by(KnownIntermediary.id)).first()
