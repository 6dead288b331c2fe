"""Adapters between Snakemake's `snakemake` object and the package's plain functions."""
