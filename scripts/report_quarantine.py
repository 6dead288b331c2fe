"""Snakemake entry point of rule report_quarantine (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.report_quarantine import main

run(snakemake, main)
