"""Snakemake entry point of rule verify: the logic is humanprep.stages.verify."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.verify import main

run(snakemake, main)
