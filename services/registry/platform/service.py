"""Municipal platform use cases: who may be recommended. They read through the caller's session
and never commit (the record of what was sent is the platform job's, audited)."""
from sqlalchemy.orm import Session

from services.registry.enterprises import repository as enterprises
from shared.errors import Problem


def check_registered(s: Session, usccs: list[str]) -> None:
    """Every enterprise recommended must be registered (422 naming the unknown ones; nothing is sent)."""
    missing = enterprises.unregistered(s, usccs)
    if missing:
        raise Problem(422, "unknown-enterprises", f"未登记的企业：{'、'.join(missing)}",
                      f"Not registered: {', '.join(missing)}",
                      errors=[{"loc": ["body", "usccs"], "msg": u, "type": "not_found"} for u in missing])
