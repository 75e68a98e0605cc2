"""The registry service: `uvicorn services.registry.main:app`."""
from __future__ import annotations

import asyncio
from pathlib import Path

import structlog

from services.registry import events, jobs, service
from services.registry.api import router
from services.registry.models import Base
from shared.app import ServiceSpec, create_app
from shared.clock import today

log = structlog.get_logger()


async def expiry_sweeper(app) -> None:
    """Demote enterprises whose titles lapse: at start, then every SRDI_EXPIRY_SWEEP_S seconds."""
    while True:
        def sweep():
            with app.state.db.transaction() as s:
                service.expire_due(s, today())
        try:
            await asyncio.to_thread(sweep)
        except Exception:  # noqa: BLE001 - retried at the next sweep
            log.exception("expiry sweep failed")
        await asyncio.sleep(app.state.settings.expiry_sweep_s)


SPEC = ServiceSpec(name="registry", title="SRDI registry (区经信局)", router=router, metadata=Base.metadata,
                   migrations=Path(__file__).parent / "migrations" / "versions",
                   handlers=events.HANDLERS, jobs=[expiry_sweeper, jobs.job_keeper])
app = create_app(SPEC)
