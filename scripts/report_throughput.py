"""Snakemake entry point of rule report_throughput (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.report_throughput import main

run(snakemake, main)
