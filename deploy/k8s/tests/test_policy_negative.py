"""Each policy rule fails on a deliberately broken rendering: the checks can fail."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from checks import policy, render
from checks.envs import data_docs, values

Docs = list[dict[str, Any]]


def find(docs: Docs, kind: str, name: str) -> dict[str, Any]:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def container(docs: Docs, name: str = "xiangzhi-grid") -> dict[str, Any]:
    return find(docs, "Deployment", name)["spec"]["template"]["spec"]["containers"][0]


def drop_probe(docs: Docs) -> None:
    del container(docs)["readinessProbe"]


def drop_limits(docs: Docs) -> None:
    del container(docs)["resources"]["limits"]


def run_as_root(docs: Docs) -> None:
    container(docs)["securityContext"]["runAsUser"] = 0


def allow_escalation(docs: Docs) -> None:
    container(docs)["securityContext"]["allowPrivilegeEscalation"] = True


def keep_capabilities(docs: Docs) -> None:
    container(docs)["securityContext"]["capabilities"] = {"drop": ["NET_RAW"]}


def writable_root(docs: Docs) -> None:
    container(docs)["securityContext"]["readOnlyRootFilesystem"] = False


def floating_tag(docs: Docs) -> None:
    container(docs)["image"] = "cr.xiangzhi.example/xiangzhi/xiangzhi-grid:latest"


def untagged_data_plane_image(docs: Docs) -> None:
    find(docs, "Deployment", "otel-collector")["spec"]["template"]["spec"]["containers"][0][
        "image"] = "otel/opentelemetry-collector"


def drop_pdb(docs: Docs) -> None:
    docs.remove(find(docs, "PodDisruptionBudget", "xiangzhi-grid"))


def drop_hpa(docs: Docs) -> None:
    docs.remove(find(docs, "HorizontalPodAutoscaler", "xiangzhi-gateway"))


def unknown_setting(docs: Docs) -> None:
    cm = find(docs, "ConfigMap", "xiangzhi-grid-settings")
    cm["data"]["DATABASE_PASSWORD_TYPO"] = "x"


def wrong_port(docs: Docs) -> None:
    container(docs)["ports"][0]["containerPort"] = 8080


def bad_setting_value(docs: Docs) -> None:
    find(docs, "ConfigMap", "xiangzhi-grid-settings")["data"]["PORT"] = "not-a-port"


def secret_by_envfrom(docs: Docs) -> None:
    container(docs)["envFrom"].append({"secretRef": {"name": "everything"}})


def no_otel(docs: Docs) -> None:
    del find(docs, "ConfigMap", "xiangzhi-grid-settings")["data"]["OTEL_EXPORTER_OTLP_ENDPOINT"]


def no_default_deny(docs: Docs) -> None:
    docs.remove(find(docs, "NetworkPolicy", "xiangzhi-default-deny"))


def service_open_to_namespace(docs: Docs) -> None:
    pol = find(docs, "NetworkPolicy", "xiangzhi-grid")
    pol["spec"]["ingress"][0]["from"].append({"namespaceSelector": {}})


def service_open_to_everyone(docs: Docs) -> None:
    find(docs, "NetworkPolicy", "xiangzhi-grid")["spec"]["ingress"].append({"ports": [{"port": 1}]})


def service_egress_anywhere(docs: Docs) -> None:
    pol = find(docs, "NetworkPolicy", "xiangzhi-grid")
    pol["spec"]["egress"].append({"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]})


def ingress_to_a_service(docs: Docs) -> None:
    ing = find(docs, "Ingress", "xiangzhi-gateway")
    ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] = "xiangzhi-grid"


def migration_not_a_hook(docs: Docs) -> None:
    del find(docs, "Job", "xiangzhi-grid-migrate")["metadata"]["annotations"]["helm.sh/hook"]


BREAKAGES: list[tuple[Callable[[Docs], None], str, str]] = [
    (drop_probe, "workload", "no readinessProbe"),
    (drop_limits, "workload", "no resources.limits.cpu"),
    (run_as_root, "workload", "runs as UID 0"),
    (allow_escalation, "workload", "allowPrivilegeEscalation is not false"),
    (keep_capabilities, "workload", "capabilities do not drop ALL"),
    (writable_root, "workload", "readOnlyRootFilesystem is not true"),
    (floating_tag, "workload", "is not pinned"),
    (untagged_data_plane_image, "workload", "is not pinned"),
    (drop_pdb, "scaling", "no PodDisruptionBudget"),
    (drop_hpa, "scaling", "no HorizontalPodAutoscaler"),
    (unknown_setting, "settings", "sets DATABASE_PASSWORD_TYPO"),
    (wrong_port, "settings", "container ports [8080]"),
    (bad_setting_value, "settings", "rejects the values"),
    (secret_by_envfrom, "settings", "envFrom secretRef"),
    (no_otel, "settings", "no OTEL_EXPORTER_OTLP_ENDPOINT"),
    (no_default_deny, "network", "no namespace-wide default-deny"),
    (service_open_to_namespace, "network", "not only the gateway"),
    (service_open_to_everyone, "network", "open to everyone"),
    (service_egress_anywhere, "network", "egress outside the namespace"),
    (ingress_to_a_service, "ingress", "not the gateway"),
    (migration_not_a_hook, "migration", "not a pre-install,pre-upgrade hook"),
]


@pytest.mark.parametrize(("breakage", "rule", "message"), BREAKAGES,
                         ids=[b[0].__name__ for b in BREAKAGES])
def test_rule_fails_on_broken_rendering(breakage, rule: str, message: str, chart_docs) -> None:
    chart = copy.deepcopy(chart_docs("dev"))
    data = copy.deepcopy(data_docs("dev"))
    before = policy.all_violations(chart, data, values("dev"))[rule]
    chart_ids = {id(d) for d in chart}
    both = chart + data
    breakage(both)  # mutates or removes objects of either part
    broken_chart = [d for d in both if id(d) in chart_ids]
    broken_data = [d for d in both if id(d) not in chart_ids]
    after = policy.all_violations(broken_chart, broken_data, values("dev"))[rule]
    new = [v for v in after if v not in before]
    assert any(message in v for v in new), f"{rule} did not report {message!r}: {new}"


def test_values_with_an_unknown_setting_fail_through_helm(helm_bin: str) -> None:
    docs = render.documents(render.render(
        "dev", ["--set", "components.grid.settings.GRID_TURBO=1"], helm_bin=helm_bin))
    found = policy.settings_violations(docs)
    assert any("sets GRID_TURBO" in v for v in found), found


def test_values_with_a_port_other_than_the_service_fail_through_helm(helm_bin: str) -> None:
    docs = render.documents(render.render(
        "dev", ["--set", "components.grid.port=4999"], helm_bin=helm_bin))
    found = policy.settings_violations(docs)
    assert any("differs from the service's own port 4101" in v for v in found), found


def test_declared_extra_egress_passes_and_undeclared_fails(chart_docs) -> None:
    rule = {"to": [{"ipBlock": {"cidr": "203.0.113.10/32"}}], "ports": [{"port": 443}]}
    chart = copy.deepcopy(chart_docs("dev"))
    find(chart, "NetworkPolicy", "xiangzhi-grid")["spec"]["egress"].append(rule)
    v = copy.deepcopy(values("dev"))
    assert any("egress outside the namespace" in x
               for x in policy.all_violations(chart, data_docs("dev"), v)["network"])
    v["networkPolicy"]["extraEgress"] = [rule]
    assert policy.all_violations(chart, data_docs("dev"), v)["network"] == []
