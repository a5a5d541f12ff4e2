"""Prints the subgraphs to compose as JSON: every service with a service.toml, its name, its
local URL and the SDL its running subgraph serves at `_service { sdl }` (taken from the
schema itself, so composing needs no running process)."""

from __future__ import annotations

import importlib
import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def subgraphs() -> list[dict[str, str]]:
    found = []
    for descriptor in sorted(ROOT.glob("services/*/service.toml")):
        raw = tomllib.loads(descriptor.read_text(encoding="utf-8"))
        name = raw.get("name", descriptor.parent.name)
        module = raw.get("module", name)
        schema = importlib.import_module(f"{module}.app").make_spec().schema
        result = schema.execute_sync("{ _service { sdl } }")
        if result.errors:
            raise SystemExit(f"{name}: cannot read its SDL: {result.errors}")
        found.append({"name": name, "url": f"http://127.0.0.1:{raw['port']}/graphql",
                      "sdl": result.data["_service"]["sdl"]})
    return found


if __name__ == "__main__":
    json.dump(subgraphs(), sys.stdout, ensure_ascii=False)
