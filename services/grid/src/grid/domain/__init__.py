"""Grid domain rules: pure functions and values, no I/O."""
