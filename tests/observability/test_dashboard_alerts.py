"""The dashboard and the alert rules read only metrics the services export, with labels
those metrics have, in PromQL that parses; every alert has a runbook section in the docs.

The exported names come from instantiating ServiceMetrics (the registry every component
serves at /metrics), so renaming a metric or a label in metrics.py fails here until the
dashboard and the alerts follow, and a new metric fails until the dashboard shows it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import promql_parser
import pytest
import yaml
from xiangzhi_shared.metrics import ServiceMetrics

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy" / "observability" / "grafana-dashboard.json"
ALERTS = ROOT / "deploy" / "observability" / "alerts.yaml"
OPERATIONS = ROOT / "docs" / "operations.md"

# Metrics that do not come from our code, each with where it comes from. Kept short on purpose.
EXTERNAL = {
    "up": set(),  # Prometheus itself: 1 when the target's /metrics was scraped
    "kube_pod_status_ready": {"condition", "pod", "uid"},  # kube-state-metrics
}
# Labels Prometheus attaches to every scraped series (Kubernetes service discovery).
TARGET_LABELS = {"job", "instance", "namespace", "pod", "service", "container"}
# Grafana variables, replaced by values of the right type before parsing.
GRAFANA_VARS = {"$__rate_interval": "5m", "$namespace": ".*", "$job": ".*"}

SUFFIXES = {"counter": ("_total", "_created"), "gauge": ("",),
            "histogram": ("_bucket", "_count", "_sum", "_created")}


def exported() -> dict[str, set[str]]:
    """Sample name -> label names, for every series ServiceMetrics can expose."""
    metrics = ServiceMetrics()
    labels = {}
    for collector in vars(metrics).values():
        if hasattr(collector, "_labelnames"):  # prometheus_client keeps them only privately
            labels[collector._name] = set(collector._labelnames)
    names: dict[str, set[str]] = {}
    for family in metrics.registry.collect():
        for suffix in SUFFIXES[family.type]:
            extra = {"le"} if suffix == "_bucket" else set()
            names[family.name + suffix] = labels[family.name] | extra
    return names


def dashboard_exprs() -> list[str]:
    board = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in board["panels"] for t in p.get("targets", [])]
    exprs += [v["query"]["query"] for v in board["templating"]["list"]
              if v["type"] == "query"]
    return exprs


def alert_rules() -> list[dict]:
    return [r for g in yaml.safe_load(ALERTS.read_text())["groups"] for r in g["rules"]]


def _promql(expr: str) -> str:
    for var, value in GRAFANA_VARS.items():
        expr = expr.replace(var, value)
    # Grafana's label_values(metric{...}, label) is not PromQL: check its selector.
    m = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", expr.strip())
    return m.group(1) if m else expr


def selectors(expr: str) -> list[tuple[str, set[str]]]:
    """(metric name, label names matched) of every vector selector in the expression."""
    found = []

    def visit(node) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            found.append((node.name, {m.name for m in node.matchers.matchers}))

    promql_parser.walk(promql_parser.parse(_promql(expr)), visit)
    return found


def grouping_labels(expr: str) -> set[str]:
    found: set[str] = set()

    def visit(node) -> None:
        if isinstance(node, promql_parser.AggregateExpr) and node.modifier is not None:
            found.update(node.modifier.labels)

    promql_parser.walk(promql_parser.parse(_promql(expr)), visit)
    return found


ALL = [("dashboard", e) for e in dashboard_exprs()] + [
    (f"alert {r['alert']}", r["expr"]) for r in alert_rules()]


@pytest.mark.parametrize(("where", "expr"), ALL, ids=[f"{w}:{i}" for i, (w, _) in enumerate(ALL)])
def test_every_selector_reads_an_exported_metric_with_its_labels(where, expr):
    names = exported()
    sels = selectors(expr)
    assert sels, f"{where}: no metric in {expr!r}"
    known_labels: set[str] = set(TARGET_LABELS)
    for name, matched in sels:
        assert name in names or name in EXTERNAL, (
            f"{where} reads {name!r}, which metrics.py does not export: {expr}")
        labels = names.get(name, EXTERNAL.get(name, set())) | TARGET_LABELS
        assert matched <= labels, f"{where}: {name} has no label {sorted(matched - labels)}"
        known_labels |= labels
    # `sum by (x)` over a label no selected metric has silently yields one empty group.
    assert grouping_labels(expr) <= known_labels, (
        f"{where} groups by {sorted(grouping_labels(expr) - known_labels)}: {expr}")


def test_the_dashboard_shows_every_exported_metric():
    used = {name for e in dashboard_exprs() for name, _ in selectors(e)}
    families = {f.name for f in ServiceMetrics().registry.collect()}
    missing = {f for f in families if not any(u.startswith(f) for u in used)}
    assert not missing, f"metrics exported but on no dashboard panel: {sorted(missing)}"


def test_every_external_metric_is_still_used():
    used = {name for _, e in ALL for name, _ in selectors(e)}
    assert set(EXTERNAL) <= used, f"drop from EXTERNAL: {sorted(set(EXTERNAL) - used)}"


def test_the_alerts_cover_what_the_ops_team_asked_for():
    names = {name for r in alert_rules() for name, _ in selectors(r["expr"])}
    for metric in ("outbox_lag_seconds", "consumer_lag_records", "dead_letter_events_total",
                   "graphql_requests_total", "graphql_request_seconds_bucket",
                   "kube_pod_status_ready"):
        assert metric in names, f"no alert reads {metric}"


def _anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    heads = re.findall(r"^#{1,6}\s+(.+?)\s*$", markdown, flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in heads}


def test_every_alert_is_well_formed_and_its_runbook_section_exists():
    anchors = _anchors(OPERATIONS.read_text())
    seen = set()
    for rule in alert_rules():
        name = rule["alert"]
        assert name not in seen, f"two alerts named {name}"
        seen.add(name)
        assert rule["labels"]["severity"] in {"warning", "critical"}, name
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], name
        doc, _, anchor = rule["annotations"]["runbook"].partition("#")
        assert doc == "docs/operations.md" and anchor in anchors, (
            f"{name}: runbook {rule['annotations']['runbook']} has no section in {OPERATIONS}")
        if "for" in rule:
            promql_parser.parse_duration(rule["for"])


def test_the_dashboard_is_grafana_importable():
    board = json.loads(DASHBOARD.read_text())
    assert board["uid"] and board["title"] and isinstance(board["schemaVersion"], int)
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    variables = {v["name"] for v in board["templating"]["list"]}
    for panel in board["panels"]:
        assert set(panel["gridPos"]) == {"h", "w", "x", "y"}
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24, panel["title"]
        for target in panel.get("targets", []):
            used = set(re.findall(r"\$(\w+)", target["expr"])) - {"__rate_interval"}
            assert used <= variables, f"{panel['title']} uses undefined {used - variables}"
