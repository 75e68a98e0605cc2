"""The products a bank may name in a loan application: finance's rule (rules.product_refusal) is the
one the catalogue's `usable` filter applies (its SQL, products.repository.usable_by) and the one an
application is checked against; a table of cases and the two compared over a real catalogue."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import update

from services.finance import rules
from services.finance.tables import Product
from services.finance.tests.helpers import LOANS, PRODUCTS, bank, listed_enterprise
from shared.clock import today


@pytest.mark.parametrize("kind, provider, active, expected", [
    ("loan", "B1", True, None), ("loan", "B2", True, "foreign-product"), ("loan", "B1", False, "unknown-product"),
    ("guarantee", "G1", True, None), ("insurance", "I1", True, None), ("guarantee", "G1", False, "unknown-product"),
])
def test_which_products_a_bank_may_name(kind, provider, active, expected):
    assert rules.product_refusal(kind, provider, active, "B1") == expected


async def test_the_catalogues_usable_filter_is_the_rule(suite):
    fin = suite.client("finance", role="finance")
    tag = uuid.uuid4().hex[:6]
    made = {}
    for kind, provider in (("loan", "B1"), ("loan", "B2"), ("guarantee", "G1"), ("insurance", "I1"), ("loan", "B1")):
        body = {"kind": kind, "name": f"{kind}-{provider}-{len(made)}-{tag}", "provider_org": provider}
        if kind == "insurance":
            body["insurance_type"] = "credit_guarantee"
        r = await fin.post(PRODUCTS, json=body)
        assert r.status_code == 201, r.text
        made[r.json()["id"]] = r.json()
    retired = max(made)  # the second B1 loan product is no longer offered
    with suite.db("finance").transaction() as s:
        s.execute(update(Product).where(Product.id == retired).values(active=False))
    everything = (await fin.get(PRODUCTS, params={"limit": 500})).json()["items"]
    usable = {p["id"] for p in (await bank(suite, "B1").get(PRODUCTS, params={"usable": "true", "limit": 500})).json()["items"]}
    assert usable == {p["id"] for p in everything
                      if rules.product_refusal(p["kind"], p["provider_org"], p["active"], "B1") is None}
    assert retired not in usable and len(usable & set(made)) == 3
    # An application naming one outside it is refused by the same rule.
    u = await listed_enterprise(suite)
    foreign = next(i for i, p in made.items() if p["provider_org"] == "B2")
    r = await bank(suite, "B1").post(LOANS, json={"uscc": u, "applied_yuan": 1_000_000, "applied_on": today().isoformat(),
                                                  "product_id": foreign})
    assert r.status_code == 422 and r.json()["errors"][0]["type"] == "foreign-product"
