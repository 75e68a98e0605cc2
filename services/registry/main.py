"""The registry service: `uvicorn services.registry.main:app`."""
from __future__ import annotations

from pathlib import Path

from services.registry.certifications.endpoints import router as certifications
from services.registry.certifications.sweeper import expiry_sweeper
from services.registry.enterprises.endpoints import HOT_READ
from services.registry.enterprises.endpoints import router as enterprises
from services.registry import parameters
from services.registry.handlers import handlers
from services.registry.imports import jobs
from services.registry.imports.endpoints import router as imports
from services.registry.monitoring.endpoints import router as monitoring
from services.registry.platform import jobs as platform_jobs
from services.registry.platform.endpoints import router as platform
from services.registry.reminders.endpoints import router as reminders
from services.registry.report.endpoints import router as report
from services.registry.screening.endpoints import router as screening
from services.registry.season.endpoints import router as season
from services.registry.service_package.endpoints import router as service_package
from services.registry.statistics.endpoints import router as statistics
from services.registry.tables import Table
from services.registry.timeline.endpoints import router as timeline
from services.registry.townships.endpoints import router as townships
from shared.app import ServiceSpec, create_app

ROUTERS = (enterprises, certifications, imports, platform, screening, service_package, statistics,
           reminders, monitoring,
           season,
           townships, timeline, report)

SPEC = ServiceSpec(name="registry", title="SRDI registry (区经信局)", routers=ROUTERS, metadata=Table.metadata,
                   migrations=Path(__file__).parent / "migrations" / "versions",
                   handlers=handlers, jobs=[expiry_sweeper, jobs.job_keeper, platform_jobs.job_keeper],
                   hot_reads=(HOT_READ,), policy_codes=parameters.CODES, policy_ranges=parameters.RANGES,
                   policy_validator=parameters.validate_policy_value)
app = create_app(SPEC)
