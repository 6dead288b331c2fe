"""Snakemake entry point of rule plan_shards: the logic is humanprep.stages.plan_shards."""

import _humanprep  # noqa: F401

from humanprep.runner import run
from humanprep.stages.plan_shards import main

run(snakemake, main)
