"""Snakemake entry point of rule report_release (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.report_release import main

run(snakemake, main)
