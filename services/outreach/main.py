"""The outreach service: `uvicorn services.outreach.main:app`."""
from __future__ import annotations

from pathlib import Path

from services.outreach import jobs
from services.outreach.api import router
from services.outreach.handlers import handlers
from services.outreach.models import Base
from shared.app import ServiceSpec, create_app

SPEC = ServiceSpec(name="outreach", title="SRDI outreach and matchmaking (场景、产品目录、申报通知、上级项目)",
                   router=router, metadata=Base.metadata,
                   migrations=Path(__file__).parent / "migrations" / "versions",
                   handlers=handlers, jobs=[jobs.delivery_worker, jobs.reminder_worker])
app = create_app(SPEC)
