"""The chart lints, renders for every environment, and every object it renders is valid."""

from __future__ import annotations

import subprocess

import pytest
import yaml
from checks import CHART, ENVIRONMENTS, ROOT, policy, render, schemas
from checks.envs import data_docs, values

RULES = ("workload", "scaling", "settings", "network", "ingress", "migration")


def test_helm_lint(env: str, helm_bin: str) -> None:
    result = render.lint(env, helm_bin=helm_bin)
    assert result.returncode == 0, result.stdout + result.stderr


def test_renders_every_enabled_component(env: str, chart_docs) -> None:
    docs = chart_docs(env)
    enabled = {n for n, c in values(env)["components"].items() if c.get("enabled")}
    for kind in ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget",
                 "ServiceAccount", "NetworkPolicy"):
        names = {d["metadata"]["name"] for d in docs if d["kind"] == kind}
        assert {f"xiangzhi-{n}" for n in enabled} <= names, kind
    ingresses = [d for d in docs if d["kind"] == "Ingress"]
    assert [i["metadata"]["name"] for i in ingresses] == ["xiangzhi-gateway"]


def test_chart_objects_match_kubernetes_schemas(env: str, chart_docs) -> None:
    errors = [e for d in chart_docs(env) for e in schemas.errors(d)]
    assert not errors, "\n".join(errors)


def test_data_plane_objects_match_operator_schemas(env: str) -> None:
    docs = data_docs(env)
    kinds = {d["kind"] for d in docs}
    assert {"Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "Cluster", "Database"} <= kinds
    errors = [e for d in docs for e in schemas.errors(d)]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("rule", RULES)
def test_policy(env: str, rule: str, chart_docs) -> None:
    found = policy.all_violations(chart_docs(env), data_docs(env), values(env))[rule]
    assert not found, "\n".join(found)


def test_enabled_components_are_the_existing_services() -> None:
    """A service directory that exists is deployed; one that does not is not (values only)."""
    chart_values = yaml.safe_load((CHART / "values.yaml").read_text("utf-8"))
    existing = {p.parents[2].name for p in (ROOT / "services").glob("*/src/*/__main__.py")
                if p.parent.name == p.parents[2].name}
    existing |= {"gateway"} if (ROOT / "gateway" / "pyproject.toml").exists() else set()
    enabled = {n for n, c in chart_values["components"].items() if c.get("enabled")}
    assert existing == enabled, (
        f"services/ has {sorted(existing)} but charts/xiangzhi/values.yaml enables "
        f"{sorted(enabled)}: set components.<name>.enabled")
    for env in ENVIRONMENTS:
        overrides = values(env)["components"]
        assert {n for n, c in overrides.items() if c.get("enabled")} == enabled, env


def test_rendering_without_a_supergraph_fails(helm_bin: str) -> None:
    cmd = [helm_bin, "template", "x", str(CHART), "--set", "supergraph="]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode != 0 and "supergraph is empty" in proc.stderr


def test_rendering_with_a_floating_tag_fails(helm_bin: str) -> None:
    with pytest.raises(RuntimeError, match="pinned version, not latest"):
        render.render("dev", ["--set", "image.tag=latest"], helm_bin=helm_bin)
