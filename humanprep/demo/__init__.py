"""Deterministic miniature copies of the six datasets' archives, in their real formats."""
