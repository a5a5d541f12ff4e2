"""Phase 4: execution — run a plan's fetches against the subgraphs, merge their answers, and
shape the client's response (null propagation, path-accurate errors)."""
