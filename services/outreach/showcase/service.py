"""Showcase use cases: add an entry, record a buyer's interest. They write through the caller's
session and never commit."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.outreach import registry, rules
from services.outreach.access import dump, save
from services.outreach.showcase import repository
from services.outreach.showcase.schemas import InterestIn, InterestPublic, ProductIn, ProductPublic
from services.outreach.tables import Interest, Product
from shared import audit
from shared.auth import Principal
from shared.errors import field_error


def create(s: Session, who: Principal, body: ProductIn) -> Product:
    registry.district(s, body.uscc, "uscc")
    p = save(s, Product(**body.model_dump(), created_by=who.actor,
                        search_text=rules.normalise(body.name, body.category, body.description,
                                                    body.certifications, body.references)))
    audit.record(s, who.actor, "product.create", "product", p.id, after=dump(ProductPublic, p))
    return p


def detail(s: Session, who: Principal, product_id: int) -> dict:
    p = repository.get(s, who, product_id)
    return {**p.model_dump(), "interests": repository.interests_of(s, p.id)}


def add_interest(s: Session, who: Principal, product_id: int, body: InterestIn) -> Interest:
    p = repository.get(s, who, product_id)
    if body.buyer_uscc:
        registry.district(s, body.buyer_uscc, "buyer_uscc")
        if body.buyer_uscc == p.uscc:
            raise field_error("buyer_uscc", "不能对本企业产品表达意向", "cannot be the product's own enterprise")
    i = save(s, Interest(product_id=p.id, created_by=who.actor, **body.model_dump()))
    audit.record(s, who.actor, "interest.create", "interest", i.id, after=dump(InterestPublic, i))
    return i
