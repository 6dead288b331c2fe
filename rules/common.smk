# Helpers shared by all rule files (config, paths, registry, shards, code provenance).
import math
import os
import re
import sys
import time
from pathlib import Path

from snakemake.logging import logger
from snakemake.utils import min_version

min_version("9.0")

# The workflow's own folder (this file's parent's parent), not the caller's: used as a
# Snakemake module, code, registries and terms still resolve here.
HP_ROOT = Path(str(workflow.current_basedir)).parent
sys.path.insert(0, str(HP_ROOT))

from humanprep import datasets as hp_datasets  # noqa: E402
from humanprep import failures as hp_failures  # noqa: E402
from humanprep import preflight as hp_preflight  # noqa: E402
from humanprep import settings as hp_settings  # noqa: E402
from humanprep import shards as hp_shards  # noqa: E402
from humanprep import slurm as hp_slurm  # noqa: E402
from humanprep import sources as hp_sources  # noqa: E402
from humanprep.acquire import gate as hp_gate  # noqa: E402
from humanprep.acquire import identity as hp_identity  # noqa: E402
from humanprep.acquire import registry as hp_registry  # noqa: E402
from humanprep.acquire import urls as hp_urls  # noqa: E402
from humanprep.errors import HumanprepError  # noqa: E402


def preflight(check, *args):
    """A check made before any job: its failure is one line, then the run stops."""
    try:
        return check(*args)
    except HumanprepError as err:
        print(f"humanprep: {err}", file=sys.stderr)
        sys.exit(1)


preflight(hp_preflight.check_writable)
# before validation, which would format the whole config (aliases expanded) into its error
preflight(hp_preflight.check_config_files, workflow.overwrite_configfiles)
# The demo (demo: true): each dataset folder's part of it (demo.yaml: the acceptance of its
# demo archives, its demo settings), under what the config sets.
if config.get("demo"):
    hp_settings.add_demo_parts(config)
# the schema: humanprep/schemas/config.schema.yaml with each dataset's part (its folder's config.yaml)
SCHEMA = hp_settings.schema()
preflight(hp_preflight.check_config, config, SCHEMA)
hp_preflight.validate(config, SCHEMA)  # and its defaults filled in

# When this run started: the closing line names the release only if built since.
STARTED = time.time()

RESULTS = config["results"]
RAW = config["raw_dir"]
# Every dataset is described once, by its descriptor (humanprep/datasets/<name>/).
DESCRIPTORS = hp_datasets.DESCRIPTORS
ENABLED = [d for d in hp_datasets.DATASETS if config["datasets"][d]["enabled"]]


def workflow_file(rel):
    """A file shipped with the workflow, relative to the working directory when inside it."""
    path = HP_ROOT / rel
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# The code walks, reused while no source changed (in the working directory's .snakemake).
CODE_INPUTS_CACHE = str(Path(".snakemake", "humanprep", "code-inputs.json").absolute())


def code(stage):
    """The sources the rule running scripts/<stage>.py executes (found by following its
    imports): as rule inputs, editing them re-runs what they made, so a release never
    mixes outputs of two code versions."""
    found = hp_sources.code_inputs(HP_ROOT, CODE_INPUTS_CACHE)
    return [workflow_file(f) for f in found[stage]]


def terms_path(dataset):
    return workflow_file(hp_gate.terms_file(dataset))


def registry_dir():
    """The user's registry_dir, or the set shipped with the workflow (upstream or demo)."""
    if config["registry_dir"]:
        return Path(config["registry_dir"])
    return Path(workflow_file(f"registry/{'demo' if config['demo'] else 'upstream'}"))


def registry_path(dataset):
    return registry_dir() / f"{dataset}.tsv"


def registry_file(dataset):
    return str(registry_path(dataset))


def acceptance(dataset):
    return config["agreements"].get(dataset)


def password_env(dataset):
    return DESCRIPTORS[dataset].password_env


def per_dataset(function, *args):
    """An input or params function: function(dataset, *args) for the job's {dataset}."""

    def of_dataset(wildcards):
        return function(wildcards.dataset, *args)

    return of_dataset


def per_download(function):
    """An input or params function for a download job: function(dataset, file)."""

    def of_download(wildcards):
        return function(*wildcards.download.split("/", 1))

    return of_download


def download_registry(wildcards):
    return registry_file(wildcards.download.split("/", 1)[0])


