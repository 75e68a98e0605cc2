"""AsyncAPI 3.0 documents of the events, generated from the typed payloads (shared.contracts): what a
service publishes (every model whose SERVICE it is) and what it consumes (the models its
handlers.py registers). Served by every service at /asyncapi.json; `srdi asyncapi` prints the
suite's whole catalogue."""
from __future__ import annotations

import importlib
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
            "name": m.NAME, "title": m.subject(), "summary": (m.__doc__ or "").strip().split("\n\n")[0],
            "contentType": "application/cloudevents+json",
            "description": "CloudEvents 1.0 (structured mode); the type is `cn.gov.fangshan." + m.subject()
                           + "`, the id is also the Nats-Msg-Id header. `payload` is its `data`.",
            "payload": {"$ref": f"#/components/schemas/{m.__name__}"}}
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
