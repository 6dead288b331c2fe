"""Snakemake entry point of rule report_dedup (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.report_dedup import main

run(snakemake, main)
