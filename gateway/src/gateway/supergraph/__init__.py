"""Phase 1: the supergraph — the join-spec SDL read into a model the planner queries."""

from gateway.supergraph.loader import load_supergraph, parse_supergraph
from gateway.supergraph.model import FieldMeta, Graph, Supergraph, TypeMeta

__all__ = ["FieldMeta", "Graph", "Supergraph", "TypeMeta", "load_supergraph", "parse_supergraph"]
