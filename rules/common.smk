# Helpers shared by all rule files (config, paths, registry, shards, code provenance).
import math
import os
import re
import sys
from pathlib import Path

from snakemake.logging import logger
from snakemake.utils import min_version, validate

min_version("9.0")

sys.path.insert(0, workflow.basedir)

from humanprep import datasets as hp_datasets  # noqa: E402
from humanprep import failures as hp_failures  # noqa: E402
from humanprep import shards as hp_shards  # noqa: E402
from humanprep import slurm as hp_slurm  # noqa: E402
from humanprep import sources as hp_sources  # noqa: E402
from humanprep.acquire import registry as hp_registry  # noqa: E402

validate(config, workflow.source_path("../config/schema.yaml"))

RESULTS = config["results"]
RAW = config["raw_dir"]
ENABLED = [d for d in hp_datasets.DATASETS if config["datasets"][d]["enabled"]]


def code(stage):
    """The sources the rule running scripts/<stage>.py executes (found by following its
    imports): as rule inputs, editing them re-runs what they made, so a release never
    mixes outputs of two code versions."""
    return hp_sources.stage_files(workflow.basedir, stage)


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


def entry_for_file(dataset, file):
    return next(e for e in REGISTRY[dataset] if e.file == file)


def entry_for_stem(dataset, stem):
    return next(
        e for e in entries(dataset, ("zip", "tar")) if archive_stem(e.file) == stem
    )


def shard_size(dataset):
    return config["datasets"][dataset].get("shard_size", config["shard_size"])


def n_shards(dataset):
    items = sum(e.items for e in REGISTRY[dataset])
    return hp_shards.shard_count(items, shard_size(dataset))


# One core's seconds per item in the per-shard stages, measured on the demo and bench
# (bench/RESULTS.md) at the datasets' real image sizes, and the memory a shard job needs.
SECONDS_PER_ITEM = {
    "shhq": 0.05,
    "fdh": 0.01,
    "deepfashion2": 0.05,
    "huge100k": 1.5,
    "celeba": 0.2,
}
BASE_MEM_MB = {
    "shhq": 1000,
    "fdh": 1000,
    "deepfashion2": 1000,
    "huge100k": 2000,
    "celeba": 1500,
}


# When this run started (sacct's clock): SLURM jobs since then are this run's attempts.
RUN_STARTED = hp_slurm.run_started()


def time_attempt(rulename, wildcards, attempt):
    """The attempt number for time: it grows only after SLURM ended the job at its limit."""
    attempts = hp_slurm.retry_attempts(
        workflow, rulename, wildcards, attempt, RUN_STARTED
    )
    return attempts[0]


def mem_attempt(rulename, wildcards, attempt):
    """The attempt number for memory: it grows only after a memory kill."""
    attempts = hp_slurm.retry_attempts(
        workflow, rulename, wildcards, attempt, RUN_STARTED
    )
    return attempts[1]


def shard_runtime(dataset, attempt, factor=1.0):
    """Minutes for one shard job: 3x the measured time per item (times `factor` for
    stages lighter than normalise), at least 10, doubled on each retry."""
    seconds = 3 * factor * SECONDS_PER_ITEM[dataset] * shard_size(dataset)
    return max(10, math.ceil(seconds / 60)) * 2 ** (attempt - 1)


def shard_mem_mb(dataset, attempt):
    return BASE_MEM_MB[dataset] * attempt


def size_runtime(file_bytes, attempt, mb_per_s=100):
    """Minutes to stream a file once at a pessimistic rate, at least 10, times the attempt."""
    return max(10, math.ceil(file_bytes / 1e6 / mb_per_s / 60)) * attempt


def shard_names(dataset):
    return [hp_shards.shard_name(i) for i in range(n_shards(dataset))]


def raw_files(dataset):
    return [f"{RAW}/{dataset}/{e.file}" for e in REGISTRY[dataset]]


def download_url(dataset, file):
    """The configured URL of a registered file, or None when the user places it by hand."""
    settings = config["datasets"][dataset]
    if file in settings.get("urls", {}):
        return settings["urls"][file]
    base = settings.get("base_url", "")
    return f"{base.rstrip('/')}/{file}" if base else None


DOWNLOADS = sorted(
    f"{d}/{e.file}" for d in ENABLED for e in REGISTRY[d] if download_url(d, e.file)
)


