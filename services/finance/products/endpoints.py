"""Product routes: the catalogue (专精特新贷 / 保 / 险)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.finance.auth import Manager, ProductReader
from services.finance.products import repository, service
from services.finance.products.schemas import KIND, ProductIn, ProductKind, ProductPublic
from shared import pagination
from shared.pagination import Cursor, Limit
from shared.schemas import Page
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["products"])

ProductId = Annotated[int, Path(description="产品编号 / product id")]


@router.get("/products", response_model=Page[ProductPublic],
            summary="产品目录 / the catalogue: 专精特新贷 (loan), 专精特新保 (guarantee), 专精特新险 (insurance)")
def list_products(who: ProductReader, session: ReadSession, limit: Limit = 100,
                  cursor: Cursor = None, kind: Annotated[ProductKind | None, Query(description=KIND)] = None,
                  provider_org: Annotated[str | None, Query(max_length=64, description="提供机构代码 / the "
                                                                                       "provider's org code")] = None,
                  usable: Annotated[bool, Query(description=(
                      "只列出调用方（银行）登记贷款申请时可选的产品：在售的本行贷款产品、任何担保或保险产品 / only the "
                      "products the calling bank may name in a loan application: its own loan products and any "
                      "guarantee or insurance product, offered now"))] = False):
    """产品目录，按编号分页。The catalogue by id, a keyset page."""
    rows = repository.page(session, who, limit, pagination.decode_id(cursor), kind, provider_org, usable)
    return pagination.page(rows, limit, key=lambda p: str(p.id))


@router.get("/products/{product_id}", response_model=ProductPublic, summary="一个产品 / one product")
def get_product(product_id: ProductId, who: ProductReader, session: ReadSession):
    """按编号查看一个产品。One product by its id."""
    return service.get(session, who, product_id)


@router.post("/products", status_code=201, response_model=ProductPublic,
             summary="新增产品 / add a product to the catalogue")
def create_product(body: ProductIn, who: Manager, session: WriteSession):
    """区金融服务办新增产品；同一机构的产品名称不得重复（409）。
    The finance office adds a product; a provider's product names are unique (409)."""
    return service.create_product(session, who.actor, body)

