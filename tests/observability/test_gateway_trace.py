"""The ops team's promise: one GraphQL mutation sent to the gateway, ending as an event the
partner utility's consumer (docs/examples/partner_consumer.py, run as its own process with
the partner's SCRAM credentials) processes, is ONE trace in the backend — gateway, service,
database calls, Kafka produce and the partner's consumer — read back from a real OTLP receiver."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from dispatch.app import make_spec as dispatch_spec
from dispatch.seed import seed as seed_dispatch
from dispatch.settings import DispatchSettings
from gateway.config import GatewaySettings
from gateway.server.app import create_app as gateway_app
from gateway.supergraph.loader import load_supergraph
from otlp_receiver import export_spans_to
from xiangzhi_shared.demo import region_id
from xiangzhi_shared.service import create_app
from xiangzhi_shared.testing import GraphQLClient, fresh_database, served, start_groups_at_end

ROOT = Path(__file__).resolve().parents[2]
REPORT = """mutation Report($input: ReportTicketInput!) { reportTicket(input: $input) {
    id status route partner } }"""


def partner_env(code: str, endpoint: str) -> dict[str, str]:
    out = subprocess.run([str(ROOT / "deploy/local/stack"), "partner-credentials", code,
                          "--json"], check=True, capture_output=True, text=True).stdout
    creds = json.loads(out.strip().splitlines()[-1])
    return {**os.environ, "KAFKA_bootstrap": creds["bootstrap"],
            "KAFKA_username": creds["username"], "KAFKA_password": creds["password"],
            "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint}


async def test_gateway_mutation_to_partner_consumer_is_one_trace(otlp_receiver, tokens):
    group = f"power.trace-{secrets.token_hex(3)}"  # the partner's ACLs allow groups power.*
    await start_groups_at_end(group, ["partner.power.tickets.v1"])
    async with fresh_database("obs_gw") as dsn:
        settings = DispatchSettings(database_url=dsn, jwks_file=tokens.jwks_file,
                                    consumers_enabled=False,
                                    service_name=f"dispatch-trace-{secrets.token_hex(3)}")
        app = create_app(dispatch_spec(settings))
        async with export_spans_to(otlp_receiver, settings), served(app) as dispatch_url:
            await seed_dispatch(app.state.runtime.pool)
            gw = gateway_app(load_supergraph(ROOT / "gateway/supergraph.graphql"),
                             GatewaySettings(subgraph_urls={"dispatch": dispatch_url + "/graphql"},
                                             jwks_file=tokens.jwks_file))
            async with served(gw) as gateway_url:
                partner = await asyncio.create_subprocess_exec(
                    sys.executable, str(ROOT / "docs/examples/partner_consumer.py"),
                    "--partner", "power", "--group", group, "--max", "1", "--idle", "60",
                    env=partner_env("power", otlp_receiver.endpoint),
                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
                trace_id = secrets.token_hex(16)
                caller = secrets.token_hex(8)
                gql = GraphQLClient(gateway_url)
                try:
                    data = await gql.ok(REPORT, {"input": {
                        "partner": "power", "category": "FAULT_REPAIR", "title": "线路跳闸",
                        "villageId": str(region_id("QY.01.001"))}},
                        tokens("grid_worker", region="QY.01.001"),
                        {"traceparent": f"00-{trace_id}-{caller}-01"})
                finally:
                    await gql.close()
                assert data["reportTicket"]["route"] == "PARTNER"
                out, _ = await asyncio.wait_for(partner.communicate(), 90)
                assert partner.returncode == 0, out.decode()
                assert data["reportTicket"]["id"] in out.decode()

    def complete(spans):
        mine = [s for s in spans if s.trace_id == trace_id]
        return any(s.service == "partner-power" and s.kind == "CONSUMER" for s in mine)

    await otlp_receiver.wait_for(complete, 60)
    spans = otlp_receiver.trace(trace_id)
    kinds = {(s.kind, s.name.split(" ")[-1]) for s in spans}
    servers = [s for s in spans if s.kind == "SERVER"]
    assert len(servers) == 2, kinds  # the gateway's request span, then dispatch's
    assert any(s.kind == "CLIENT" and not s.attributes.get("db.system") for s in spans), kinds
    assert any(s.attributes.get("db.system") == "postgresql" for s in spans)
    producers = [s for s in spans if s.kind == "PRODUCER"
                 and s.attributes.get("messaging.destination.name") == "partner.power.tickets.v1"]
    assert producers, kinds
    [consumer] = [s for s in spans if s.service == "partner-power" and s.kind == "CONSUMER"]
    assert consumer.parent_span_id in {p.span_id for p in producers}
    # one tree: every span hangs off the caller's span or another span of this trace
    ids = {s.span_id for s in spans} | {caller}
    assert all(s.parent_span_id in ids for s in spans)
