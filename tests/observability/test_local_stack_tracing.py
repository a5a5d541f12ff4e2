"""The local stack's trace wiring: the jaeger program, its loopback-only in-memory config,
and the OTLP endpoint in every application program's environment.

These read the configuration the stack generates (no Jaeger build needed, so CI runs them);
the end-to-end path — a service process exporting to the endpoint in its environment — is
tested against a real OTLP receiver in test_traces.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy" / "local"))  # xzstack

from xzstack import apps, jaeger, procs  # noqa: E402

SERVICE = apps.App(name="grid", port=4101, command=["python", "-m", "grid"],
                   ready="http://127.0.0.1:4101/readyz", database="grid", seed=None)


def _programs(tracing: bool) -> dict[str, procs.Program]:
    return {p.name: p for p in procs.programs([SERVICE], tracing=tracing)}


def test_with_jaeger_the_services_export_to_its_otlp_http_receiver():
    progs = _programs(tracing=True)
    assert progs["jaeger"].command == [str(jaeger.binary()), "--config", str(jaeger.CONFIG)]
    assert set(progs["jaeger"].ports) == {4317, 4318, 16686, 16685, 13133}
    assert 'OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:4318"' in (
        progs["grid"].options["environment"])
    # Jaeger starts after Kafka and before the services (supervisord priority order too).
    assert (int(progs["kafka"].options["priority"]) < int(progs["jaeger"].options["priority"])
            < int(progs["grid"].options["priority"]))
    conf = procs.render(list(progs.values()))
    assert "[program:jaeger]" in conf and str(jaeger.CONFIG) in conf


def test_without_jaeger_nothing_exports():
    progs = _programs(tracing=False)
    assert "jaeger" not in progs
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" not in progs["grid"].options["environment"]


def test_a_descriptor_can_override_the_endpoint():
    own = apps.App(name="x", port=4999, command=["x"], ready="", database=None, seed=None,
                   env={"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:14318"})
    assert own.environment(jaeger.OTLP_ENDPOINT)["OTEL_EXPORTER_OTLP_ENDPOINT"] == (
        "http://127.0.0.1:14318")


def _endpoints(node: object) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "endpoint" and isinstance(v, str)] + [
            e for v in node.values() for e in _endpoints(v)]
    if isinstance(node, list):
        return [e for v in node for e in _endpoints(v)]
    return []


def test_jaeger_listens_on_loopback_only_and_keeps_traces_in_memory():
    config = yaml.safe_load(jaeger.CONFIG.read_text())
    endpoints = _endpoints(config)
    assert endpoints and all(e.startswith("127.0.0.1:") for e in endpoints), endpoints
    # Every port it opens is one the stack checks before starting it (and keeps services off).
    assert {int(e.rsplit(":", 1)[1]) for e in endpoints} == set(jaeger.PORTS)
    assert config["receivers"]["otlp"]["protocols"]["http"]["endpoint"] == (
        jaeger.OTLP_ENDPOINT.removeprefix("http://"))
    backends = config["extensions"]["jaeger_storage"]["backends"]
    assert [list(b) for b in backends.values()] == [["memory"]]
    # Its own metrics would open 8888 on all interfaces by default: switched off.
    assert config["service"]["telemetry"]["metrics"]["level"] == "none"


def test_no_service_may_take_a_jaeger_port():
    assert set(jaeger.PORTS) <= apps.INFRA_PORTS
    assert "jaeger" in apps.RESERVED
