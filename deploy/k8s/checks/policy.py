"""Policy checks over rendered manifests. Each function returns violations as
"<rule>: <Kind>/<name>: <what>" strings; an empty list means the manifests comply.

The rules (deploy/k8s/tests/ asserts each is empty for every environment, and that each one
fires on a deliberately broken rendering):
- workload: every container has resources (requests and limits), a non-root security context
  (runAsNonRoot, no privilege escalation, ALL capabilities dropped, read-only root filesystem),
  an image pinned by version or digest; long-running containers have liveness and readiness
  probes (the chart's on /healthz and /readyz);
- scaling: every Deployment has a PodDisruptionBudget and a HorizontalPodAutoscaler;
- settings: every environment variable the chart sets is a field its settings class reads,
  with a value that class accepts; the container port equals the settings' port; secrets come
  by reference only; every pod has the OTLP endpoint and resource attributes;
- network: a namespace-wide default deny; only the gateway is reachable from outside the
  namespace; services accept traffic only from the gateway and the metrics scraper; egress
  only to DNS, PostgreSQL, Kafka, the collector (and the gateway to the services).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import AliasChoices, ValidationError
from pydantic_settings import BaseSettings

PINNED_TAG = re.compile(r"^v?\d+\.\d+\.\d+([-.+][0-9A-Za-z.-]+)?$")
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "Job")
OTEL_ENV = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_RESOURCE_ATTRIBUTES")
SETTINGS_ANNOTATION = "xiangzhi.io/settings-class"

Doc = dict[str, Any]


def name_of(doc: Doc) -> str:
    return f"{doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"


def pod_spec(doc: Doc) -> Doc:
    return doc["spec"]["template"]["spec"]


def pod_labels(doc: Doc) -> dict[str, str]:
    return doc["spec"]["template"].get("metadata", {}).get("labels", {}) or {}


def workloads(docs: list[Doc]) -> list[Doc]:
    return [d for d in docs if d.get("kind") in WORKLOAD_KINDS]


def chart_owned(doc: Doc) -> bool:
    labels = (doc.get("metadata") or {}).get("labels") or {}
    return labels.get("app.kubernetes.io/managed-by") == "Helm" and \
        labels.get("app.kubernetes.io/part-of") == "xiangzhi"


def selector_matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    match = selector.get("matchLabels") or {}
    if selector.get("matchExpressions"):
        return False  # not used by this project; treat as no match rather than guess
    return bool(match) and all(labels.get(k) == v for k, v in match.items())


# --------------------------------------------------------------------------- workload


def image_pinned(image: str) -> bool:
    if re.search(r"@sha256:[0-9a-f]{64}$", image):
        return True
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return False
    return bool(PINNED_TAG.match(last.rsplit(":", 1)[1]))


def workload_violations(docs: list[Doc]) -> list[str]:
    out: list[str] = []
    for doc in workloads(docs):
        spec = pod_spec(doc)
        psc = spec.get("securityContext") or {}
        containers = spec.get("containers", []) + spec.get("initContainers", [])
        if not containers:
            out.append(f"workload: {name_of(doc)}: no containers")
        tmp_volumes = {v["name"] for v in spec.get("volumes", []) if "emptyDir" in v}
        for c in containers:
            where = f"{name_of(doc)} container {c.get('name')}"
            res = c.get("resources") or {}
            for part in ("requests", "limits"):
                for r in ("cpu", "memory"):
                    if not (res.get(part) or {}).get(r):
                        out.append(f"workload: {where}: no resources.{part}.{r}")
            sc = c.get("securityContext") or {}
            if not (sc.get("runAsNonRoot") or psc.get("runAsNonRoot")):
                out.append(f"workload: {where}: runAsNonRoot is not true")
            if sc.get("runAsUser", psc.get("runAsUser")) == 0:
                out.append(f"workload: {where}: runs as UID 0")
            if sc.get("allowPrivilegeEscalation") is not False:
                out.append(f"workload: {where}: allowPrivilegeEscalation is not false")
            if sc.get("privileged"):
                out.append(f"workload: {where}: privileged")
            if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
                out.append(f"workload: {where}: capabilities do not drop ALL")
            if (sc.get("capabilities") or {}).get("add"):
                out.append(f"workload: {where}: adds capabilities")
            if sc.get("readOnlyRootFilesystem") is not True:
                out.append(f"workload: {where}: readOnlyRootFilesystem is not true")
            if not image_pinned(c.get("image", "")):
                out.append(f"workload: {where}: image {c.get('image')!r} is not pinned "
                           "by version or digest")
            if doc["kind"] != "Job":
                for probe in ("livenessProbe", "readinessProbe"):
                    if not c.get(probe):
                        out.append(f"workload: {where}: no {probe}")
            if chart_owned(doc):
                mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
                if mounts.get("/tmp") not in tmp_volumes:
                    out.append(f"workload: {where}: no writable emptyDir at /tmp")
                if doc["kind"] == "Deployment":
                    paths = {p: ((c.get(p) or {}).get("httpGet") or {}).get("path")
                             for p in ("livenessProbe", "readinessProbe")}
                    if paths != {"livenessProbe": "/healthz", "readinessProbe": "/readyz"}:
                        out.append(f"workload: {where}: probes are {paths}, want /healthz "
                                   "(liveness) and /readyz (readiness)")
        if chart_owned(doc) and doc["kind"] == "Deployment":
            if spec.get("automountServiceAccountToken") is not False:
                out.append(f"workload: {name_of(doc)}: mounts a service account token")
            keys = {t.get("topologyKey") for t in spec.get("topologySpreadConstraints", [])}
            if not {"topology.kubernetes.io/zone", "kubernetes.io/hostname"} <= keys:
                out.append(f"workload: {name_of(doc)}: no topology spread over zones and nodes")
    return out


# --------------------------------------------------------------------------- scaling


def scaling_violations(docs: list[Doc]) -> list[str]:
    out: list[str] = []
    pdbs = [d for d in docs if d.get("kind") == "PodDisruptionBudget"]
    hpas = [d for d in docs if d.get("kind") == "HorizontalPodAutoscaler"]
    for dep in (d for d in docs if d.get("kind") == "Deployment"):
        labels = pod_labels(dep)
        if not any(selector_matches(p["spec"].get("selector") or {}, labels) for p in pdbs):
            out.append(f"scaling: {name_of(dep)}: no PodDisruptionBudget selects its pods")
        target = {"apiVersion": "apps/v1", "kind": "Deployment", "name": dep["metadata"]["name"]}
        hpa = [h for h in hpas if h["spec"].get("scaleTargetRef") == target]
        if not hpa:
            out.append(f"scaling: {name_of(dep)}: no HorizontalPodAutoscaler targets it")
        elif hpa[0]["spec"].get("minReplicas", 1) > hpa[0]["spec"]["maxReplicas"]:
            out.append(f"scaling: {name_of(hpa[0])}: minReplicas > maxReplicas")
    return out


# --------------------------------------------------------------------------- settings


def settings_class(path: str) -> type[BaseSettings]:
    module, _, cls = path.partition(":")
    try:
        mod = importlib.import_module(module)
    except ImportError:
        # A workspace member not yet installed in the environment: import it from its source.
        from checks import ROOT
        top = module.split(".")[0]
        for src in (ROOT / "services" / top / "src", ROOT / top / "src"):
            if src.is_dir() and str(src) not in sys.path:
                sys.path.append(str(src))
        mod = importlib.import_module(module)
    found: type[BaseSettings] = getattr(mod, cls)
    return found


def settings_env_names(cls: type[BaseSettings]) -> set[str]:
    """The environment variables a pydantic-settings class reads (upper-cased)."""
    prefix = cls.model_config.get("env_prefix", "") or ""
    names: set[str] = set()
    for field_name, f in cls.model_fields.items():
        alias = f.validation_alias
        if isinstance(alias, str):
            names.add(alias.upper())
        elif isinstance(alias, AliasChoices):
            names |= {a.upper() for a in alias.choices if isinstance(a, str)}
        else:
            names.add((prefix + field_name).upper())
    return names


@contextmanager
def only_environment(env: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def container_env(doc: Doc, container: Doc, docs: list[Doc]) -> tuple[dict[str, str | None], list[str]]:
    """name -> literal value (None for a secret reference), and problems resolving it."""
    env: dict[str, str | None] = {}
    problems: list[str] = []
    configmaps = {d["metadata"]["name"]: d for d in docs if d.get("kind") == "ConfigMap"}
    for src in container.get("envFrom", []):
        if "secretRef" in src:
            problems.append(f"envFrom secretRef {src['secretRef'].get('name')}: reference each "
                            "secret key with secretKeyRef so its name is checked")
        elif "configMapRef" in src:
            cm = configmaps.get(src["configMapRef"]["name"])
            if cm is None:
                problems.append(f"envFrom ConfigMap {src['configMapRef']['name']} is not rendered")
            else:
                env.update({k: str(v) for k, v in (cm.get("data") or {}).items()})
    for e in container.get("env", []):
        if "value" in e:
            env[e["name"]] = str(e["value"])
        elif "secretKeyRef" in (e.get("valueFrom") or {}):
            env[e["name"]] = None
        elif e.get("valueFrom"):
            env[e["name"]] = ""
        else:
            env[e["name"]] = ""
    return env, problems


def settings_violations(docs: list[Doc]) -> list[str]:
    out: list[str] = []
    services = {d["metadata"]["name"]: d for d in docs if d.get("kind") == "Service"}
    for doc in workloads(docs):
        if not chart_owned(doc):
            continue
        ann = (doc["metadata"].get("annotations") or {}).get(SETTINGS_ANNOTATION)
        if not ann:
            out.append(f"settings: {name_of(doc)}: no {SETTINGS_ANNOTATION} annotation")
            continue
        try:
            cls = settings_class(ann)
        except (ImportError, AttributeError) as exc:
            out.append(f"settings: {name_of(doc)}: cannot import settings class {ann}: {exc}")
            continue
        known = settings_env_names(cls)
        for c in pod_spec(doc)["containers"]:
            where = f"{name_of(doc)} container {c['name']}"
            env, problems = container_env(doc, c, docs)
            out += [f"settings: {where}: {p}" for p in problems]
            for name in sorted(env):
                if name.upper() not in known:
                    out.append(f"settings: {where}: sets {name}, which {ann} does not read")
            for name in OTEL_ENV:
                if not env.get(name):
                    out.append(f"settings: {where}: no {name} in the pod's environment")
            literal = {k: v for k, v in env.items() if v is not None and k.upper() in known}
            # A placeholder for each secret reference, so required fields are present.
            literal.update({k: "postgresql://secret@placeholder/db" if "DATABASE" in k else "secret"
                            for k, v in env.items() if v is None and k.upper() in known})
            try:
                with only_environment(literal):
                    settings = cls()
            except ValidationError as exc:
                out.append(f"settings: {where}: {ann} rejects the values: "
                           + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                       for e in exc.errors()))
                continue
            if doc["kind"] == "Job":
                continue
            ports = [p["containerPort"] for p in c.get("ports", [])]
            port = getattr(settings, "port", None)
            if ports != [port]:
                out.append(f"settings: {where}: container ports {ports} but the settings "
                           f"listen on {port}")
            default_port = cls.model_fields["port"].default if "port" in cls.model_fields else None
            if default_port is not None and default_port != port:
                out.append(f"settings: {where}: port {port} differs from the service's own "
                           f"port {default_port} ({ann})")
            svc = services.get(doc["metadata"]["name"])
            if svc is None:
                out.append(f"settings: {name_of(doc)}: no Service of the same name")
            elif [p.get("targetPort") for p in svc["spec"]["ports"]] not in (["http"], [port]) \
                    or [p["port"] for p in svc["spec"]["ports"]] != [port]:
                out.append(f"settings: {name_of(svc)}: ports do not lead to container port {port}")
    return out


# --------------------------------------------------------------------------- network


def _policies(docs: list[Doc]) -> list[Doc]:
    return [d for d in docs if d.get("kind") == "NetworkPolicy"]


def _applies(policy: Doc, labels: dict[str, str]) -> bool:
    sel = policy["spec"].get("podSelector") or {}
    return sel == {} or selector_matches(sel, labels)


def _peer_is(peer: Doc, labels: dict[str, str]) -> bool:
    return "namespaceSelector" not in peer and "ipBlock" not in peer and \
        selector_matches(peer.get("podSelector") or {}, labels)


def network_violations(docs: list[Doc], *, scraper: Doc, dns: Doc,
                       postgres_cluster: str, kafka_cluster: str,
                       collector_labels: dict[str, str],
                       declared_egress: list[Doc] | None = None) -> list[str]:
    """declared_egress: networkPolicy.extraEgress from the values (e.g. the identity
    provider's JWKS address), reviewed there; any other egress is a violation."""
    out: list[str] = []
    pols = _policies(docs)
    deny = [p for p in pols if p["spec"].get("podSelector") == {}
            and set(p["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
            and not p["spec"].get("ingress") and not p["spec"].get("egress")]
    if not deny:
        out.append("network: no namespace-wide default-deny NetworkPolicy (Ingress and Egress)")
    deps = [d for d in docs if d.get("kind") == "Deployment" and chart_owned(d)]
    gateway_labels = [pod_labels(d) for d in deps
                      if pod_labels(d).get("app.kubernetes.io/component") == "gateway"]
    for dep in workloads(docs):
        if not chart_owned(dep):
            continue
        labels = pod_labels(dep)
        role = labels.get("app.kubernetes.io/component")
        mine = [p for p in pols if _applies(p, labels) and p not in deny]
        if not mine:
            out.append(f"network: {name_of(dep)}: no NetworkPolicy selects its pods")
        for p in mine:
            for rule in p["spec"].get("ingress", []):
                peers = rule.get("from")
                if not peers:
                    out.append(f"network: {name_of(p)}: an ingress rule open to everyone")
                    continue
                for peer in peers:
                    if peer == scraper:
                        continue
                    if role == "gateway":
                        continue  # the gateway's outside peers come from values (the ingress)
                    if not any(_peer_is(peer, g) for g in gateway_labels):
                        out.append(f"network: {name_of(p)}: {role} pods accept traffic from "
                                   f"{peer}, not only the gateway and the scraper")
            for rule in p["spec"].get("egress", []):
                if rule in (declared_egress or []):
                    continue
                peers = rule.get("to")
                if not peers:
                    out.append(f"network: {name_of(p)}: an egress rule open to everywhere")
                    continue
                for peer in peers:
                    if peer == dns:
                        continue
                    sel = (peer.get("podSelector") or {}).get("matchLabels") or {}
                    if "namespaceSelector" in peer or "ipBlock" in peer:
                        out.append(f"network: {name_of(p)}: egress outside the namespace {peer}")
                    elif sel.get("cnpg.io/cluster") == postgres_cluster and \
                            labels.get("xiangzhi.io/postgres-client") == "true":
                        continue
                    elif sel.get("strimzi.io/cluster") == kafka_cluster and \
                            labels.get("xiangzhi.io/kafka-client") == "true":
                        continue
                    elif sel == collector_labels:
                        continue
                    elif role == "gateway" and any(
                            selector_matches({"matchLabels": sel}, pod_labels(d)) for d in deps
                            if pod_labels(d).get("app.kubernetes.io/component") == "service"):
                        continue
                    else:
                        out.append(f"network: {name_of(p)}: egress of {role} pods to {peer} "
                                   "is not DNS, PostgreSQL, Kafka or the collector")
    # Outside the namespace reaches only the gateway (or the scraper, to /metrics).
    for p in pols:
        for rule in p["spec"].get("ingress", []):
            for peer in rule.get("from") or [{}]:
                outside = "namespaceSelector" in peer or "ipBlock" in peer or peer == {}
                if not outside or peer == scraper:
                    continue
                sel = p["spec"].get("podSelector") or {}
                if not gateway_labels or not any(selector_matches(sel, g) for g in gateway_labels):
                    if chart_owned(p):
                        out.append(f"network: {name_of(p)}: admits traffic from outside the "
                                   f"namespace ({peer}) to pods other than the gateway")
    return out


def ingress_violations(docs: list[Doc]) -> list[str]:
    out = []
    gateway_services = {d["metadata"]["name"] for d in docs if d.get("kind") == "Service"
                        and d["metadata"]["labels"].get("app.kubernetes.io/component") == "gateway"}
    for ing in (d for d in docs if d.get("kind") == "Ingress"):
        for rule in ing["spec"].get("rules", []):
            for path in rule.get("http", {}).get("paths", []):
                svc = path["backend"]["service"]["name"]
                if svc not in gateway_services:
                    out.append(f"ingress: {name_of(ing)}: routes {path.get('path')} to {svc}, "
                               "which is not the gateway")
    return out


def migration_violations(docs: list[Doc]) -> list[str]:
    """Every service with a database has a pre-install/pre-upgrade migration Job."""
    out = []
    jobs = [d for d in docs if d.get("kind") == "Job"]
    for dep in (d for d in docs if d.get("kind") == "Deployment" and chart_owned(d)):
        labels = pod_labels(dep)
        if labels.get("xiangzhi.io/postgres-client") != "true":
            continue
        name = labels["app.kubernetes.io/name"]
        found = [j for j in jobs if pod_labels(j).get("app.kubernetes.io/name") == f"{name}-migrate"]
        if not found:
            out.append(f"migration: {name_of(dep)}: no migration Job")
            continue
        hooks = set((found[0]["metadata"].get("annotations") or {})
                    .get("helm.sh/hook", "").split(","))
        if not {"pre-install", "pre-upgrade"} <= hooks:
            out.append(f"migration: {name_of(found[0])}: not a pre-install,pre-upgrade hook")
        cmd = pod_spec(found[0])["containers"][0].get("command", [])
        if cmd[-1:] != ["migrate"]:
            out.append(f"migration: {name_of(found[0])}: command {cmd} does not migrate")
    return out


# --------------------------------------------------------------------------- everything


def all_violations(chart_docs: list[Doc], data_docs: list[Doc],
                   values: dict[str, Any]) -> dict[str, list[str]]:
    """Every rule over one environment: the chart's rendering plus the data-plane manifests."""
    np = values["networkPolicy"]
    platform = values["platform"]
    everything = chart_docs + data_docs
    return {
        "workload": workload_violations(everything),
        "scaling": scaling_violations(everything),
        "settings": settings_violations(chart_docs),
        "network": network_violations(
            chart_docs, scraper=np["scraper"], dns=np["dns"],
            postgres_cluster=platform["postgres"]["cluster"],
            kafka_cluster=platform["kafka"]["cluster"],
            collector_labels=platform["otel"]["selector"],
            declared_egress=np.get("extraEgress") or []),
        "ingress": ingress_violations(chart_docs),
        "migration": migration_violations(chart_docs),
    }
