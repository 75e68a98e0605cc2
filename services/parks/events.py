"""What parks publishes (park.recorded.v1, park.designated.v1, incubatee.promoted.v1, intermediary.changed.v1), as
the shared contract models (shared.contracts.parks). What it consumes is in handlers.py."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.parks.tables import Designation, IncubateePromotion, Intermediary, Park
from shared.contracts.parks import (
    IncubateePromoted,
    IntermediaryChanged,
    ParkDesignated,
    ParkRecorded,
)
from shared.events import emit_data


def recorded(s: Session, park: Park) -> None:
    """A park as it stands (created, renamed, moved to another township, or re-announced)."""
    emit_data(s, park.id, ParkRecorded(park_id=park.id, name=park.name, township=park.township,
                                       version=park.version))


def designated(s: Session, park: Park, d: Designation) -> None:
    emit_data(s, park.id, ParkDesignated(park_id=park.id, park_name=park.name, designation=d.designation,
                                         designated_on=d.designated_on, designation_id=d.id))


def incubatee_promoted(s: Session, p: IncubateePromotion) -> None:
    emit_data(s, p.park_id, IncubateePromoted(park_id=p.park_id, uscc=p.uscc, to_tier=p.to_tier,
                                              recognized_on=p.recognized_on, incubation_id=p.incubation_id))


def intermediary_changed(s: Session, m: Intermediary) -> None:
    """A directory entry as it stands (registered or changed)."""
    emit_data(s, str(m.id), IntermediaryChanged(intermediary_id=m.id, name=m.name, kind=m.kind, uscc=m.uscc,
                                                contact=m.contact, version=m.version))