def download_local_registry(wildcards):
    return local_registry_path(wildcards.download.split("/", 1)[0])


def normalised_root(wildcards, input):
    """A param: results/normalised/, the folder of the datasets' summary folders."""
    return str(Path(input.summaries[0]).parents[1])


# The demo registry is complete; real runs complete the published one in the user's overlay.
LOCAL_REGISTRY = "" if config["demo"] else config["local_registry_dir"]


def local_registry_path(dataset):
    return str(Path(LOCAL_REGISTRY, f"{dataset}.tsv")) if LOCAL_REGISTRY else ""


def load_registries():
    """Each enabled dataset's registry, and one line per dataset that has none."""
    found, problems = {}, []
    for d in ENABLED:
        try:
            found[d] = hp_registry.merged_registry(
                registry_path(d), local_registry_path(d) or None
            )
        except HumanprepError as err:
            found[d], problems = [], problems + [f"{d}: {err}"]
    return found, problems


REGISTRY, REGISTRY_PROBLEMS = load_registries()


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
    own = config["datasets"][dataset].get("shard_size")
    return own or config.get("shard_size") or DESCRIPTORS[dataset].shard_size


def n_shards(dataset):
    items = sum(e.items for e in REGISTRY[dataset])
    return hp_shards.shard_count(items, shard_size(dataset))


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
    """Minutes for one shard job: 3x the descriptor's measured time per item (times
    `factor` for stages lighter than normalise), at least 10, doubled on each retry."""
    seconds = 3 * factor * DESCRIPTORS[dataset].seconds_per_item * shard_size(dataset)
    return max(10, math.ceil(seconds / 60)) * 2 ** (attempt - 1)


def shard_mem_mb(dataset, attempt):
    return DESCRIPTORS[dataset].base_mem_mb * attempt


def shard_job_runtime(factor=1.0):
    """The runtime resource of a per-shard rule with a {dataset} wildcard."""

    def runtime(wildcards, attempt, rulename):
        tries = time_attempt(rulename, wildcards, attempt)
        return shard_runtime(wildcards.dataset, tries, factor)

    return runtime


def subset_runtime(subset):
    """The runtime resource of the per-shard rule deriving `subset`."""
    return shard_job_runtime(DESCRIPTORS[hp_datasets.owner(subset)].subset(subset).cost)


def shard_job_mem_mb(wildcards, attempt, rulename):
    """The mem_mb resource of a per-shard rule with a {dataset} wildcard."""
    return shard_mem_mb(wildcards.dataset, mem_attempt(rulename, wildcards, attempt))


# A file whose size nobody published yet is timed as if it were this large (the biggest
# real archive, an FDH licence tar, is about 60 GB).
UNKNOWN_SIZE = 100e9


def size_runtime(file_bytes, attempt, mb_per_s=100):
    """Minutes to stream a file once at a pessimistic rate, at least 10, times the attempt."""
    size = UNKNOWN_SIZE if file_bytes is None else file_bytes
    return max(10, math.ceil(size / 1e6 / mb_per_s / 60)) * attempt


def shard_names(dataset):
    return [hp_shards.shard_name(i) for i in range(n_shards(dataset))]


def raw_files(dataset):
    return [f"{RAW}/{dataset}/{e.file}" for e in REGISTRY[dataset]]


def upstream_url(dataset, file):
    """The published URL of a file (registry <dataset>.urls.tsv), for one not yet in raw_dir."""
    if config["demo"] or Path(RAW, dataset, file).exists():
        return None
    urls = hp_registry.load_urls(registry_dir() / f"{dataset}.urls.tsv")
    return urls.get(file)


def configured_url(dataset, file):
    """The URL the config gives a registered file (else the published one), or None when
    it is placed by hand."""
    settings = config["datasets"][dataset]
    if file in settings.get("urls", {}):
        return settings["urls"][file]
    base = settings.get("base_url", "")
    return hp_urls.join_url(base, file) if base else upstream_url(dataset, file)


def strip_url_credentials():
    """Public download URLs for params (stored in .snakemake/metadata); a URL that carries
    userinfo or a token reaches its job through the environment instead, and the config the
    jobs see keeps only its public part."""
    public = {}
    for d in ENABLED:
        for e in REGISTRY[d]:
            url = configured_url(d, e.file)
            if url:
                public[(d, e.file)], full = hp_urls.split_credentials(url)
                if full:
                    os.environ[hp_urls.url_env_key(d, e.file)] = full
    for settings in config["datasets"].values():
        if settings.get("base_url"):
            settings["base_url"] = hp_urls.sanitise_url(settings["base_url"])
        urls = settings.get("urls", {})
        settings["urls"] = {f: hp_urls.sanitise_url(u) for f, u in urls.items()}
    return public


