"""Pure rules of the shares service: no I/O, unit-tested on their own."""
