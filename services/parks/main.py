"""The parks service: `uvicorn services.parks.main:app`."""
from __future__ import annotations

from pathlib import Path

from services.parks import rules
from services.parks.api import router
from services.parks.handlers import handlers
from services.parks.models import Base
from shared.app import ServiceSpec, create_app

SPEC = ServiceSpec(name="parks", title="SRDI parks (房山园 园区管委会)", router=router, metadata=Base.metadata,
                   migrations=Path(__file__).parent / "migrations" / "versions", handlers=handlers,
                   policy_writers=("econ",), policy_validator=rules.validate_policy_value)
app = create_app(SPEC)
