"""The committed supergraph is what composing today's subgraphs gives: CI fails when a
service's schema changed and `make supergraph` was not run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_committed_supergraph_is_current():
    subgraphs = subprocess.run([sys.executable, "gateway/compose/subgraphs.py"], cwd=ROOT,
                               check=True, capture_output=True)
    composed = subprocess.run(["node", "gateway/compose/compose.mjs"], cwd=ROOT, check=True,
                              input=subgraphs.stdout, capture_output=True)
    committed = (ROOT / "gateway" / "supergraph.graphql").read_bytes()
    assert composed.stdout == committed, "gateway/supergraph.graphql is stale: run make supergraph"
