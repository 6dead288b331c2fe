"""Snakemake entry point of rule composites (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.composites import main

run(snakemake, main)
