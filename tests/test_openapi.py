"""Every service's OpenAPI document says what an integrating engineer needs on every operation: the
bearer scheme, the RFC 9457 problem answers actually returned, the Idempotency-Key on every POST."""


async def test_every_operation_documents_auth_problems_and_idempotency(suite):
    for name in suite.apps:
        doc = (await suite.client(name, role=None).get("/openapi.json")).json()
        assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
        assert "HTTPValidationError" not in doc["components"]["schemas"]
        for path, item in doc["paths"].items():
            for method, op in item.items():
                where = f"{name} {method.upper()} {path}"
                answers = op["responses"]
                assert answers["422"]["content"]["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"}, where
                if path not in ("/healthz", "/readyz", "/metrics", "/asyncapi.json"):
                    assert op["security"] == [{"bearer": []}], where
                    assert {"401", "403"} <= set(answers), where
                if method == "post":
                    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header"
                               for p in op.get("parameters", [])), where


async def test_a_real_422_matches_the_documented_problem(suite):
    import jsonschema

    doc = (await suite.client("registry", role=None).get("/openapi.json")).json()
    r = await suite.client("registry").post("/api/v1/enterprises", json={"name": "缺代码企业"})
    assert r.status_code == 422
    jsonschema.Draft202012Validator(doc["components"]["schemas"]["Problem"]).validate(r.json())
