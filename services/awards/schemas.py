"""Awards request bodies."""
from __future__ import annotations

from typing import Literal

from shared.schemas import Body, LongText, Text

Program = Literal["tier", "relocation", "introducer", "listing", "scenario", "ecosystem", "featured_park"]
State = Literal["computed", "reviewed", "approved", "disbursed", "rejected", "clawed_back"]


class ReviewIn(Body):
    note: LongText | None = None


class DisburseIn(Body):
    voucher: Text  # the treasury's payment voucher number (凭证号)
    note: LongText | None = None


class RejectIn(Body):
    reason: LongText
