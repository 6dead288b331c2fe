"""Snakemake entry point of rule report_composites (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.report_composites import main

run(snakemake, main)
