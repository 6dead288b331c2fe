"""Snakemake entry point of rule report_charts (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.report_charts import main

run(snakemake, main)
