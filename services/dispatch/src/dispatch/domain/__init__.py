"""Pure rules of the dispatch service: no I/O, unit-tested on their own."""
