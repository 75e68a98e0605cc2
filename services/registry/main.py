"""The registry service: `uvicorn services.registry.main:app`."""
from __future__ import annotations

from pathlib import Path


from services.registry import jobs, service
from services.registry.handlers import handlers
from services.registry.api import router
from services.registry.models import Base
from shared.app import ServiceSpec, create_app, every
from shared.clock import today



def expire_due(app) -> None:
    """Demote enterprises whose titles lapse (at start, then every SRDI_EXPIRY_SWEEP_S seconds)."""
    with app.state.db.transaction() as s:
        service.expire_due(s, today())


expiry_sweeper = every("expiry_sweeper", expire_due, lambda app: app.state.settings.expiry_sweep_s)


SPEC = ServiceSpec(name="registry", title="SRDI registry (区经信局)", router=router, metadata=Base.metadata,
                   migrations=Path(__file__).parent / "migrations" / "versions",
                   handlers=handlers, jobs=[expiry_sweeper, jobs.job_keeper])
app = create_app(SPEC)
