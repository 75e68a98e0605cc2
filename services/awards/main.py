"""The awards service: `uvicorn services.awards.main:app`."""
from __future__ import annotations

from pathlib import Path

from services.awards import parameters
from services.awards.carryover.endpoints import router as carryover
from services.awards.claims.endpoints import router as claims
from services.awards.exports.endpoints import router as exports
from services.awards.handlers import handlers
from services.awards.ledger.endpoints import router as ledger
from services.awards.payees.endpoints import router as payees
from services.awards.payments.endpoints import router as payments
from services.awards.recoveries.endpoints import router as recoveries
from services.awards.simulation.endpoints import router as simulation
from services.awards.summary.endpoints import router as summary
from services.awards.tables import Table
from services.awards.workflow.endpoints import router as workflow
from shared.app import ServiceSpec, create_app

# summary before workflow: /awards/summary is not an award id
ROUTERS = (summary, workflow, claims, ledger, exports, simulation, recoveries, carryover,
           payees, payments)

SPEC = ServiceSpec(name="awards", title="SRDI awards (区财政局 / 区经信局)", routers=ROUTERS, metadata=Table.metadata,
                   migrations=Path(__file__).parent / "migrations" / "versions", handlers=handlers,
                   policy_validator=parameters.validate_policy_value,
                   # the treasury pays and claws back: it reads the awards' audit trail too
                   audit_readers=("auditor", "econ", "treasury"))
app = create_app(SPEC)
