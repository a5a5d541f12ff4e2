"""Re-extracts the offline, strict JSON schemas in deploy/k8s/schemas/ from registry packages.

Run by `make k8s-schemas` (needs network to the package registries; CI never runs it, CI only
reads the committed output). Sources, all by package name through the ordinary clients:

- Kubernetes: the PyPI package `kubernetes-validate`, which ships JSON schemas converted from
  the Kubernetes OpenAPI spec per Kubernetes version (its `-local-strict` variant).
- Strimzi: the Maven Central artifacts `io.strimzi:api` and `io.strimzi:crd-generator`; the
  CRDs are generated with Strimzi's own generator exactly as Strimzi's build does.
- CloudNativePG: the Go module `github.com/cloudnative-pg/cloudnative-pg` (`config/crd/bases`).

Each output file is self-contained: `roots` maps "apiVersion/Kind" to a definition in `$defs`.
Every object schema is made strict: a field that the API server would reject or silently
prune is a validation error (`additionalProperties: false`), descriptions are dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
K8S_DIR = HERE.parent
ROOT = K8S_DIR.parents[1]

# The kinds the chart and deploy/k8s render; add one here when a template starts using it.
KUBERNETES_KINDS = [
    ("v1", "ConfigMap"),
    ("v1", "Namespace"),
    ("v1", "Secret"),
    ("v1", "Service"),
    ("v1", "ServiceAccount"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "StatefulSet"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("batch/v1", "Job"),
    ("networking.k8s.io/v1", "Ingress"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("policy/v1", "PodDisruptionBudget"),
]
STRIMZI_KINDS = {
    "Kafka": "io.strimzi.api.kafka.model.kafka.Kafka",
    "KafkaNodePool": "io.strimzi.api.kafka.model.nodepool.KafkaNodePool",
    "KafkaTopic": "io.strimzi.api.kafka.model.topic.KafkaTopic",
    "KafkaUser": "io.strimzi.api.kafka.model.user.KafkaUser",
}
CNPG_CRDS = ["clusters", "databases", "scheduledbackups"]
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


def read_versions() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in (K8S_DIR / "versions.env").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


# --------------------------------------------------------------------------- strictness


def _is_object(node: dict[str, Any]) -> bool:
    t = node.get("type")
    return t == "object" or (isinstance(t, list) and "object" in t)


def strictify(node: Any, *, prune_semantics: bool) -> Any:
    """Returns a copy of a schema where unknown fields fail.

    prune_semantics: CRD (structural) schemas: an object without `properties`, without
    `additionalProperties` and without `x-kubernetes-preserve-unknown-fields` keeps no field
    at all on the API server, so every field there is unknown.
    """
    if isinstance(node, list):
        return [strictify(n, prune_semantics=prune_semantics) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("description", "example") or key.startswith("x-kubernetes-"):
            continue
        if key in ("properties", "patternProperties", "$defs", "definitions"):
            out[key] = {k: strictify(v, prune_semantics=prune_semantics) for k, v in value.items()}
        else:
            out[key] = strictify(value, prune_semantics=prune_semantics)
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("nullable") is True:
        out.pop("nullable")
        t = out.get("type")
        if isinstance(t, str):
            out["type"] = [t, "null"]
    else:
        out.pop("nullable", None)
    preserve = node.get("x-kubernetes-preserve-unknown-fields") is True
    if "additionalProperties" not in node:
        if preserve:
            # Declared open by the API (free-form); say so explicitly.
            if "properties" in node or _is_object(node):
                out["additionalProperties"] = True
        elif "properties" in node or (prune_semantics and _is_object(node)):
            out["additionalProperties"] = False
    return out


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, list):
        return [_rewrite_refs(n) for n in node]
    if isinstance(node, dict):
        out = {k: _rewrite_refs(v) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str):
            m = re.search(r"#/(?:\$defs|definitions)/(.+)$", ref)
            if not m:
                raise ValueError(f"unexpected $ref {ref}")
            out["$ref"] = "#/$defs/" + m.group(1)
        return out
    return node


def _closure(defs: dict[str, Any], roots: list[str]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen[name] = defs[name]
        text = json.dumps(defs[name])
        stack.extend(re.findall(r'"#/\$defs/([^"]+)"', text))
    return dict(sorted(seen.items()))


def write_bundle(path: Path, source: str, roots: dict[str, str], defs: dict[str, Any]) -> None:
    doc = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "source": source,
        "roots": dict(sorted(roots.items())),
        "$defs": defs,
    }
    path.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)} ({len(roots)} kinds, {len(defs)} definitions)")


# --------------------------------------------------------------------------- kubernetes


def kubernetes_definitions(versions: dict[str, str]) -> dict[str, Any]:
    """All definitions of the pinned Kubernetes version, refs rewritten to #/$defs/."""
    pkg = f"kubernetes-validate=={versions['KUBERNETES_VALIDATE_VERSION']}"
    code = "import kubernetes_validate, pathlib; print(pathlib.Path(kubernetes_validate.__file__).parent)"
    pkg_dir = subprocess.run(
        ["uv", "run", "--no-project", "--with", pkg, "python", "-c", code],
        check=True, capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]
    src = (Path(pkg_dir) / "kubernetes-json-schema"
           / f"v{versions['KUBERNETES_VERSION']}-local-strict" / "_definitions.json")
    raw = json.loads(src.read_text(encoding="utf-8"))
    return _rewrite_refs(raw["$defs"])


