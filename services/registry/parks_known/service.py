"""The parks the registry knows: its copy of parks' srdi.parks.park.recorded.v1, so that an
enterprise is only ever placed in a park that exists. The newest version of each park stands: a
redelivered or late, older event changes nothing."""
from sqlalchemy.orm import Session

from services.registry.parks_known import repository
from services.registry.tables import Park
from shared.contracts.parks import ParkRecorded
from shared.errors import field_error


def on_recorded(s: Session, data: ParkRecorded) -> None:
    row = repository.get(s, data.park_id)
    if row is None:
        s.add(Park(park_id=data.park_id, name=data.name, township=data.township, version=data.version))
    elif data.version > row.version:
        row.name, row.township, row.version = data.name, data.township, data.version


def known_or_422(s: Session, park_id: str) -> Park:
    """The park, else a 422 naming it (parks has not recorded it)."""
    park = repository.get(s, park_id)
    if park is None:
        raise field_error("park_id", f"园区未登记：{park_id}（须为园区服务已登记的园区）",
                          f"unknown park {park_id!r}: it must be a park the parks service has recorded",
                          code="unknown-park")
    return park
