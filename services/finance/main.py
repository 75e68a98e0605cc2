"""The finance service (区金融服务办): `uvicorn services.finance.main:app`."""
from __future__ import annotations

from pathlib import Path

from services.finance.funds.endpoints import router as funds
from services.finance.handlers import handlers
from services.finance.listings.endpoints import router as listings
from services.finance.loans.endpoints import router as loans
from services.finance.matchmaking.endpoints import router as matchmaking
from services.finance.parameters import consistency, validate_policy_value
from services.finance.payables.endpoints import router as payables
from services.finance.products.endpoints import router as products
from services.finance.service_list.endpoints import router as service_list
from services.finance.service_list.sweeper import threshold_sweeper
from services.finance.summary.endpoints import router as summary
from services.finance.tables import Table
from shared.app import ServiceSpec, create_app

ROUTERS = (service_list, products, loans, payables, listings, matchmaking, funds, summary)

SPEC = ServiceSpec(name="finance", title="SRDI finance (区金融服务办)", routers=ROUTERS, metadata=Table.metadata,
                   migrations=Path(__file__).parent / "migrations" / "versions",
                   handlers=handlers, jobs=[threshold_sweeper], policy_writers=("finance",),
                   policy_validator=validate_policy_value,
                   policy_consistency=consistency)
app = create_app(SPEC)
