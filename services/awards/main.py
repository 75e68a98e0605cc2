"""The awards service: `uvicorn services.awards.main:app`."""
from __future__ import annotations

from pathlib import Path

from services.awards import rules
from services.awards.api import router
from services.awards.handlers import handlers
from services.awards.models import Base
from shared.app import ServiceSpec, create_app

SPEC = ServiceSpec(name="awards", title="SRDI awards (区财政局 / 区经信局)", router=router, metadata=Base.metadata,
                   migrations=Path(__file__).parent / "migrations" / "versions", handlers=handlers,
                   policy_validator=rules.validate_policy_value)
app = create_app(SPEC)