def demo_datasets():
    """Datasets the demo generates in place: those not fetched from a (test) server."""
    fetched = {d.split("/", 1)[0] for d in DOWNLOADS}
    return [d for d in ENABLED if d not in fetched] if config["demo"] else []


def demo_files():
    return [f for d in demo_datasets() for f in raw_files(d)]


def missing_raw_files():
    """Files neither present, nor downloaded, nor generated by the demo."""
    made = set(demo_datasets())
    return [
        f"{d}/{e.file}"
        for d in ENABLED
        if d not in made
        for e in REGISTRY[d]
        if f"{d}/{e.file}" not in DOWNLOADS and not Path(RAW, d, e.file).exists()
    ]


def raw_input(wildcards):
    """The raw file a user supplied; a missing one stops with manual-download help."""
    path = f"{RAW}/{wildcards.dataset}/{wildcards.file}"
    if f"{wildcards.dataset}/{wildcards.file}" in MISSING:
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
    return [
        f"{RESULTS}/normalised/{dataset}/{s}.{suffix}" for s in shard_names(dataset)
    ]


def normalise_options(dataset):
    return config["normalise"].get(dataset, {})


def derived_shards(subset, suffix):
    dataset = subset.split("-", 1)[0]
    return [f"{RESULTS}/derived/{subset}/{s}.{suffix}" for s in shard_names(dataset)]


def derived_targets():
    """Summaries (or, without one, shard indexes) of the derived subsets of enabled datasets."""
    targets = []
    if "deepfashion2" in ENABLED:
        targets.append(f"{RESULTS}/derived/deepfashion2-fullbody/summary.json")
    if "celeba" in ENABLED:
        targets.append(f"{RESULTS}/derived/celeba-sketch/summary.json")
    if "huge100k" in ENABLED:
        targets.append(f"{RESULTS}/derived/huge100k-views/summary.json")
    if "shhq" in ENABLED and config["composite"]["shhq"]:
        targets += derived_shards("shhq-composite", "jsonl")
    return targets


RELEASE_NAME = f"{config['release']['name']}-{config['release']['version']}"


def release_datasets():
    chosen = config["release"]["datasets"] or ENABLED
    return [d for d in hp_datasets.DATASETS if d in chosen and d in ENABLED]


def release_derived():
    chosen = release_datasets()
    return [
        t for t in derived_targets() if Path(t).parent.name.split("-", 1)[0] in chosen
    ]


def release_coco():
    chosen = release_datasets()
    return [f"{RESULTS}/coco/{d}" for d in COCO_DATASETS if d in chosen]


def report_targets():
    """The report's pictures (`snakemake --report`) for the enabled datasets."""
    sheets = ("shhq", "fdh", "deepfashion2", "celeba", "huge100k")
    targets = [f"{RESULTS}/report/sheets/{d}.png" for d in sheets if d in ENABLED]
    if "deepfashion2" in ENABLED:
        targets += [
            f"{RESULTS}/report/fullbody/{k}.png" for k in ("accepted", "rejected")
        ]
    charts = ("stages", "categories", "fullbody_reasons", "licences")
    return targets + [f"{RESULTS}/report/charts/{c}.png" for c in charts]


def final_targets():
    return [f"{RESULTS}/release/{RELEASE_NAME}.json"]


MISSING = missing_raw_files()
if MISSING:
    # One overview up front (also in dry runs); each missing file then stops its own
    # dataset's DAG with the manual-download instructions.
    logger.warning(
        "humanprep: %d raw file(s) missing from %s: %s"
        % (len(MISSING), RAW, ", ".join(MISSING))
    )


onstart:
    # Deterministic failures recorded by an earlier run are tried afresh in this one.
    hp_failures.clear(f"{RESULTS}/logs")
    found = hp_slurm.placeholders(hp_slurm.site_values(workflow))
    if found and workflow.executor_plugin.name == "slurm":
        # One line, before any job is submitted.
        print(hp_slurm.placeholder_message(found), file=sys.stderr)
        sys.exit(1)


if config["demo"]:
    # The demo exports its documented passwords into its own environment; they are
    # read inside the unpack script, never passed as params or on a command line.
    for _dataset, _password in hp_datasets.DEMO_PASSWORDS.items():
        os.environ.setdefault(hp_datasets.PASSWORD_ENV[_dataset], _password)
