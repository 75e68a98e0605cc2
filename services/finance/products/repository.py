"""Every query of the product catalogue."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from services.finance.tables import Product
from shared.auth import Principal
from shared.pagination import keyset


def readable(who: Principal | None = None) -> Select:
    """The catalogue is public to every reader: select(Product)."""
    return select(Product)


def usable_by(bank: str):
    """rules.product_refusal as SQL: the products `bank` may name in an application (offered; a loan
    product its own; any guarantee or insurance). tests/test_products_usable checks they agree."""
    return Product.active.is_(True) & ((Product.kind != "loan") | (Product.provider_org == bank))


def page(s: Session, who: Principal, limit: int, after: int | None, kind: str | None,
         provider_org: str | None, usable: bool = False) -> list[Product]:
    stmt = keyset(readable(who), Product.id, after, limit)
    if usable:
        stmt = stmt.where(usable_by(who.org or ""))
    if kind:
        stmt = stmt.where(Product.kind == kind)
    if provider_org:
        stmt = stmt.where(Product.provider_org == provider_org)
    return list(s.scalars(stmt))


def get(s: Session, who: Principal | None, product_id: int) -> Product | None:
    return s.scalars(readable(who).where(Product.id == product_id)).first()


def named(s: Session, provider_org: str, name: str) -> Product | None:
    return s.scalars(select(Product).where(Product.provider_org == provider_org, Product.name == name)).first()
