"""Snakemake entry point of rule normalise: the logic is humanprep.stages.normalise."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.normalise import main

run(snakemake, main)
