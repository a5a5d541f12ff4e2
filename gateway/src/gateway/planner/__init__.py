"""Phase 3: the query planner. `build_plan` runs the walk, then the optimisation passes,
then prints every fetch."""

from __future__ import annotations

from gateway.normalize.ir import NOperation
from gateway.planner.fieldsets import FieldSetParser
from gateway.planner.finalize import finalize_node
from gateway.planner.optimize.alias_conflicts import alias_conflicts
from gateway.planner.optimize.merge_siblings import merge_siblings
from gateway.planner.optimize.order import topological_order
from gateway.planner.optimize.prune_empty import prune_empty
from gateway.planner.plan import EntityPart, FetchNode, QueryPlan, print_plan
from gateway.planner.walker import PlanningError, Walker
from gateway.supergraph.model import Supergraph

__all__ = ["EntityPart", "FetchNode", "PlanningError", "QueryPlan", "build_plan", "print_plan"]


def build_plan(sg: Supergraph, fieldsets: FieldSetParser, op: NOperation) -> QueryPlan:
    plan = Walker(sg, fieldsets).plan(op)
    nodes = prune_empty(plan.nodes)
    nodes = merge_siblings(topological_order(nodes))
    plan.nodes = topological_order(nodes)
    for node in plan.nodes:
        node.has_aliases = alias_conflicts(sg, node, op.root_type)
        finalize_node(node, op)
    return plan
