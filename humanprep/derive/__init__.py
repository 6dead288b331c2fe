"""Dataset-specific data derived from normalised records."""
