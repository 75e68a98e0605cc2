"""What several sub-domains need of the registry's record (shared.projection) and of a row insert."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared import projection
from shared.contracts.registry import EnterpriseRecord
from shared.errors import Problem


def known_enterprise(s: Session, uscc: str) -> EnterpriseRecord:
    """An enterprise finance holds the registry's record of (any tier), else 422."""
    e = projection.record_of(s, uscc)
    if e is None:
        raise Problem(422, "unknown-enterprise", f"登记系统中没有该企业：{uscc}",
                      f"The registry has no such enterprise (no event about it has reached finance): {uscc}",
                      errors=[{"loc": ["body", "uscc"], "msg": "unknown enterprise", "type": "unknown-enterprise"}])
    return e


def insert(s: Session, row, conflict: Problem) -> None:
    """Insert a row under a savepoint: a unique key taken meanwhile by a concurrent request (the
    check before it could not see that one) becomes the given 409, not a 500. (A shared helper's
    work: shared.db could offer it to every service.)"""
    try:
        with s.begin_nested():
            s.add(row)
            s.flush()
    except IntegrityError as e:
        raise conflict from e
