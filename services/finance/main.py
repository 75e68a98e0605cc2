"""The finance service (区金融服务办): `uvicorn services.finance.main:app`."""
from __future__ import annotations

import asyncio
from pathlib import Path

import structlog

from services.finance import events, service
from services.finance.api import router
from services.finance.models import Base
from shared.app import ServiceSpec, create_app
from shared.clock import today

log = structlog.get_logger()


async def threshold_sweeper(app) -> None:
    """Re-judge the service list when a dated change of its threshold takes effect: the entries
    judged before it, at start and whenever the date has moved on (checked every
    SRDI_EXPIRY_SWEEP_S seconds)."""
    last = None
    while True:
        day = today()
        if day != last:
            def sweep():
                with app.state.db.transaction() as s:
                    return service.rebuild_service_list(s, day, only_stale=True)
            try:
                changed = await asyncio.to_thread(sweep)
                if changed:
                    log.info("service list re-judged", changed=changed)
                last = day
            except Exception:  # noqa: BLE001 - retried at the next sweep
                log.exception("service-list sweep failed")
        await asyncio.sleep(app.state.settings.expiry_sweep_s)


SPEC = ServiceSpec(name="finance", title="SRDI finance (区金融服务办)", router=router, metadata=Base.metadata,
                   migrations=Path(__file__).parent / "migrations" / "versions",
                   handlers=events.HANDLERS, jobs=[threshold_sweeper], policy_writers=("finance",))
app = create_app(SPEC)
