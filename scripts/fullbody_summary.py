"""Snakemake entry point of rule fullbody_summary (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.fullbody_summary import main

run(snakemake, main)
