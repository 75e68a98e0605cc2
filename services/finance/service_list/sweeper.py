"""The service list's background job: keep its cache (and so its announcements) current."""
from __future__ import annotations

import asyncio

import structlog

from services.finance.service_list import service
from shared.clock import today

log = structlog.get_logger()

# How often the sweeper looks for a new version of the list's threshold (at most; a shorter
# SRDI_EXPIRY_SWEEP_S wins). A cheap read of the threshold's version ids.
THRESHOLD_POLL_S = 5.0


async def threshold_sweeper(app) -> None:
    """Keep the service list's cache (and so its announcements, service_list.changed) current. Reads
    never wait for it: they derive the list on the day asked from the record and the threshold.
    - a version of `finance.service_list.min_tier` added through `PUT /api/v1/policy` dated today or
      earlier re-judges every entry once the sweeper sees it (within THRESHOLD_POLL_S seconds): the
      shared endpoint has no after-insert hook for finance to re-judge in the same transaction;
    - at start and whenever the date has moved on, the entries judged before today: a title that
      lapsed or a dated threshold that took effect is announced to the banks."""
    last, seen = None, None

    def step(day, last, seen):
        with app.state.db.reader() as s:
            versions = service.threshold_versions(s)
        added = service.threshold_added(seen, versions, day)
        changed = 0
        if added or day != last:
            with app.state.db.transaction() as s:
                changed = service.rebuild_service_list(s, day, only_stale=not added)
        return versions, added, changed

    while True:
        day = today()
        try:
            versions, added, changed = await asyncio.to_thread(step, day, last, seen)
            if changed:
                log.info("service list re-judged", changed=changed, new_threshold=added)
            last, seen = day, versions
        except Exception:  # noqa: BLE001 - retried at the next sweep
            log.exception("service-list sweep failed")
        await asyncio.sleep(min(app.state.settings.expiry_sweep_s, THRESHOLD_POLL_S))
