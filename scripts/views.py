"""Snakemake entry point of rule views (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.views import main

run(snakemake, main)
