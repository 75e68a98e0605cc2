"""The parks service: `uvicorn services.parks.main:app`."""
from __future__ import annotations

from pathlib import Path

from services.parks import parameters
from services.parks.designations.endpoints import router as designations
from services.parks.handlers import handlers
from services.parks.incubation.endpoints import router as incubation
from services.parks.intermediaries.endpoints import router as intermediaries
from services.parks.parks.endpoints import router as parks
from services.parks.tables import Table
from shared.app import ServiceSpec, create_app

ROUTERS = (parks, designations, incubation, intermediaries)

SPEC = ServiceSpec(name="parks", title="SRDI parks (房山园 园区管委会)", routers=ROUTERS, metadata=Table.metadata,
                   migrations=Path(__file__).parent / "migrations" / "versions", handlers=handlers,
                   policy_writers=("econ",), policy_validator=parameters.validate_policy_value)
app = create_app(SPEC)
