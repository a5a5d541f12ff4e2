"""The gateway's own tests: real subgraphs over HTTP, plan snapshots."""
