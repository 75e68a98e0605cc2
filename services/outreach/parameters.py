"""Outreach's policy parameters that a kind alone does not check (shared.policy checks the kind):
the reminder channels, one or more of the channels outreach has, and the counted ones with their
ranges (the suite's choice, wide around the seeded values: 0 seconds between polls would spin)."""
from __future__ import annotations

from services.outreach.notices.schemas import CHANNEL_ZH

CODES = {"outreach.programme.reminder_channels": CHANNEL_ZH, "outreach.validity.reminder_channels": CHANNEL_ZH}
RANGES = {"outreach.notice.batch_size": (1, 10_000), "outreach.notice.lease_s": (10, 86_400),
          "outreach.notice.max_attempts": (1, 100), "outreach.notice.poll_s": (1, 86_400),
          "outreach.notice.retry_base_s": (1, 86_400), "outreach.notice.retry_max_s": (1, 604_800),
          "outreach.programme.reminder_days": (1, 365), "outreach.programme.reminder_poll_s": (60, 86_400)}
