"""Path parameters several services take: a USCC in the path, written once.

`UsccKey` looks an enterprise up: trimmed and upper-cased, so a lower-case code finds it as in a POST
body; a malformed one is simply not found (404). `UsccPath` is a code a route writes under: also
checked, a 422 (`invalid-uscc`) when it is not a valid code, never a 500."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path
from pydantic import AfterValidator

from shared.errors import Problem
from shared.validators import reason_zh, uscc_error

USCC_TEXT = "统一社会信用代码（18 位，不区分大小写） / unified social credit code (18 characters, case-insensitive)"


def _normalised(value: str) -> str:
    return value.strip().upper()


def _checked(uscc: Annotated[str, Path(description=USCC_TEXT)]) -> str:
    value = _normalised(uscc)
    if err := uscc_error(value):
        raise Problem(422, "invalid-uscc", f"统一社会信用代码无效：{reason_zh(err)}", f"invalid USCC: {err}",
                      errors=[{"loc": ["path", "uscc"], "msg": err, "type": "invalid-uscc"}])
    return value


UsccKey = Annotated[str, Path(description=USCC_TEXT), AfterValidator(_normalised)]
UsccPath = Annotated[str, Depends(_checked)]
