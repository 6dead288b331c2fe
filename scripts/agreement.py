"""Snakemake entry point of rule agreement: the logic is humanprep.stages.agreement."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.agreement import main

run(snakemake, main)
