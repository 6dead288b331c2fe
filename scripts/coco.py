"""Snakemake entry point of rule coco (logic: humanprep.stages)."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.coco import main

run(snakemake, main)
