"""Health, readiness and metrics endpoints of a service."""

from __future__ import annotations


async def test_healthz_and_readyz_report_database_and_kafka(grid):
    assert (await grid.gql.http.get(grid.url + "/healthz")).status_code == 200
    ready = await grid.gql.http.get(grid.url + "/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"ready": True, "database": True, "kafka": True}


async def test_metrics_count_operations_by_name_and_outcome(grid, tokens):
    token = tokens("county_admin", region="QY")
    await grid.gql.ok("query MetricsProbe { regions { code } }", token=token)
    await grid.gql("query MetricsProbe { matter(id: \"nope\") { id } }", token=token)
    text = (await grid.gql.http.get(grid.url + "/metrics")).text
    assert 'graphql_requests_total{operation="MetricsProbe",outcome="ok"} 1.0' in text
    assert 'graphql_requests_total{operation="MetricsProbe",outcome="error"} 1.0' in text
    assert 'graphql_request_seconds_count{operation="MetricsProbe"} 2.0' in text
    for name in ("outbox_lag_seconds", "outbox_pending_rows", "dead_letter_events",
                 "consumer_lag_records"):
        assert name in text
