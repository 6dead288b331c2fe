"""Snakemake entry point of rule index_archive: the logic is humanprep.stages.index_archive."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.index_archive import main

run(snakemake, main)
