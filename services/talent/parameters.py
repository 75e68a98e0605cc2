"""Talent's policy parameters and their ranges (shared.policy checks the kind; these the bounds):
quotas a year and for how many years a title earns them. The ranges are the suite's choice, wide
around the seeded values: a typo of a million years would otherwise grant a quota row for each."""
from __future__ import annotations

from services.talent.rules import PER_YEAR, YEARS

RANGES = {PER_YEAR: (0, 100), YEARS: (1, 10)}
