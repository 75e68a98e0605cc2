"""The talent service: `uvicorn services.talent.main:app`."""
from __future__ import annotations

from pathlib import Path

from services.talent import parameters
from services.talent.handlers import handlers
from services.talent.nominations import endpoints as nominations
from services.talent.nominations.jobs import person_key_filler
from services.talent.quotas import endpoints as quotas
from services.talent.reports import endpoints as reports
from services.talent.tables import Table
from shared.app import ServiceSpec, create_app

ROUTERS = (quotas.router, nominations.router, reports.router)

SPEC = ServiceSpec(name="talent", title="SRDI talent (区人社局 / 区委人才办)", routers=ROUTERS, metadata=Table.metadata,
                   migrations=Path(__file__).parent / "migrations" / "versions", handlers=handlers,
                   jobs=[person_key_filler], policy_writers=("talent",),
                   policy_ranges=parameters.RANGES)
app = create_app(SPEC)
