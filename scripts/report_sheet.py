"""Snakemake entry point of rules report_sheet_<dataset> (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.report_sheet import main

run(snakemake, main)