PUBLIC_URLS = strip_url_credentials()


def download_url(dataset, file):
    """The public URL of a registered file, or None when the user places it by hand."""
    return PUBLIC_URLS.get((dataset, file))


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
                wildcards.dataset, wildcards.file, Path(RAW, wildcards.dataset)
            )
        )
    return path


def raw_identity(wildcards):
    """A verify param: the raw file's identity now (humanprep.acquire.identity)."""
    return hp_identity.identity_key(Path(RAW, wildcards.dataset, wildcards.file))


def verified(dataset):
    return [f"{RESULTS}/verified/{dataset}/{e.file}.json" for e in REGISTRY[dataset]]


def unpack_inputs(wildcards):
    entry = entry_for_stem(wildcards.dataset, wildcards.archive)
    return {
        "archive": f"{RAW}/{wildcards.dataset}/{entry.file}",
        "verified": f"{RESULTS}/verified/{wildcards.dataset}/{entry.file}.json",
        "agreement": f"{RESULTS}/agreements/{wildcards.dataset}.json",
    }


def read_in_place(dataset, stem):
    """Plain tars and unencrypted zips are read in place through an index; encrypted zips
    (7-Zip decrypts fastest) and compressed tars (cannot seek) are extracted."""
    file = entry_for_stem(dataset, stem).file
    if file.endswith(".zip"):
        return DESCRIPTORS[dataset].password_env is None
    return file.endswith(".tar")


def unpacked(dataset):
    """Per archive: its member index (read in place) or its extracted tree."""
    return [
        f"{RESULTS}/{'indexed' if read_in_place(dataset, a) else 'unpacked'}/{dataset}/{a}"
        for a in archives(dataset)
    ]


def unpacked_output(path):
    """Extracted trees are temporary (deleted once normalised) unless keep_unpacked."""
    return directory(path) if config["keep_unpacked"] else temp(directory(path))


def side_files(dataset):
    return [f"{RAW}/{dataset}/{e.file}" for e in entries(dataset, ("file",))]


def needed_passwords():
    """(dataset, variable) of the enabled datasets whose archives are encrypted."""
    return [(d, password_env(d)) for d in ENABLED if password_env(d)]


def missing_passwords():
    """Passwords neither exported nor left to a passwords file: checked when jobs are
    about to run (onstart), so a dry run needs none."""
    return hp_preflight.missing_passwords(needed_passwords(), config["passwords_file"])


def password_envvars():
    """Password variables passed on to jobs (`envvars:`): those set. A missing one is
    reported by onstart in one line, before any job; Snakemake's own check would stop
    dry runs too, naming the variable only."""
    missing = {var for _, var in missing_passwords()}
    return [var for _, var in needed_passwords() if var not in missing]


def shard_outputs(dataset, suffix):
    return [
        f"{RESULTS}/normalised/{dataset}/{s}.{suffix}" for s in shard_names(dataset)
    ]


def normalise_options(dataset):
    return config["normalise"].get(dataset, {})


def derived_shards(subset, suffix):
    """A derived subset's per-shard files; `subset` is its folder, <dataset>-<name>."""
    dataset = subset.split("-", 1)[0]
    return [f"{RESULTS}/derived/{subset}/{s}.{suffix}" for s in shard_names(dataset)]


def derived_folders(subset):
    """The per-shard folders of files beside a derived subset's shard indexes."""
    return folders_beside(derived_shards(subset, "jsonl"))


def subset_shards(name, suffix):
    """Input function: the shard files of subset `name` of the {dataset} wildcard's dataset."""

    def shards(wildcards):
        return derived_shards(f"{wildcards.dataset}-{name}", suffix)

    return shards


def owners(subset):
    """Wildcard constraint: the dataset(s) whose descriptor derives `subset`."""
    return "|".join(d for d, s in hp_datasets.subsets() if s.name == subset)


def subset_owner(subset):
    """The enabled dataset deriving `subset` (the first; None when none is enabled)."""
    return next((d for d, s in enabled_subsets() if s.name == subset), None)


