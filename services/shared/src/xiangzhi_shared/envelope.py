"""The event envelope: a Protobuf payload from proto/ with CloudEvents binary-mode headers.

Headers on every record: ce_id, ce_type, ce_source, ce_time, ce_specversion, content-type
(naming the Protobuf message, so any consumer can decode without a side channel) and the
W3C traceparent. The record key is the aggregate id.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.message import DecodeError, Message

SPEC_VERSION = "1.0"
CONTENT_TYPE_PREFIX = "application/protobuf; proto="


class EnvelopeError(ValueError):
    """A record that is not a well-formed Xiangzhi event (missing header, unknown type...)."""


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    source: str
    time: datetime
    topic: str
    key: str
    message: Message
    traceparent: str | None = None
    partition: int | None = None
    offset: int | None = None


def content_type_for(message: Message) -> str:
    return CONTENT_TYPE_PREFIX + message.DESCRIPTOR.full_name


def headers_for(event_id: str, ce_type: str, source: str, time: datetime, proto_name: str,
                traceparent: str | None) -> list[tuple[str, bytes]]:
    headers = [
        ("ce_id", event_id.encode()),
        ("ce_type", ce_type.encode()),
        ("ce_source", source.encode()),
        ("ce_time", time.astimezone(UTC).isoformat().replace("+00:00", "Z").encode()),
        ("ce_specversion", SPEC_VERSION.encode()),
        ("content-type", (CONTENT_TYPE_PREFIX + proto_name).encode()),
    ]
    if traceparent:
        headers.append(("traceparent", traceparent.encode()))
    return headers


_loaded = False


def load_generated_messages() -> None:
    """Imports every module generated from proto/ so the descriptor pool knows its types."""
    global _loaded
    if _loaded:
        return
    package = importlib.import_module("xiangzhi")
    for info in pkgutil.walk_packages(package.__path__, "xiangzhi."):
        if info.name.endswith("_pb2"):
            importlib.import_module(info.name)
    _loaded = True


def message_class(full_name: str) -> type[Message]:
    load_generated_messages()
    try:
        descriptor = descriptor_pool.Default().FindMessageTypeByName(full_name)
    except KeyError as exc:
        raise EnvelopeError(f"unknown message type {full_name}") from exc
    return message_factory.GetMessageClass(descriptor)


def decode(topic: str, key: bytes | None, value: bytes | None,
           headers: list[tuple[str, bytes]] | tuple[tuple[str, bytes], ...],
           partition: int | None = None, offset: int | None = None) -> Event:
    h = {k: v.decode("utf-8", "replace") for k, v in headers}
    missing = [n for n in ("ce_id", "ce_type", "ce_source", "ce_time", "ce_specversion",
                           "content-type") if n not in h]
    if missing:
        raise EnvelopeError(f"missing headers: {missing}")
    if h["ce_specversion"] != SPEC_VERSION:
        raise EnvelopeError(f"unsupported ce_specversion {h['ce_specversion']}")
    ctype = h["content-type"]
    if not ctype.startswith(CONTENT_TYPE_PREFIX):
        raise EnvelopeError(f"unsupported content-type {ctype}")
    cls = message_class(ctype[len(CONTENT_TYPE_PREFIX):])
    msg = cls()
    try:
        msg.ParseFromString(value or b"")
    except DecodeError as exc:
        raise EnvelopeError(f"payload is not a valid {cls.DESCRIPTOR.full_name}") from exc
    try:
        time = datetime.fromisoformat(h["ce_time"].replace("Z", "+00:00"))
    except ValueError as exc:
        raise EnvelopeError(f"bad ce_time {h['ce_time']}") from exc
    return Event(id=h["ce_id"], type=h["ce_type"], source=h["ce_source"], time=time,
                 topic=topic, key=(key or b"").decode(), message=msg,
                 traceparent=h.get("traceparent"), partition=partition, offset=offset)


def decode_record(record: Any) -> Event:
    """Decodes an aiokafka ConsumerRecord."""
    return decode(record.topic, record.key, record.value, record.headers or (),
                  record.partition, record.offset)
