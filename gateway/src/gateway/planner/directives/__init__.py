"""Federation directive semantics the planner relies on, one module per directive."""