def subset_title(subset):
    """How the report names a derived subset (its descriptor's Derived.title)."""
    return DESCRIPTORS[hp_datasets.owner(subset)].subset(subset).title


def subset_wanted(subset):
    """Whether a subset is made (some need their config switch on)."""
    if not subset.option:
        return True
    section, key = subset.option.split(".")
    return bool(config[section][key])


def enabled_subsets():
    """(dataset, Derived) of the enabled datasets, in dataset order."""
    return [
        (d, s) for d, s in hp_datasets.subsets() if d in ENABLED and subset_wanted(s)
    ]


def subset_if_enabled(name, suffix):
    """The subset `name`'s per-shard files (or its summary, suffix "summary") when its
    dataset is enabled; none otherwise."""
    for d, s in enabled_subsets():
        if s.name == name:
            if suffix == "summary":
                return [f"{RESULTS}/derived/{d}-{name}/summary.json"]
            return derived_shards(f"{d}-{name}", suffix)
    return []


def derived_targets():
    """Summaries (or, without one, shard indexes) of the derived subsets of enabled datasets."""
    targets = []
    for d, s in enabled_subsets():
        if s.summary:
            targets.append(f"{RESULTS}/derived/{d}-{s.name}/summary.json")
        else:
            targets += derived_shards(f"{d}-{s.name}", "jsonl")
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
    return [f"{RESULTS}/coco/{d}" for d in chosen if DESCRIPTORS[d].coco]


def folder_of(name, absent=None):
    """A param: the folder holding the rule's (first) `name` input (derived from the input, so
    lint and remote file systems see the path come from the DAG); `absent` where a job has
    no such input."""

    def folder(wildcards, input):
        if absent is not None and name not in input.keys():
            return absent
        value = input[name]
        return str(Path(value if isinstance(value, str) else value[0]).parent)

    return folder


def shard_folders(dataset):
    """The normalised shard folders (shard-NNNNN/) beside a dataset's record files."""
    return folders_beside(shard_outputs(dataset, "jsonl"))


def folders_beside(jsonl_paths):
    """The folder of files each shard index (shard-NNNNN.jsonl) has beside it."""
    return [p[: -len(".jsonl")] for p in jsonl_paths]


def sheet_inputs(wildcards):
    """What a dataset's contact sheet draws: its records and files, and the derived
    subsets its descriptor names (CelebA: sketch maps; HuGe100K: views)."""
    d = wildcards.dataset
    # Every sheet waits for its dataset's validated summary: that also puts all sheets at one
    # depth of the DAG, so the report's rule graph shows report_sheet once.
    inputs = {
        "records": shard_outputs(d, "jsonl"),
        "files": shard_folders(d),
        "summary": f"{RESULTS}/normalised/{d}/summary.json",
    }
    for name in DESCRIPTORS[d].sheet_derived:
        inputs[name] = derived_shards(f"{d}-{name}", "jsonl")
        if DESCRIPTORS[d].subset(name).files:
            inputs[f"{name}_files"] = derived_folders(f"{d}-{name}")
    return inputs


# Wildcard constraint: the datasets whose descriptor names a COCO exporter.
COCO_DATASETS = "|".join(d.name for d in DESCRIPTORS.values() if d.coco)


def coco_inputs(wildcards):
    """What a dataset's COCO export reads: its records, the shard folders unless its
    descriptor says the records suffice, and the derived subsets it also exports."""
    d = DESCRIPTORS[wildcards.dataset]
    return {
        "records": shard_outputs(d.name, "jsonl"),
        # Exported only once the dataset's records are validated (this also puts every
        # coco job at one depth of the DAG, so the report's rule graph shows coco once).
        "summary": f"{RESULTS}/normalised/{d.name}/summary.json",
        "derived": [
            p
            for name in d.coco_derived
            for p in derived_shards(f"{d.name}-{name}", "jsonl")
        ],
        "files": shard_folders(d.name) if d.coco_reads_files else [],
    }


