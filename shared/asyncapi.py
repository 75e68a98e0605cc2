"""AsyncAPI 3.0 documents of the events, generated from the typed payloads (shared.contracts): what a
service publishes (every model whose SERVICE it is) and what it consumes (the models its
handlers.py registers). Served by every service at /asyncapi.json; `srdi asyncapi` prints the
suite's whole catalogue, and `render_markdown` turns it into docs/events-catalogue.md for readers."""
from __future__ import annotations

import copy
import importlib
import json
import pkgutil

from pydantic.json_schema import models_json_schema

import shared.contracts
from shared.contracts import EventData
from shared.handlers import Handlers


def all_models() -> list[type[EventData]]:
    """Every event payload model in shared.contracts (each module imported once)."""
    for info in pkgutil.iter_modules(shared.contracts.__path__):
        importlib.import_module(f"shared.contracts.{info.name}")
    found: list[type[EventData]] = []
    todo = list(EventData.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if "NAME" in vars(cls):  # a concrete event type, not a shared base
            found.append(cls)
    return sorted(found, key=lambda m: m.subject())


def _message_name(model: type[EventData]) -> str:
    return model.subject().removeprefix("srdi.").replace(".", "_")


def summary(model: type[EventData]) -> str:
    """The message's summary: the Chinese title (`TITLE_ZH`) beside the docstring's first paragraph."""
    en = " ".join((model.__doc__ or "").strip().split("\n\n")[0].split())
    zh = getattr(model, "TITLE_ZH", None)
    return f"{zh} / {en}" if zh and en else zh or en


def examples(model: type[EventData]) -> list[dict]:
    """The model's own examples (`model_config["json_schema_extra"]["examples"]`)."""
    extra = model.model_config.get("json_schema_extra")
    return copy.deepcopy(list(extra.get("examples", []))) if isinstance(extra, dict) else []


def document(service: str | None = None, handlers: Handlers | None = None, title: str = "SRDI events") -> dict:
    """The AsyncAPI document for one service (what it sends and receives), or for the whole suite."""
    models = all_models()
    sent = [m for m in models if service is None or m.SERVICE == service]
    received = [m for m in models if handlers is not None and m.subject() in set(handlers)]
    used = sorted({*sent, *received}, key=lambda m: m.subject())
    _, schemas = models_json_schema([(m, "validation") for m in used],
                                    ref_template="#/components/schemas/{model}")
    channels, messages, operations = {}, {}, {}
    for m in used:
        name = _message_name(m)
        channels[name] = {"address": m.subject(), "messages": {name: {"$ref": f"#/components/messages/{name}"}}}
        messages[name] = {
            "name": m.NAME, "title": m.subject(), "summary": summary(m),
            "contentType": "application/cloudevents+json",
            "description": "CloudEvents 1.0 (structured mode); the type is `cn.gov.fangshan." + m.subject()
                           + "`, the id is also the Nats-Msg-Id header. `payload` is its `data`.",
            "payload": {"$ref": f"#/components/schemas/{m.__name__}"},
            "examples": [{"name": f"{name}_{i}" if i else name, "payload": example}
                         for i, example in enumerate(examples(m))]}
    for m in sent:
        operations[f"send_{_message_name(m)}"] = {"action": "send",
                                                  "channel": {"$ref": f"#/channels/{_message_name(m)}"}}
    for m in received:
        operations[f"receive_{_message_name(m)}"] = {"action": "receive",
                                                     "channel": {"$ref": f"#/channels/{_message_name(m)}"}}
    return {
        "asyncapi": "3.0.0",
        "info": {"title": f"{title} — {service}" if service else title, "version": "1.0.0",
                 "description": "房山区专精特新企业梯度培育协同平台的领域事件 / the suite's domain events, on the "
                                "NATS JetStream stream SRDI (subjects srdi.>). See docs/events.md."},
        "defaultContentType": "application/cloudevents+json",
        "servers": {"jetstream": {"host": "nats:4222", "protocol": "nats",
                                  "description": "the suite's NATS (SRDI_NATS_URL); stream SRDI"}},
        "channels": channels, "operations": operations,
        "components": {"messages": messages, "schemas": schemas.get("$defs", {})},
    }


# The human catalogue (docs/events-catalogue.md) ------------------------------------------------

def _cell(text: object) -> str:
    """A Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _anchor(name: str) -> str:
    return name.lower()


def _type(node: dict) -> str:
    """A JSON Schema's type, short: `string (date)`, `integer | null`, `array of CertificationRecord`."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        return f"[{name}](#{_anchor(name)})"
    if "anyOf" in node:
        return " | ".join(_type(n) for n in node["anyOf"])
    if "const" in node:
        return f"`{node['const']}`"
    if "enum" in node:
        return " | ".join(f"`{v}`" for v in node["enum"])
    kind = node.get("type", "any")
    if kind == "array":
        return f"array of {_type(node.get('items', {}))}"
    if "format" in node:
        return f"{kind} ({node['format']})"
    return str(kind)


def _fields(schema: dict) -> list[str]:
    required = set(schema.get("required", []))
    rows = ["| 字段 / field | 类型 / type | 必填 / required | 默认 / default | 说明 / description |",
            "| --- | --- | --- | --- | --- |"]
    for field, node in schema.get("properties", {}).items():
        default = "" if field in required or "default" not in node else \
            f"`{json.dumps(node['default'], ensure_ascii=False)}`"
        rows.append(f"| `{field}` | {_cell(_type(node))} | {'是 / yes' if field in required else '否 / no'} | "
                    f"{default} | {_cell(node.get('description', ''))} |")
    return rows


def _json(value: object) -> list[str]:
    return ["```json", json.dumps(value, indent=2, ensure_ascii=False), "```"]


def render_markdown(doc: dict) -> str:
    """The AsyncAPI document as a Markdown catalogue: a table of the events (subject, publisher,
    consumers when the document says them: `x-senders`, `x-receivers`, summary), then per event its
    payload's fields (type, required, description) and its examples, then the shared schemas."""
    components = doc.get("components", {})
    messages, schemas = components.get("messages", {}), components.get("schemas", {})
    lines = [f"# 事件目录 / Event catalogue: {doc['info']['title']}", "",
             ("<!-- Generated by `srdi asyncapi --out docs` from the payload models in shared/contracts "
              "(docs/asyncapi.json); do not edit by hand. -->"), "",
             " ".join(doc["info"].get("description", "").split()), "",
             ("每个事件是结构化模式的 CloudEvents 1.0，`data` 即下文的载荷 / Every event is a CloudEvents 1.0 envelope "
              "(structured mode) whose `data` is the payload below."), "",
             "| 主题 / subject | 发布方 / publisher | 消费方 / consumers | 说明 / summary |",
             "| --- | --- | --- | --- |"]
    events = []
    for key, channel in sorted(doc.get("channels", {}).items(), key=lambda kv: kv[1]["address"]):
        for ref in channel.get("messages", {}).values():
            name = ref["$ref"].rsplit("/", 1)[1]
            address = channel["address"]
            senders = channel.get("x-senders") or [address.split(".")[1]]
            receivers = channel.get("x-receivers")
            events.append((address, name, messages[name], senders, receivers))
    for address, name, message, senders, receivers in events:
        consumers = ", ".join(receivers) if receivers else "—"
        lines.append(f"| [`{address}`](#{_anchor(name)}) | {', '.join(senders)} | {consumers} | "
                     f"{_cell(message.get('summary', ''))} |")
    payloads = set()
    for address, name, message, senders, receivers in events:
        payload = message["payload"]["$ref"].rsplit("/", 1)[1]
        payloads.add(payload)
        schema = schemas.get(payload, {})
        lines += ["", f'<a id="{_anchor(name)}"></a>', "", f"## `{address}`", "",
                  " ".join(message.get("summary", "").split()), "",
                  f"- 发布方 / publisher: {', '.join(senders)}",
                  f"- 消费方 / consumers: {', '.join(receivers) if receivers else '—'}",
                  f"- 载荷 / payload: `{payload}`", "", *_fields(schema)]
        for example in message.get("examples", []):
            lines += ["", f"示例 / example (`{example.get('name', name)}`):", "", *_json(example["payload"])]
    shared = [name for name in sorted(schemas) if name not in payloads]
    if shared:
        lines += ["", "## 共用结构 / Shared schemas"]
    for name in shared:
        schema = schemas[name]
        lines += ["", f'<a id="{_anchor(name)}"></a>', "", f"### `{name}`", ""]
        if schema.get("description"):
            lines += [" ".join(schema["description"].split()), ""]
        if "properties" in schema:
            lines += _fields(schema)
        else:
            lines.append(f"类型 / type: {_type(schema)}")
        for example in schema.get("examples", []):
            lines += ["", "示例 / example:", "", *_json(example)]
    return "\n".join(lines) + "\n"
