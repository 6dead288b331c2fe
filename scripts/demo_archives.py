"""Snakemake entry point of rule demo_archives: the logic is humanprep.stages.demo_archives."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.demo_archives import main

run(snakemake, main)
