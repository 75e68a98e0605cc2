"""Showcase routes (新技术新产品目录): thin; the use cases are in service.py."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.outreach.access import Reader, Recorder, page
from shared.pagination import Cursor, Limit
from services.outreach.showcase import repository, service
from services.outreach.showcase.schemas import (InterestIn, InterestPublic, Maturity, ProductDetail, ProductIn,
                                                ProductPublic)
from shared import pagination
from shared.schemas import Page, RowId
from shared.sessions import ReadSession, WriteSession

router = APIRouter(tags=["showcase"])
ProductId = Annotated[RowId, Path(description="产品编号 / the showcase entry's id")]


@router.post("/products", status_code=201, summary="登记新技术新产品 / Add a new technology or product to the showcase")
def create_product(body: ProductIn, who: Recorder, session: WriteSession) -> ProductPublic:
    """在产品目录中登记一项新技术或新产品；供给企业须在区企业库中（否则 422 not-in-registry）。
    Add a new technology or product to the showcase; its enterprise must be in the registry (else
    422 not-in-registry)."""
    return service.create(session, who, body)


@router.get("/products", summary="搜索产品目录 / Search the showcase")
def search_products(who: Reader, session: ReadSession,
                    q: Annotated[str | None, Query(max_length=100, description="检索词，以空格分隔、须全部出现（支持中文"
                                                                               "部分词）/ terms, all must occur "
                                                                               "(Chinese partial words)")] = None,
                    limit: Limit = 50, cursor: Cursor = None,
                    category: Annotated[str | None, Query(max_length=100, description="按类别筛选 / only this "
                                                                                      "category")] = None,
                    maturity: Annotated[Maturity | None, Query(description="按成熟度筛选 / only this "
                                                                           "maturity")] = None
                    ) -> Page[ProductPublic]:
    """按检索词、类别与成熟度搜索产品目录：每个检索词都须出现（中文部分词即可，如“储能”找到“新型储能系统”）。
    Search the showcase: every whitespace-separated term of q must occur (a Chinese partial word
    will do: 储能 finds 新型储能系统), with optional category and maturity."""
    rows = repository.search(session, who, q, category, maturity, pagination.decode_id(cursor), limit)
    return page(rows, limit)


@router.get("/products/{product_id}", summary="产品详情（含采购意向）/ One showcase entry with the interest in it")
def get_product(product_id: ProductId, who: Reader, session: ReadSession) -> ProductDetail:
    """产品目录中的一项及采购方表达的意向。
    One showcase entry with the interest buyers expressed in it."""
    return service.detail(session, who, product_id)


@router.post("/products/{product_id}/interests", status_code=201,
             summary="采购方表达意向 / A buyer expresses interest")
def add_interest(product_id: ProductId, body: InterestIn, who: Recorder, session: WriteSession) -> InterestPublic:
    """登记采购方对产品的意向：采购企业须在企业库中且不是供给企业本身。
    Record a buyer's interest in a product: a buying enterprise must be in the registry and not the
    supplier itself."""
    return service.add_interest(session, who, product_id, body)
