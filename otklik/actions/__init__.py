"""Actions: the functions that change state. Routes, CLI commands and tasks only call these."""
