"""Snakemake entry point of rule download (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.download import main

run(snakemake, main)
