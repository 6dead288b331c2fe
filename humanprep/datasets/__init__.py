"""The datasets, one folder each: `humanprep/datasets/<name>/` holds everything that knows
the dataset, its `__init__.py` the descriptor `DESCRIPTOR`.

Adding a dataset is adding one such folder (plus its registry and terms files); every
stage, rule and the release iterate over `DESCRIPTORS`. Light to import: the Snakefile
reads it at parse time, on every SLURM job too.
"""

import importlib
import pkgutil

from humanprep.datasets.base import Derived, Descriptor


def _discover():
    found = []
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            found.append(importlib.import_module(f"{__name__}.{module.name}").DESCRIPTOR)
    return {d.name: d for d in sorted(found, key=lambda d: (d.order, d.name))}


DESCRIPTORS = _discover()
DATASETS = tuple(DESCRIPTORS)
# Environment variable that holds each dataset's archive password (None: not encrypted).
PASSWORD_ENV = {d.name: d.password_env for d in DESCRIPTORS.values()}
# Documented demo values: the demo archives are encrypted with these, and the demo's
# extract jobs read them (never from params or command lines, nor exported).
DEMO_PASSWORDS = {d.name: d.demo_password for d in DESCRIPTORS.values() if d.demo_password}


def owner(subset):
    """The dataset that derives the subset `subset` (e.g. "fullbody" -> deepfashion2)."""
    return next(d.name for d in DESCRIPTORS.values() for s in d.derived if s.name == subset)


def subsets():
    """Every derived subset as (dataset, Derived), in dataset order."""
    return [(d.name, s) for d in DESCRIPTORS.values() for s in d.derived]


__all__ = [
    "DATASETS",
    "DEMO_PASSWORDS",
    "DESCRIPTORS",
    "PASSWORD_ENV",
    "Derived",
    "Descriptor",
    "owner",
    "subsets",
]
