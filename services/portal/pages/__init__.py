"""The portal's pages, one module per department's work: each gathers what a liaison needs from the
services and renders it.

No business logic here: states, amounts, eligibility and permissions are the services'; the
portal shows them and forwards the liaison's decisions.
"""
from fastapi import APIRouter

from services.portal.pages import (awards, budgets, dashboard, enterprises, finance, imports, intermediaries, loans, mine,
                                  monitoring,
                                  notices, oversight, parks, payments, records, recoveries, report, requests, seasons,
                                  signin, talent, talent_reports, township, whatif)
from services.portal.pages import hotline, scenarios, showcase
from services.portal.pages import financing
from services.portal.pages import events, statistics
from services.portal.pages import programmes, renewals, visits
from services.portal.pages import indicators
from services.portal.pages import claims
from services.portal.pages.common import nav_for

router = APIRouter()
for _pages in (signin, dashboard, mine, enterprises, records, awards, budgets, recoveries, payments, requests, talent,
               talent_reports, finance, loans, parks, imports, monitoring, seasons, oversight, whatif, township, report,
               notices, intermediaries, scenarios, showcase, hotline):
    router.include_router(_pages.router)
router.include_router(financing.router)
router.include_router(statistics.router)
router.include_router(events.router)
router.include_router(renewals.router)
router.include_router(visits.router)
router.include_router(programmes.router)
router.include_router(indicators.router)
router.include_router(claims.router)

__all__ = ["nav_for", "router"]
