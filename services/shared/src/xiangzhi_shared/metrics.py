"""Prometheus metrics of one service process, served as text at /metrics."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class ServiceMetrics:
    """One registry per app, so tests can run several apps in one process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("graphql_requests", "GraphQL operations served",
                                ["operation", "outcome"], registry=r)
        self.latency = Histogram("graphql_request_seconds", "GraphQL operation latency",
                                 ["operation"], registry=r,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
        self.outbox_lag = Gauge("outbox_lag_seconds",
                                "Age of the oldest unpublished outbox row (0 when none)",
                                registry=r)
        self.outbox_pending = Gauge("outbox_pending_rows", "Unpublished outbox rows", registry=r)
        self.published = Counter("outbox_published_events", "Events the relay published",
                                 ["topic"], registry=r)
        self.relay_errors = Counter("outbox_relay_errors", "Relay publish failures", registry=r)
        self.consumed = Counter("events_consumed", "Events applied by consumers",
                                ["consumer", "topic", "outcome"], registry=r)
        self.consumer_lag = Gauge("consumer_lag_records", "Records not yet consumed",
                                  ["consumer", "topic", "partition"], registry=r)
        self.dead_letters = Counter("dead_letter_events", "Events sent to a dead-letter topic",
                                    ["consumer", "topic"], registry=r)

    def render(self) -> bytes:
        return generate_latest(self.registry)
