"""Product use cases: the catalogue of 专精特新贷 / 保 / 险. No commit."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.finance.products import repository
from services.finance.products.schemas import ProductIn, ProductPublic
from services.finance.tables import Product
from shared import audit
from shared.auth import Principal
from shared.db import insert
from shared.errors import Problem, not_found


def public(p: Product) -> dict:
    return ProductPublic.model_validate(p).model_dump(mode="json")


def get(s: Session, who: Principal, product_id: int) -> Product:
    p = repository.get(s, who, product_id)
    if p is None:
        raise not_found("产品", "Product", str(product_id))
    return p


def create_product(s: Session, actor: str, body: ProductIn) -> Product:
    def exists(**extra) -> Problem:
        return Problem(409, "product-exists", f"{body.provider_org} 已有产品「{body.name}」",
                       f"{body.provider_org} already offers a product named {body.name!r}", **extra)

    dup = repository.named(s, body.provider_org, body.name)
    if dup is not None:
        raise exists(existing=public(dup))
    p = Product(**body.model_dump())
    insert(s, p, exists())
    audit.record(s, actor, "product.create", "product", str(p.id), None, public(p))
    return p
