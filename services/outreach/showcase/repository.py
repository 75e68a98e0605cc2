"""Every query of the showcase: products (searched by Chinese partial words) and interest."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from services.outreach import rules
from services.outreach.access import one, scoped
from services.outreach.tables import Interest, Product
from shared.auth import Principal
from shared.pagination import keyset


def readable(who: Principal) -> Select:
    """The showcase entries `who` may read (with their interest): every read starts here."""
    return scoped(who, select(Product))


def get(s: Session, who: Principal, product_id: int) -> Product:
    return one(s, readable(who).where(Product.id == product_id), "产品", "Product", product_id)


def search(s: Session, who: Principal, q: str | None, category: str | None, maturity: str | None,
           after: int | None, limit: int) -> list[Product]:
    """Every term of `q` must occur in `search_text` (LIKE '%term%': Chinese partial words)."""
    stmt = readable(who)
    for term in rules.search_terms(q or ""):
        stmt = stmt.where(Product.search_text.like(rules.like_pattern(term), escape="\\"))
    if category:
        stmt = stmt.where(Product.category == category)
    if maturity:
        stmt = stmt.where(Product.maturity == maturity)
    return list(s.scalars(keyset(stmt, Product.id, after, limit)))


def interests_of(s: Session, product_id: int) -> list[Interest]:
    return list(s.scalars(select(Interest).where(Interest.product_id == product_id).order_by(Interest.id)))


def of_enterprise(s: Session, product_id: int, uscc: str) -> bool:
    """Whether the product exists and is this enterprise's (a proposal's or a contract's product)."""
    p = s.get(Product, product_id)
    return p is not None and p.uscc == uscc
