"""Validates manifests offline against the strict schemas in deploy/k8s/schemas/.

A kind with no schema is an error, never a pass: add the kind to schemas/extract.py first.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from checks import SCHEMAS


@cache
def _validators() -> dict[str, Draft202012Validator]:
    out: dict[str, Draft202012Validator] = {}
    for path in sorted(Path(SCHEMAS).glob("*.json")):
        bundle = json.loads(path.read_text(encoding="utf-8"))
        uri = f"urn:xiangzhi:schemas:{path.stem}"
        doc = {"$schema": bundle["$schema"], "$id": uri, "$defs": bundle["$defs"]}
        Draft202012Validator.check_schema(doc)  # a broken bundle fails here, once
        registry = Registry().with_resource(uri, Resource.from_contents(doc, DRAFT202012))
        for key, root in bundle["roots"].items():
            if key in out:
                raise ValueError(f"{key} has schemas in two bundles")
            out[key] = Draft202012Validator({"$ref": f"{uri}#/$defs/{root}"}, registry=registry)
    return out


def known_kinds() -> set[str]:
    return set(_validators())


def describe(doc: dict[str, Any]) -> str:
    return f"{doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"


def errors(doc: dict[str, Any]) -> list[str]:
    """Every schema violation of one object, as readable lines (empty: valid)."""
    key = f"{doc.get('apiVersion')}/{doc.get('kind')}"
    validator = _validators().get(key)
    if validator is None:
        return [f"{describe(doc)}: no schema for {key} (not a known kind at the pinned versions)"]
    out = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        path = ".".join(str(p) for p in err.absolute_path) or "(root)"
        out.append(f"{describe(doc)}: {path}: {err.message[:300]}")
    return out
