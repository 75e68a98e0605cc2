"""What an integrating engineer needs on every operation of every service's OpenAPI document
(issue 16): a Chinese summary and description with the English beside them, a description on every
parameter and on every field of every schema, an example of every request and answer body, a
response model on every 2xx JSON answer, and the documented problems. Run one service with
`pytest tests/test_openapi_complete.py -k parks`; the failure lists every gap."""
import importlib
import re

import pytest

from shared.settings import available_services

CJK = re.compile("[\u4e00-\u9fff]")
LATIN = re.compile("[A-Za-z]{2}")
OPEN = {"/healthz", "/readyz", "/metrics", "/asyncapi.json"}
USCC_LIKE = re.compile(r"(?<![0-9A-Z])9[0-9A-Z]{17}(?![0-9A-Z])")


def bilingual(text) -> bool:
    return bool(text) and bool(CJK.search(text)) and bool(LATIN.search(text))


def resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def has_example(doc: dict, media: dict) -> bool:
    if "example" in media or "examples" in media:
        return True
    schema = resolve(doc, media.get("schema", {}))
    if "example" in schema or "examples" in schema:
        return True
    # A page (shared.schemas.Page) or a list is exemplified by its items' model.
    items = schema.get("properties", {}).get("items", {}).get("items") or schema.get("items")
    return bool(items) and "examples" in resolve(doc, items)


def gaps(doc: dict) -> list[str]:
    found = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            where = f"{method.upper()} {path}"
            if not bilingual(op.get("summary")):
                found.append(f"{where}: summary not Chinese with English beside it: {op.get('summary')!r}")
            if not op.get("description") or not CJK.search(op["description"]):
                found.append(f"{where}: no Chinese description")
            for p in op.get("parameters", []):
                if not bilingual(p.get("description")):
                    found.append(f"{where}: parameter {p['in']} {p['name']}: no bilingual description")
            for media_type, media in op.get("requestBody", {}).get("content", {}).items():
                if "json" in media_type and not has_example(doc, media):
                    found.append(f"{where}: request body without an example")
            answers = op["responses"]
            ok = [code for code in answers if code.startswith("2")]
            if not ok:
                found.append(f"{where}: no 2xx answer documented")
            for code in ok:
                for media_type, media in answers[code].get("content", {}).items():
                    if "json" not in media_type:
                        continue
                    schema = media.get("schema", {})
                    if not schema or schema == {"type": "object"} or schema == {"additionalProperties": True, "type": "object"}:
                        found.append(f"{where}: {code} has no response model")
                    elif path not in OPEN and not has_example(doc, media):
                        found.append(f"{where}: {code} answer without an example")
            if path not in OPEN:
                for code in ("401", "403", "422"):
                    if code not in answers:
                        found.append(f"{where}: {code} not documented")
            if "{" in path and "404" not in answers:
                found.append(f"{where}: 404 not documented")
            if method == "post" and "409" not in answers:
                found.append(f"{where}: 409 not documented")
    for name, schema in doc.get("components", {}).get("schemas", {}).items():
        if schema.get("description") and not bilingual(schema["description"]):
            found.append(f"schema {name}: its description is not Chinese with English beside it")
        for field, prop in schema.get("properties", {}).items():
            text = prop.get("description") or resolve(doc, prop).get("description")
            if not bilingual(text):
                found.append(f"schema {name}.{field}: no bilingual description")
    return found


@pytest.mark.parametrize("service", available_services())
def test_every_operation_and_field_is_documented(service):
    app = importlib.import_module(f"services.{service}.main").app
    app.openapi_schema = None
    found = gaps(app.openapi())
    assert not found, f"{len(found)} gaps in {service}'s OpenAPI:\n" + "\n".join(found)


def _examples(node, inside: bool = False):
    """Every string inside an `example` or `examples` of the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _examples(value, inside or key in ("example", "examples"))
    elif isinstance(node, list):
        for value in node:
            yield from _examples(value, inside)
    elif inside and isinstance(node, str):
        yield node


@pytest.mark.parametrize("service", available_services())
def test_every_example_code_is_a_valid_uscc(service):
    """An example an integrator copies must not be refused: every 18-character 统一社会信用代码 in
    an example has a valid check character."""
    from shared.validators import uscc_error

    app = importlib.import_module(f"services.{service}.main").app
    app.openapi_schema = None
    codes = {m for text in _examples(app.openapi()) for m in USCC_LIKE.findall(text)}
    assert codes, "no example holds a USCC"
    assert {c for c in codes if uscc_error(c)} == set()


@pytest.mark.parametrize("service", available_services())
def test_every_schema_example_holds_its_required_fields(service):
    """An example must validate against its own schema: FastAPI drops null values when it writes the
    document, so a required field that may be null (`closed_on: null`) vanished from 65 examples
    across the services (found by the integrator's walk)."""
    app = importlib.import_module(f"services.{service}.main").app
    app.openapi_schema = None
    schemas = app.openapi()["components"]["schemas"]
    missing = [f"{name} example {i}: {where}" for name, schema in schemas.items()
               for i, example in enumerate(schema.get("examples") or [])
               for where in _missing(example, schema, schemas, "")]
    assert missing == []


def _missing(value, schema: dict, schemas: dict, path: str):
    """The required fields an example (or an object nested in it, at any depth) leaves out."""
    if "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    elif len([a for a in schema.get("anyOf", ()) if a.get("type") != "null"]) == 1:
        schema = next(a for a in schema["anyOf"] if a.get("type") != "null")
        yield from _missing(value, schema, schemas, path)
        return
    if isinstance(value, list):
        for n, item in enumerate(value):
            yield from _missing(item, schema.get("items", {}), schemas, f"{path}[{n}]")
    elif isinstance(value, dict) and "properties" in schema:
        yield from (f"{path}.{field}" for field in schema.get("required") or () if field not in value)
        for field, inner in value.items():
            if field in schema["properties"]:
                yield from _missing(inner, schema["properties"][field], schemas, f"{path}.{field}")


@pytest.mark.parametrize("service", available_services())
async def test_docs_are_served_by_the_service(suite, service):
    client = suite.client(service, role=None)
    page = await client.get("/docs")
    assert page.status_code == 200 and "/docs-assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    script = await client.get("/docs-assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
    redoc = await client.get("/redoc")
    assert redoc.status_code == 200 and "/docs-assets/redoc.standalone.js" in redoc.text
    assert "fonts.googleapis" not in redoc.text
    assert "img-src 'self'" in redoc.headers["content-security-policy"]  # not even ReDoc's footer logo
