"""Snakemake entry point of rule index_tar: the logic is humanprep.stages.index_tar."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.index_tar import main

run(snakemake, main)
