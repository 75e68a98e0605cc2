"""What several sub-domains need of the registry's record (shared.projection)."""
from __future__ import annotations

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
