"""Deterministic miniature copies of the five datasets' archives, in their real formats."""
