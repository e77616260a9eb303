"""Pure domain types and rules: no I/O, no store, no web."""
