"""Small real federation subgraphs for the gateway's own tests, served over HTTP on loopback."""
