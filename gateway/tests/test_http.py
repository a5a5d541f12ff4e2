"""The HTTP surface: POST/GET /graphql, GraphiQL, health, metrics, request limits, header
forwarding, the debug plan header, pluggable JWT verification and in-flight deduplication."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from gateway.config import GatewaySettings
from gateway.errors import RequestError
from gateway.server.app import create_app
from gateway.server.dedupe import InflightDeduplicator, dedupe_key
from starlette.testclient import TestClient


def client_for(supergraph, verifier=None, **settings):
    return TestClient(create_app(supergraph, GatewaySettings(**settings), verifier))


def test_post_and_get_answer_queries(supergraph):
    with client_for(supergraph) as client:
        post = client.post("/graphql", json={"query": "{ me { id } }"})
        get = client.get("/graphql", params={"query": "{ me { id } }"})
    assert post.status_code == get.status_code == 200
    assert post.json() == get.json() == {"data": {"me": {"id": "u1"}}}


def test_get_refuses_mutations(supergraph):
    with client_for(supergraph) as client:
        response = client.get("/graphql", params={"query": 'mutation { rename(id: "u1", name: "x") { id } }'})
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_browsers_get_a_query_page(supergraph):
    with client_for(supergraph) as client:
        response = client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200 and "<html" in response.text


def test_health_readiness_and_metrics(supergraph):
    with client_for(supergraph) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").json() == {"status": "ready"}
        client.post("/graphql", json={"query": "{ me { id } }"})
        metrics = client.get("/metrics").text
    assert 'gateway_plan_cache_total{result="miss"}' in metrics
    assert "gateway_requests_total" in metrics


@pytest.mark.parametrize(
    ("settings", "query", "code"),
    [
        ({"max_depth": 2}, "{ me { matters { reporter { id } } } }", "DEPTH_LIMIT_EXCEEDED"),
        ({"max_aliases": 1}, "{ a: me { id } b: me { id } }", "ALIAS_LIMIT_EXCEEDED"),
        ({"max_tokens": 5}, "{ me { id name district } }", "TOKEN_LIMIT_EXCEEDED"),
        ({}, "{ me { id ", "GRAPHQL_PARSE_FAILED"),
        ({}, "{ nope }", "GRAPHQL_VALIDATION_FAILED"),
    ],
)
def test_limits_refuse_before_planning_with_a_code(supergraph, settings, query, code):
    with client_for(supergraph, **settings) as client:
        response = client.post("/graphql", json={"query": query})
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == code


def test_fragment_bomb_is_refused_before_expansion(supergraph):
    fragments = "fragment f0 on User { id }\n" + "\n".join(
        f"fragment f{i} on User {{ ...f{i-1} ...f{i-1} }}" for i in range(1, 60)
    )
    with client_for(supergraph, max_tokens=100_000) as client:
        response = client.post("/graphql", json={"query": "{ me { ...f59 } }\n" + fragments})
    assert response.json()["errors"][0]["extensions"]["code"] == "COMPLEXITY_LIMIT_EXCEEDED"


def test_oversized_body_is_refused(supergraph):
    with client_for(supergraph, max_body_bytes=20) as client:
        response = client.post("/graphql", json={"query": "{ me { id name district label } }"})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize(
    "body", [b"not json", b"[1]", b'{"query": 5}', b'{"query": "{ me { id } }", "variables": 3}']
)
def test_malformed_requests_get_graphql_errors_not_500(supergraph, body):
    with client_for(supergraph) as client:
        response = client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_only_authorization_and_allowed_headers_reach_subgraphs(supergraph, county):
    with client_for(supergraph, forward_headers=("x-request-id",)) as client:
        before = len(county.log)
        client.post("/graphql", json={"query": "{ me { id } }"}, headers={
            "authorization": "Bearer t0k", "x-request-id": "r1", "cookie": "secret=1",
        })
    sent = county.log[before]["headers"]
    assert sent["authorization"] == "Bearer t0k" and sent["x-request-id"] == "r1"
    assert "cookie" not in sent


def test_tracing_spans_a_request_and_each_fetch_with_traceparent(supergraph, county):
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import SpanKind

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(supergraph, GatewaySettings(), tracer_provider=provider)
    with TestClient(app) as client:
        before = len(county.log)
        client.post("/graphql", json={"query": "{ me { label } }"})
        client.post("/graphql", json={"query": "{ me { label } }"})
    spans = exporter.get_finished_spans()
    servers = [s for s in spans if s.kind == SpanKind.SERVER]
    fetches = [s for s in spans if s.kind == SpanKind.CLIENT]
    assert [s.attributes["gateway.plan_cache"] for s in servers] == ["miss", "hit"]
    assert {s.name for s in fetches} == {"subgraph accounts", "subgraph matters"}
    assert all(f.parent.span_id in {s.context.span_id for s in servers} for f in fetches)
    sent = county.log[before]["headers"]["traceparent"]
    assert sent.split("-")[1] == format(servers[0].context.trace_id, "032x")


def test_plan_header_is_off_by_default_and_on_when_configured(supergraph):
    with client_for(supergraph) as client:
        plain = client.post("/graphql", json={"query": "{ me { id } }"}, headers={"x-gateway-plan": "1"})
    with client_for(supergraph, expose_query_plan=True) as client:
        debug = client.post("/graphql", json={"query": "{ me { id } }"}, headers={"x-gateway-plan": "1"})
    assert "extensions" not in plain.json()
    assert debug.json()["extensions"]["queryPlan"].startswith("QueryPlan {")


def test_a_rejected_token_stops_the_request(supergraph, county):
    async def verifier(token):
        if token != "good":
            raise RequestError("invalid token", "UNAUTHENTICATED", 401)
        return {"sub": "u1"}

    with client_for(supergraph, verifier=verifier) as client:
        query = {"query": "{ me { id } }"}
        bad = client.post("/graphql", json=query, headers={"authorization": "Bearer bad"})
        good = client.post("/graphql", json=query, headers={"authorization": "Bearer good"})
    assert bad.status_code == 401
    assert bad.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert good.json() == {"data": {"me": {"id": "u1"}}}


async def test_deduplication_shares_one_execution_among_identical_callers():
    dedupe = InflightDeduplicator()
    calls = 0

    async def work():
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        return "answer"

    key = dedupe_key("{ me { id } }", None, None, "Bearer a")
    results = await asyncio.gather(*(dedupe.run(key, work) for _ in range(5)))
    assert calls == 1
    assert [r[0] for r in results] == ["answer"] * 5
    assert sorted(r[1] for r in results) == [False, True, True, True, True]


def test_deduplication_key_separates_callers():
    assert dedupe_key("{ a }", {}, None, "Bearer a") != dedupe_key("{ a }", {}, None, "Bearer b")
    assert dedupe_key("{ a }", {"x": 1}, None, None) != dedupe_key("{ a }", {"x": 2}, None, None)


async def test_deduplicated_app_answers_concurrent_requests(supergraph, county):
    app = create_app(supergraph, GatewaySettings(dedupe_inflight=True))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            before = len(county.log)
            responses = await asyncio.gather(*(
                client.post("/graphql", json={"query": "{ matters { id reporter { name } } }"})
                for _ in range(8)
            ))
    assert all(r.json()["data"]["matters"][0]["reporter"]["name"] == "Li Wei" for r in responses)
    assert len(county.log) - before < 16  # fewer than 8 executions of 2 fetches each