def extract_kubernetes(versions: dict[str, str], defs: dict[str, Any], out_dir: Path) -> None:
    roots: dict[str, str] = {}
    for api_version, kind in KUBERNETES_KINDS:
        group, _, version = api_version.rpartition("/")
        for name, d in defs.items():
            for gvk in d.get("x-kubernetes-group-version-kind", []):
                if (gvk["group"], gvk["version"], gvk["kind"]) == (group, version, kind):
                    roots[f"{api_version}/{kind}"] = name
        if f"{api_version}/{kind}" not in roots:
            raise SystemExit(f"no schema for {api_version}/{kind}")
    strict = {k: strictify(v, prune_semantics=False) for k, v in defs.items()}
    write_bundle(out_dir / f"kubernetes-v{versions['KUBERNETES_VERSION']}.json",
                 f"PyPI kubernetes-validate {versions['KUBERNETES_VALIDATE_VERSION']}, "
                 f"v{versions['KUBERNETES_VERSION']}-local-strict",
                 roots, _closure(strict, list(roots.values())))


# --------------------------------------------------------------------------- CRDs


def crd_bundle(crds: list[dict[str, Any]], k8s_defs: dict[str, Any]) -> tuple[dict, dict]:
    roots: dict[str, str] = {}
    defs: dict[str, Any] = {}
    meta = {k: strictify(v, prune_semantics=False) for k, v in _closure(k8s_defs, [OBJECT_META]).items()}
    defs.update(meta)
    for crd in crds:
        group = crd["spec"]["group"]
        kind = crd["spec"]["names"]["kind"]
        for v in crd["spec"]["versions"]:
            if not v.get("served"):
                continue
            api_version = f"{group}/{v['name']}"
            schema = strictify(v["schema"]["openAPIV3Schema"], prune_semantics=True)
            props = schema.setdefault("properties", {})
            props["apiVersion"] = {"type": "string", "enum": [api_version]}
            props["kind"] = {"type": "string", "enum": [kind]}
            props["metadata"] = {"$ref": f"#/$defs/{OBJECT_META}"}
            schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata"})
            schema["additionalProperties"] = False
            name = f"{group}.{v['name']}.{kind}"
            defs[name] = schema
            roots[f"{api_version}/{kind}"] = name
    return roots, dict(sorted(defs.items()))


def _java() -> str:
    """Strimzi's generator needs Java 21 or newer."""
    candidates = [os.environ.get("JAVA_HOME", "")]
    candidates += sorted(str(p) for p in Path("/usr/lib/jvm").glob("*") if p.is_dir())
    for home in candidates:
        java = Path(home) / "bin" / "java"
        if not java.exists():
            continue
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True).stderr
        m = re.search(r'version "(\d+)', out)
        if m and int(m.group(1)) >= 21:
            return str(java)
    raise SystemExit("Strimzi's CRD generator needs a JDK >= 21 (set JAVA_HOME)")


def extract_strimzi(versions: dict[str, str], k8s_defs: dict[str, Any], out_dir: Path) -> None:
    version = versions["STRIMZI_VERSION"]
    pom = HERE / "strimzi-build" / "pom.xml"
    with tempfile.TemporaryDirectory() as tmp:
        cp_file = Path(tmp) / "cp.txt"
        subprocess.run(["mvn", "-q", "-f", str(pom), f"-Dstrimzi.version={version}",
                        "dependency:build-classpath", f"-Dmdep.outputFile={cp_file}"], check=True)
        args = [_java(), "-cp", cp_file.read_text().strip(), "io.strimzi.crdgenerator.CrdGenerator",
                "--crd-api-version", "v1", "--api-versions", "v1", "--storage-version", "v1", "--yaml"]
        files = {kind: Path(tmp) / f"{kind}.yaml" for kind in STRIMZI_KINDS}
        args += [f"{cls}={files[kind]}" for kind, cls in STRIMZI_KINDS.items()]
        subprocess.run(args, check=True)
        crds = [yaml.safe_load(files[kind].read_text()) for kind in STRIMZI_KINDS]
    roots, defs = crd_bundle(crds, k8s_defs)
    write_bundle(out_dir / f"strimzi-{version}.json",
                 f"Maven Central io.strimzi:api:{version} via io.strimzi:crd-generator:{version}",
                 roots, defs)


def extract_cnpg(versions: dict[str, str], k8s_defs: dict[str, Any], out_dir: Path) -> None:
    version = versions["CNPG_VERSION"]
    mod = f"github.com/cloudnative-pg/cloudnative-pg@{version}"
    info = json.loads(subprocess.run(["go", "mod", "download", "-json", mod],
                                     check=True, capture_output=True, text=True).stdout)
    bases = Path(info["Dir"]) / "config" / "crd" / "bases"
    crds = [yaml.safe_load((bases / f"postgresql.cnpg.io_{n}.yaml").read_text()) for n in CNPG_CRDS]
    roots, defs = crd_bundle(crds, k8s_defs)
    write_bundle(out_dir / f"cloudnative-pg-{version}.json",
                 f"Go module {mod} config/crd/bases", roots, defs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["kubernetes", "strimzi", "cnpg"], action="append")
    args = parser.parse_args()
    which = set(args.only or ["kubernetes", "strimzi", "cnpg"])
    versions = read_versions()
    for tool in ("uv", "mvn", "go"):
        if not shutil.which(tool):
            print(f"warning: {tool} not found on PATH", file=sys.stderr)
    k8s_defs = kubernetes_definitions(versions)
    out_dir = HERE
    if "kubernetes" in which:
        for old in out_dir.glob("kubernetes-v*.json"):
            old.unlink()
        extract_kubernetes(versions, k8s_defs, out_dir)
    if "strimzi" in which:
        for old in out_dir.glob("strimzi-*.json"):
            old.unlink()
        extract_strimzi(versions, k8s_defs, out_dir)
    if "cnpg" in which:
        for old in out_dir.glob("cloudnative-pg-*.json"):
            old.unlink()
        extract_cnpg(versions, k8s_defs, out_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
