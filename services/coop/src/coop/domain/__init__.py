"""Pure rules of the supply co-op: money arithmetic, order and booking states, demand
aggregation and sourcing allocation, settlement periods and profit, scope. No I/O."""
