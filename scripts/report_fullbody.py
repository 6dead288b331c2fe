"""Snakemake entry point of rule report_fullbody (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.report_fullbody import main

run(snakemake, main)
