"""The offline schemas are strict and cover every kind the project renders."""

from __future__ import annotations

import json

import pytest
from checks import SCHEMAS, schemas, versions


def test_bundles_are_the_pinned_versions() -> None:
    v = versions()
    names = sorted(p.name for p in SCHEMAS.glob("*.json"))
    assert names == sorted([f"kubernetes-v{v['KUBERNETES_VERSION']}.json",
                            f"strimzi-{v['STRIMZI_VERSION']}.json",
                            f"cloudnative-pg-{v['CNPG_VERSION']}.json"])


@pytest.mark.parametrize("key", sorted(schemas.known_kinds()))
def test_unknown_field_fails(key: str) -> None:
    api_version, _, kind = key.rpartition("/")
    doc = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"},
           "surprise": True}
    assert any("surprise" in e for e in schemas.errors(doc)), key


def test_unknown_nested_field_fails() -> None:
    doc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"},
           "spec": {"ports": [{"port": 80, "targetPortt": 8080}]}}
    assert any("targetPortt" in e for e in schemas.errors(doc))
    doc = {"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaTopic",
           "metadata": {"name": "t"}, "spec": {"partitions": 1, "replica": 1}}
    assert any("replica" in e for e in schemas.errors(doc))


def test_unknown_kind_fails() -> None:
    assert schemas.errors({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}})


def _subschemas(node: dict) -> list[dict]:
    out = list((node.get("properties") or {}).values())
    out += list((node.get("patternProperties") or {}).values())
    for key in ("items", "additionalProperties", "not"):
        if isinstance(node.get(key), dict):
            out.append(node[key])
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        out += node.get(key) or []
    return out


def test_every_object_schema_is_closed() -> None:
    """No object schema with properties leaves additionalProperties open by omission."""
    for path in SCHEMAS.glob("*.json"):
        bundle = json.loads(path.read_text("utf-8"))
        stack = list(bundle["$defs"].values())
        while stack:
            node = stack.pop()
            if "properties" in node:
                assert "additionalProperties" in node, (path.name, sorted(node["properties"]))
            stack.extend(_subschemas(node))
