"""Snakemake entry point of rule views_summary (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.views_summary import main

run(snakemake, main)
