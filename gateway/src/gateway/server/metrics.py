"""Prometheus metrics on the app's own registry (nothing global at import time)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "gateway_requests", "GraphQL requests answered", ["outcome"], registry=self.registry
        )
        self.duration = Histogram(
            "gateway_request_seconds", "Time to answer a GraphQL request", registry=self.registry
        )
        self.plan_cache = Counter(
            "gateway_plan_cache", "Plan cache lookups", ["result"], registry=self.registry
        )
        self.fetches = Counter(
            "gateway_subgraph_fetches", "Subgraph requests", ["subgraph", "outcome"],
            registry=self.registry,
        )
        self.deduplicated = Counter(
            "gateway_deduplicated_requests", "Requests answered by an identical in-flight one",
            registry=self.registry,
        )
