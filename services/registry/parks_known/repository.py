"""Every query of the parks the registry knows (its copy of parks' park records)."""
from sqlalchemy.orm import Session

from services.registry.tables import Park


def get(s: Session, park_id: str) -> Park | None:
    return s.get(Park, park_id)
