"""Snakemake entry point of rule fullbody (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.fullbody import main

run(snakemake, main)
