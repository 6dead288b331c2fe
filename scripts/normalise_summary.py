"""Snakemake entry point of rule normalise_summary: the logic is humanprep.stages.normalise_summary."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.normalise_summary import main

run(snakemake, main)
