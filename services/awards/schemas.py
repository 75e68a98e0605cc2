"""Types the awards bodies share."""
from __future__ import annotations

from typing import Annotated

from pydantic import Strict

from shared.schemas import Yuan

# An amount in whole 元 typed into a body (a budget, a municipal award, a repayment): a JSON integer and
# nothing else. shared.schemas.Body already refuses a string ("100") and true/false there; Strict also
# refuses a number written with a decimal point (100.0), which pydantic's lax mode would take as 100:
# money is integer 元, never a float. (It belongs in shared.schemas, beside Yuan, for every service.)
Money = Annotated[Yuan, Strict()]
