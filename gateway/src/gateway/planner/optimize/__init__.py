"""Plan optimisations, one module each, applied in order by `gateway.planner.build_plan`."""
