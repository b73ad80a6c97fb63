"""Dialogs, one per file (DESIGN.md 3): they ask, the core does the work in a worker."""
