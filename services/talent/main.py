"""The talent service: `uvicorn services.talent.main:app`."""
from __future__ import annotations

from pathlib import Path

from services.talent import events
from services.talent.api import router
from services.talent.models import Base
from shared.app import ServiceSpec, create_app

SPEC = ServiceSpec(name="talent", title="SRDI talent (区人社局 / 区委人才办)", router=router, metadata=Base.metadata,
                   migrations=Path(__file__).parent / "migrations" / "versions", handlers=events.HANDLERS,
                   policy_writers=("talent",))
app = create_app(SPEC)
