# Helpers shared by every rule file: config, paths, registry, shards, code provenance.
import os
import sys
from pathlib import Path

from snakemake.utils import min_version, validate

min_version("9.0")

sys.path.insert(0, workflow.basedir)

from humanprep import datasets as hp_datasets  # noqa: E402
from humanprep import shards as hp_shards  # noqa: E402
from humanprep.acquire import registry as hp_registry  # noqa: E402


validate(config, workflow.source_path("../config/schema.yaml"))

RESULTS = config["results"]
RAW = config["raw_dir"]
ENABLED = [d for d in hp_datasets.DATASETS if config["datasets"][d]["enabled"]]


wildcard_constraints:
    dataset="|".join(hp_datasets.DATASETS),
    file=r"[^/]+",
    archive=r"[^/]+",
    shard=r"shard-\d{5}",


# Modules every stage imports; each stage adds its own subpackage or module.
CORE_CODE = ("__init__.py", "errors.py", "io.py", "runner.py", "datasets.py", "shards.py")


def code(*parts):
    """Package sources a stage runs: they are rule inputs, so editing the code re-runs
    what it made and a release never mixes outputs of two code versions."""
    root = Path(workflow.basedir, "humanprep")
    files = [root / name for name in CORE_CODE]
    for part in parts:
        target = root / part
        files += sorted(target.rglob("*.py")) if target.is_dir() else [root / f"{part}.py"]
    files += [root / "stages" / f"{part}.py" for part in parts]
    return sorted({str(f.relative_to(workflow.basedir)) for f in files if f.exists()})



def registry_path(dataset):
    return Path(config["registry_dir"], f"{dataset}.tsv")


REGISTRY = {d: hp_registry.load_registry(registry_path(d)) for d in ENABLED}


def entries(dataset, kinds=("zip", "tar", "file")):
    return [e for e in REGISTRY[dataset] if e.kind in kinds]


def archive_stem(file):
    for suffix in (".tar.gz", ".tgz", ".zip", ".tar"):
        if file.endswith(suffix):
            return file[: -len(suffix)]
    return file


def archives(dataset):
    """Stems of the archives to unpack (zip/tar); side files are read in place."""
    return [archive_stem(e.file) for e in entries(dataset, ("zip", "tar"))]


def entry_for_stem(dataset, stem):
    return next(e for e in entries(dataset, ("zip", "tar")) if archive_stem(e.file) == stem)


def n_shards(dataset):
    items = sum(e.items for e in REGISTRY[dataset])
    size = config["datasets"][dataset].get("shard_size", config["shard_size"])
    return hp_shards.shard_count(items, size)


def shard_names(dataset):
    return [hp_shards.shard_name(i) for i in range(n_shards(dataset))]


def raw_files(dataset):
    return [f"{RAW}/{dataset}/{e.file}" for e in REGISTRY[dataset]]


def demo_files():
    return [f for d in ENABLED for f in raw_files(d)] if config["demo"] else []


def raw_input(wildcards):
    """The raw file a user supplied; a missing one stops with manual-download help."""
    path = f"{RAW}/{wildcards.dataset}/{wildcards.file}"
    if not config["demo"] and not Path(path).exists():
        raise WorkflowError(
            hp_registry.missing_message(
                wildcards.dataset,
                wildcards.file,
                Path(RAW, wildcards.dataset),
                hp_registry.HOW_TO_OBTAIN[wildcards.dataset],
            )
        )
    return path


def verified(dataset):
    return [f"{RESULTS}/verified/{dataset}/{e.file}.json" for e in REGISTRY[dataset]]


def unpack_inputs(wildcards):
    entry = entry_for_stem(wildcards.dataset, wildcards.archive)
    return {
        "archive": f"{RAW}/{wildcards.dataset}/{entry.file}",
        "verified": f"{RESULTS}/verified/{wildcards.dataset}/{entry.file}.json",
        "agreement": f"{RESULTS}/agreements/{wildcards.dataset}.json",
    }


def unpacked(dataset):
    return [f"{RESULTS}/unpacked/{dataset}/{a}" for a in archives(dataset)]


def side_files(dataset):
    return [f"{RAW}/{dataset}/{e.file}" for e in entries(dataset, ("file",))]


def password_envvars():
    """Password variables this run needs: encrypted, enabled datasets without a file."""
    if config["passwords_file"]:
        return []
    return [hp_datasets.PASSWORD_ENV[d] for d in ENABLED if hp_datasets.PASSWORD_ENV[d]]


def shard_outputs(dataset, suffix):
    return [f"{RESULTS}/normalised/{dataset}/{s}.{suffix}" for s in shard_names(dataset)]


def normalise_options(dataset):
    return config["normalise"].get(dataset, {})


def final_targets():
    return [f"{RESULTS}/normalised/{d}/summary.json" for d in ENABLED]


if config["demo"]:
    # The demo exports its documented passwords into its own environment; they are
    # read inside the unpack script, never passed as params or on a command line.
    for _dataset, _password in hp_datasets.DEMO_PASSWORDS.items():
        os.environ.setdefault(hp_datasets.PASSWORD_ENV[_dataset], _password)
