"""Versioned data releases: selection, layout, checksums, provenance, card, diff, verify."""