def report_targets():
    """The report's pictures and pages (`snakemake --report`) for the enabled datasets."""
    targets = [f"{RESULTS}/report/sheets/{d}.png" for d in ENABLED]
    for _, subset in enabled_subsets():
        targets += [f"{RESULTS}/report/{page}" for page in subset.report]
    charts = ("stages", "categories", "fullbody_reasons", "licences")
    targets += [f"{RESULTS}/report/charts/{c}.png" for c in charts]
    return targets + [
        f"{RESULTS}/report/quarantine/reasons.png",
        f"{RESULTS}/report/quarantine/examples.html",
        f"{RESULTS}/report/throughput/items_per_s.png",
        f"{RESULTS}/report/throughput/stages.html",
        f"{RESULTS}/report/release/{RELEASE_NAME}.html",
        f"{RESULTS}/report/headline.html",
        f"{RESULTS}/report/dedup/pairs.png",
        f"{RESULTS}/report/dedup/matrix.png",
    ]


def final_targets():
    return [f"{RESULTS}/release/{RELEASE_NAME}.json", f"{RESULTS}/dedup/summary.json"]


def release_dedup():
    """The dedup results a release reads when its dedup policy drops anything."""
    if config["release"]["dedup"] == "none":
        return []
    return [f"{RESULTS}/dedup/pairs.jsonl", f"{RESULTS}/dedup/clusters.jsonl"]


def registry_sha256(dataset):
    """Digest of the registry the run verifies against: what an acceptance is bound to."""
    return hp_registry.registry_digest(
        hp_registry.load_registry(registry_path(dataset))
    )


def accept_registry_dir():
    """The registry the fix-it line names: none when it is `humanprep accept`'s default."""
    return registry_dir() if config["registry_dir"] or config["demo"] else None


def acceptance_problems():
    lines = []
    for d in ENABLED:
        if REGISTRY[d]:
            try:
                hp_gate.check_acceptance(
                    d,
                    config["agreements"].get(d),
                    terms_path(d),
                    registry_sha256(d),
                    accept_registry_dir(),
                )
            except HumanprepError as err:
                lines.append(f"{d}: {err}")
    return lines


def missing_file_problems():
    return [
        hp_registry.missing_message(d, file, Path(RAW, d))
        + f" Not using {d}? Set datasets: {{{d}: {{enabled: false}}}} in your config."
        for d, file in (m.split("/", 1) for m in MISSING)
    ]


def empty_dataset_problems():
    """Enabled datasets with no registered item (HuGe100K publishes no file names, so trust
    on first use finds nothing): stopped here, or they would run as 0 items."""
    lines, unreadable = [], {p.split(":", 1)[0] for p in REGISTRY_PROBLEMS}
    for d in ENABLED:
        if d in unreadable:
            continue  # already said
        line = hp_preflight.nothing_registered(
            d, REGISTRY[d], registry_path(d), local_registry_path(d), RAW
        )
        if line:
            lines.append(line)
    return lines


# Before Snakemake starts planning: tens of thousands of jobs take it minutes and GBs.
preflight(
    hp_preflight.check_plan,
    {d: n_shards(d) for d in ENABLED},
    {d: 1 + sum(1 for dd, _ in enabled_subsets() if dd == d) for d in ENABLED},
    config["max_jobs"],
)

MISSING = missing_raw_files()
PROBLEMS = (
    REGISTRY_PROBLEMS
    + empty_dataset_problems()
    + missing_file_problems()
    + acceptance_problems()
)
if PROBLEMS:
    # Everything a user must fix, up front and all at once (dry runs too), before any job.
    raise WorkflowError(
        f"humanprep: {len(PROBLEMS)} problem(s) to fix before anything runs"
        + (f" ({len(MISSING)} raw file(s) missing from {RAW})" if MISSING else "")
        + ":\n"
        + "\n".join(f"  - {line}" for line in PROBLEMS)
    )


onstart:
    # Deterministic failures recorded by an earlier run are tried afresh in this one.
    hp_failures.clear(f"{RESULTS}/logs")
    if missing_passwords():
        print(
            hp_preflight.missing_password_message(missing_passwords()),
            file=sys.stderr,
        )
        sys.exit(1)
    found = hp_slurm.placeholders(hp_slurm.site_values(workflow))
    if found and workflow.executor_plugin.name == "slurm":
        # One line, before any job is submitted.
        print(hp_slurm.placeholder_message(found), file=sys.stderr)
        sys.exit(1)


if config["demo"]:
    # The demo exports its documented passwords into its own environment; they are
    # read inside the unpack script, never passed as params or on a command line.
    for _d in DESCRIPTORS.values():
        if _d.demo_password:
            os.environ.setdefault(_d.password_env, _d.demo_password)
