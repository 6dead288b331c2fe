"""Snakemake entry point of rule sketch_summary (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.sketch_summary import main

run(snakemake, main)
