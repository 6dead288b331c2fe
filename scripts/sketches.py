"""Snakemake entry point of rule sketches (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.sketches import main

run(snakemake, main)
