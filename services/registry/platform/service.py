"""Municipal platform use cases: who may be recommended, and the record of a recommendation sent.
They write through the caller's session and never commit."""
from sqlalchemy.orm import Session

from services.registry.enterprises import repository as enterprises
from services.registry.platform.client import Receipt
from services.registry.platform.schemas import RecommendationPublic
from shared import audit
from shared.errors import Problem


def check_registered(s: Session, usccs: list[str]) -> None:
    """Every enterprise recommended must be registered (422 naming the unknown ones; nothing is sent)."""
    missing = enterprises.unregistered(s, usccs)
    if missing:
        raise Problem(422, "unknown-enterprises", f"未登记的企业：{'、'.join(missing)}",
                      f"Not registered: {', '.join(missing)}",
                      errors=[{"loc": ["body", "usccs"], "msg": u, "type": "not_found"} for u in missing])


def recommendation_sent(s: Session, actor: str, year: int, tier: str, usccs: list[str],
                        receipt: Receipt) -> RecommendationPublic:
    """Record (audit) a district recommendation the platform received; the answer to the caller."""
    audit.record(s, actor, "platform.recommend", "recommendation", receipt.batch_id, None,
                 {"year": year, "tier": tier, "usccs": usccs, "accepted": receipt.accepted,
                  "duplicate": receipt.duplicate})
    return RecommendationPublic(batch_id=receipt.batch_id, year=year, tier=tier, enterprises=usccs,
                                accepted=receipt.accepted, duplicate=receipt.duplicate)
