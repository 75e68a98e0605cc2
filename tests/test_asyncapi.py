"""AsyncAPI 3.0 from the typed payloads: every service serves what it sends and receives, every
reference resolves, and a real event the registry published validates against its message."""
import re

import jsonschema
import orjson
from sqlalchemy import select

from shared.tables import Outbox
from shared.testing import make_uscc
from tests.test_exactly_once import promote


def refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)


def resolve(doc, ref):
    node = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


async def test_every_service_serves_its_events_and_a_real_event_validates(suite):
    docs = {}
    for name, app in suite.apps.items():
        r = await suite.client(name, role=None).get("/asyncapi.json")
        assert r.status_code == 200
        doc = docs[name] = r.json()
        assert doc["asyncapi"] == "3.0.0"
        for ref in refs(doc):
            resolve(doc, ref)  # raises when a reference dangles
        received = {doc["channels"][op["channel"]["$ref"].rsplit("/", 1)[1]]["address"]
                    for op in doc["operations"].values() if op["action"] == "receive"}
        assert received == set(app.state.handlers)  # exactly what its handlers.py registers
    assert any(op["action"] == "send" for op in docs["registry"]["operations"].values())

    u = make_uscc()
    await promote(suite, u, "municipal_srdi", "2024-03-01")
    with suite.db("registry").reader() as s:
        payload = s.scalars(select(Outbox.payload).where(Outbox.subject == "srdi.registry.enterprise.promoted.v1")
                            .order_by(Outbox.created_at.desc())).first()
    data = orjson.loads(payload)["data"]
    doc = docs["finance"]
    schema = {**doc, "$ref": doc["components"]["messages"]["registry_enterprise_promoted_v1"]["payload"]["$ref"]}
    jsonschema.Draft202012Validator(schema).validate(data)
    bad = {**data, "record": {**data["record"], "certifications": "none"}}
    assert not jsonschema.Draft202012Validator(schema).is_valid(bad)


def test_the_catalogue_in_docs_is_current():
    """docs/asyncapi.json is what `srdi asyncapi` prints: regenerate it when an event changes."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-m", "shared.cli", "asyncapi"], capture_output=True, text=True,
                         check=True, cwd=root).stdout
    assert json.loads(out) == json.loads((root / "docs" / "asyncapi.json").read_text()), \
        "docs/asyncapi.json is stale: .venv/bin/srdi asyncapi > docs/asyncapi.json"


def test_the_markdown_catalogue_in_docs_is_current():
    """docs/events-catalogue.md is docs/asyncapi.json rendered (`srdi asyncapi --out docs` writes both);
    with the test above, it is what the payload models say today."""
    import json
    from pathlib import Path

    from shared.asyncapi import render_markdown

    docs = Path(__file__).resolve().parent.parent / "docs"
    doc = json.loads((docs / "asyncapi.json").read_text(encoding="utf-8"))
    assert render_markdown(doc) == (docs / "events-catalogue.md").read_text(encoding="utf-8"), \
        "docs/events-catalogue.md is stale: .venv/bin/srdi asyncapi --out docs"


HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def test_every_field_and_message_is_described_in_chinese_and_english():
    from shared.asyncapi import document

    doc = document()
    fields = 0
    for name, schema in doc["components"]["schemas"].items():
        for field, node in schema.get("properties", {}).items():
            text = node.get("description", "")
            assert HAN.search(text) and LATIN.search(text), f"{name}.{field}: {text!r} is not bilingual"
            fields += 1
    assert fields > 100
    for name, message in doc["components"]["messages"].items():
        assert HAN.search(message["summary"]) and LATIN.search(message["summary"]), name


def test_every_message_has_its_own_example_that_its_model_accepts():
    """Every message carries an example of its own event (not one inherited from another): the
    model takes it, field for field (no unknown key slips by `extra="ignore"`), and it validates
    against the message's JSON Schema; the shared schemas' examples validate too."""
    from shared.asyncapi import all_models, document

    doc = document()
    models = {m.__name__: m for m in all_models()}
    assert len(doc["components"]["messages"]) == len(models)
    seen = []
    for name, message in doc["components"]["messages"].items():
        assert message.get("examples"), f"{name} has no example"
        model = models[message["payload"]["$ref"].rsplit("/", 1)[1]]
        validator = jsonschema.Draft202012Validator({**doc, "$ref": message["payload"]["$ref"]})
        for example in message["examples"]:
            payload = example["payload"]
            assert model.model_validate(payload).model_dump(mode="json") == payload, name
            validator.validate(payload)
            assert payload not in seen, f"{name}: the same example as another event's"
            seen.append(payload)
    for name, schema in doc["components"]["schemas"].items():
        for example in schema.get("examples", []):
            jsonschema.Draft202012Validator({**doc, "$ref": f"#/components/schemas/{name}"}).validate(example)
