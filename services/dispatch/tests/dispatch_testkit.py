"""What the dispatch tests share: GraphQL documents, producing events as grid or a partner
would, partner credentials, consumer groups that start at the end of their topics."""

from __future__ import annotations

import json
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer
from google.protobuf.message import Message
from xiangzhi_shared import envelope
from xiangzhi_shared.testing import KAFKA

STACK = Path(__file__).resolve().parents[3] / "deploy" / "local" / "stack"

REPORT = """mutation($input: ReportTicketInput!) { reportTicket(input: $input) {
    id status route partner category regionCode villageCode dueAt coordinator { id name } } }"""
ACCEPT = "mutation($id: ID!) { acceptTicket(id: $id) { id status } }"
START = "mutation($id: ID!) { startTicket(id: $id, note: \"on my way\") { id status } }"
RESOLVE = "mutation($id: ID!, $r: String!) { resolveTicket(id: $id, resolution: $r) " \
          "{ id status resolution } }"
CONFIRM = "mutation($id: ID!) { confirmTicket(id: $id) { id status } }"
REOPEN = "mutation($id: ID!, $r: String!) { reopenTicket(id: $id, reason: $r) " \
         "{ id status route } }"
TICKET = "query($id: ID!) { ticket(id: $id) { id status route resolution partner " \
         "steps { change status actor } partnerUpdates { status outcome detail } } }"
TICKETS = "query($f: TicketFilter) { tickets(filter: $f, first: 100) { totalCount " \
          "nodes { id partner regionCode status } } }"


def report_input(dispatch, *, partner="power", category="SAFETY_PUBLICITY", village="QY.01.001",
                 grid="01", title="测试工单", **extra):
    body = {"partner": partner, "category": category, "title": title,
            "villageId": dispatch.region_id(village)}
    if grid:
        body["gridId"] = dispatch.region_id(f"{village}.{grid}")
    return {"input": {**body, **extra}}


async def produce(topic: str, message: Message, key: str, *, ce_type: str,
                  event_id: str | None = None, source: str = "/test",
                  **kafka: Any) -> str:
    """Produces one well-formed event (CloudEvents headers), as grid or a partner would."""
    event_id = event_id or str(uuid.uuid4())
    producer = AIOKafkaProducer(**({"bootstrap_servers": KAFKA} | kafka))
    await producer.start()
    try:
        headers = envelope.headers_for(event_id, ce_type, source, datetime.now(UTC),
                                       message.DESCRIPTOR.full_name, None)
        await producer.send_and_wait(topic, message.SerializeToString(), key=key.encode(),
                                     headers=headers)
    finally:
        await producer.stop()
    return event_id


def partner_kafka(code: str) -> dict[str, str]:
    """aiokafka settings for a partner on the SASL listener, from `stack partner-credentials`."""
    out = subprocess.run([str(STACK), "partner-credentials", code, "--json"], check=True,
                         capture_output=True, text=True).stdout
    creds = json.loads(out.strip().splitlines()[-1])
    return {"bootstrap_servers": creds["bootstrap"],
            "security_protocol": creds["security_protocol"],
            "sasl_mechanism": creds["mechanism"], "sasl_plain_username": creds["username"],
            "sasl_plain_password": creds["password"]}


