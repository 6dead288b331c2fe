"""Snakemake entry point of rule extract: the logic is humanprep.stages.extract."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.extract import main

run(snakemake, main)
