"""The audit log: every state change with who, when, and the state before and after."""
from __future__ import annotations

from sqlalchemy.orm import Session

from shared.tables import AuditLog


def record(session: Session, actor: str, action: str, object_type: str, object_id: str,
           before: dict | None = None, after: dict | None = None) -> None:
    session.add(AuditLog(actor=actor, action=action, object_type=object_type, object_id=str(object_id),
                         before=before, after=after))
