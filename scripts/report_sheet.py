"""Snakemake entry point of rule report_sheet (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.report_sheet import main

run(snakemake, main)
