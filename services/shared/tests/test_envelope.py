"""The envelope: CloudEvents binary-mode headers around a Protobuf payload."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from xiangzhi.grid.v1.events_pb2 import MatterEvent
from xiangzhi_shared.envelope import EnvelopeError, decode, headers_for

AT = datetime(2026, 5, 1, 1, 2, 3, tzinfo=UTC)
TP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def record():
    msg = MatterEvent(matter_id="m1", change="accepted", status="ACCEPTED")
    headers = headers_for("e1", "xiangzhi.grid.matter.accepted", "/xiangzhi/grid", AT,
                          msg.DESCRIPTOR.full_name, TP)
    return msg.SerializeToString(), headers


def test_roundtrip_keeps_every_attribute():
    value, headers = record()
    names = [k for k, _ in headers]
    assert names == ["ce_id", "ce_type", "ce_source", "ce_time", "ce_specversion",
                     "content-type", "traceparent"]
    event = decode("grid.matter.v1", b"m1", value, headers)
    assert (event.id, event.type, event.source, event.time, event.key, event.traceparent) == (
        "e1", "xiangzhi.grid.matter.accepted", "/xiangzhi/grid", AT, "m1", TP)
    assert event.message == MatterEvent(matter_id="m1", change="accepted", status="ACCEPTED")
    assert dict(headers)["ce_time"] == b"2026-05-01T01:02:03Z"


@pytest.mark.parametrize("drop", ["ce_id", "ce_type", "ce_specversion", "content-type"])
def test_missing_header_is_refused(drop):
    value, headers = record()
    with pytest.raises(EnvelopeError):
        decode("t", b"k", value, [(k, v) for k, v in headers if k != drop])


def test_unknown_message_type_and_garbage_payload_are_refused():
    value, headers = record()
    bad_type = [(k, b"application/protobuf; proto=nope.Nope" if k == "content-type" else v)
                for k, v in headers]
    with pytest.raises(EnvelopeError):
        decode("t", b"k", value, bad_type)
    with pytest.raises(EnvelopeError):
        decode("t", b"k", b"\xff\xff\xff", headers)
