"""The outreach service: `uvicorn services.outreach.main:app`."""
from __future__ import annotations

from pathlib import Path

from services.outreach import jobs, parameters
from services.outreach.contracts.endpoints import router as contracts
from services.outreach.handlers import handlers
from services.outreach.notices.endpoints import router as notices
from services.outreach.programmes.endpoints import router as programmes
from services.outreach.scenarios.endpoints import router as scenarios
from services.outreach.showcase.endpoints import router as showcase
from services.outreach.tables import Table
from shared.app import ServiceSpec, create_app

ROUTERS = (scenarios, contracts, showcase, notices, programmes)

SPEC = ServiceSpec(name="outreach", title="SRDI outreach and matchmaking (场景、产品目录、申报通知、上级项目)",
                   routers=ROUTERS, metadata=Table.metadata,
                   migrations=Path(__file__).parent / "migrations" / "versions",
                   handlers=handlers, jobs=[jobs.delivery_worker, jobs.reminder_worker],
                   policy_codes=parameters.CODES, policy_ranges=parameters.RANGES)
app = create_app(SPEC)
