"""Snakemake entry point of rule hf_view (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.hf_view import main

run(snakemake, main)
