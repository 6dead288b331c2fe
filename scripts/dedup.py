"""Snakemake entry point of rule dedup (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.dedup import main

run(snakemake, main)
