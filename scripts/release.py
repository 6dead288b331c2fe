"""Snakemake entry point of rule release (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.release import main

run(snakemake, main)
