"""Snakemake entry point of rule normalise_summary (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.normalise_summary import main

run(snakemake, main)
