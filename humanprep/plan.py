"""What a run plans, as plain functions of its config: which datasets run, their registries,
shards and files, each rule's inputs and resources, the download URLs, and the checks made
before any job. rules/common.smk builds one `Plan` and hands its lookups to the rules.

Building a Plan changes nothing: neither the config it is given nor the environment.
Registries are read once, when first asked for.
"""

import copy
import functools
import math
import os
import sys
from pathlib import Path

from humanprep import datasets as hp_datasets
from humanprep import shards as hp_shards
from humanprep.errors import HumanprepError

DESCRIPTORS = hp_datasets.DESCRIPTORS
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".zip", ".tar")
# A file whose size nobody published yet is timed as if it were this large (the biggest
# real archive, an FDH licence tar, is about 60 GB).
UNKNOWN_SIZE = 100e9
REPORT_CHARTS = ("stages", "categories", "fullbody_reasons", "licences")


def archive_stem(file):
    for suffix in ARCHIVE_SUFFIXES:
        if file.endswith(suffix):
            return file[: -len(suffix)]
    return file


def size_runtime(file_bytes, attempt, mb_per_s=100):
    """Minutes to stream a file once at a pessimistic rate, at least 10, times the attempt."""
    size = UNKNOWN_SIZE if file_bytes is None else file_bytes
    return max(10, math.ceil(size / 1e6 / mb_per_s / 60)) * attempt


def folders_beside(jsonl_paths):
    """The folder of files each shard index (shard-NNNNN.jsonl) has beside it."""
    return [p[: -len(".jsonl")] for p in jsonl_paths]


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


def folder_of(name, absent=None):
    """A param: the folder holding the rule's (first) `name` input (derived from the input, so
    lint and remote file systems see the path come from the DAG); `absent` where a job has
    no such input."""

    def folder(wildcards, input):
        # a Namedlist: `in` would look among its values
        if absent is not None and name not in input.keys():  # noqa: SIM118
            return absent
        value = input[name]
        return str(Path(value if isinstance(value, str) else value[0]).parent)

    return folder


def normalised_root(wildcards, input):
    """A param: results/normalised/, the folder of the datasets' summary folders."""
    return str(Path(input.summaries[0]).parents[1])


def subset_title(subset):
    """How the report names a derived subset (its descriptor's Derived.title)."""
    return DESCRIPTORS[hp_datasets.owner(subset)].subset(subset).title


def owners(subset):
    """Wildcard constraint: the dataset(s) whose descriptor derives `subset`."""
    return "|".join(d for d, s in hp_datasets.subsets() if s.name == subset)


def coco_datasets():
    """Wildcard constraint: the datasets whose descriptor names a COCO exporter."""
    return "|".join(d.name for d in DESCRIPTORS.values() if d.coco)


def preflight(check, *args):
    """A check made before any job: its failure is one line, then the run stops."""
    try:
        return check(*args)
    except HumanprepError as err:
        stop(f"humanprep: {err}")


def stop(line):
    """End the run with `line` on stderr, when there is one."""
    if line:
        print(line, file=sys.stderr)
        sys.exit(1)


def public_config(config):
    """A copy of `config` whose download URLs keep only their public part: Snakemake writes
    the config into every script job's file and the release records it, while a URL's
    userinfo or token reaches only its download job (Plan.url_credentials)."""
    from humanprep.acquire.urls import sanitise_url

    public = copy.deepcopy(config)
    for settings in public.get("datasets", {}).values():
        if settings.get("base_url"):
            settings["base_url"] = sanitise_url(settings["base_url"])
        if settings.get("urls"):
            settings["urls"] = {f: sanitise_url(u) for f, u in settings["urls"].items()}
    return public


class Plan:
    """The plan of one run, from its validated `config` (not changed) and the workflow's
    folder `root` (registries, terms and code resolve there). `workflow` (Snakemake's)
    answers how a retried SLURM job ended; `code_cache` keeps the code walks between
    parses."""

    def __init__(self, config, root, workflow=None, code_cache=None):
        self.config = config
        self.root = Path(root)
        self.workflow = workflow
        self.code_cache = code_cache
        self.results = config["results"]
        self.raw = config["raw_dir"]
        self.enabled = [d for d in hp_datasets.DATASETS if config["datasets"][d]["enabled"]]
        self.release_name = f"{config['release']['name']}-{config['release']['version']}"
        # The demo registry is complete; real runs complete the published one in the
        # user's overlay.
        self.local_registry = "" if config["demo"] else config["local_registry_dir"]

    # -- files shipped with the workflow ---------------------------------------------------

    def workflow_file(self, rel):
        """A file shipped with the workflow, relative to the working directory when inside it."""
        path = self.root / rel
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def code(self, stage):
        """The sources the rule running scripts/<stage>.py executes (found by following its
        imports): as rule inputs, editing them re-runs what they made, so a release never
        mixes outputs of two code versions."""
        from humanprep import sources

        found = sources.code_inputs(self.root, self.code_cache)[stage]
        return [self.workflow_file(f) for f in found]

    def terms_path(self, dataset):
        from humanprep.acquire import gate

        return self.workflow_file(gate.terms_file(dataset))

    # -- registries ------------------------------------------------------------------------

    def registry_dir(self):
        """The user's registry_dir, or the set shipped with the workflow (upstream or demo)."""
        if self.config["registry_dir"]:
            return Path(self.config["registry_dir"])
        kind = "demo" if self.config["demo"] else "upstream"
        return Path(self.workflow_file(f"registry/{kind}"))

    def registry_path(self, dataset):
        return self.registry_dir() / f"{dataset}.tsv"

    def registry_file(self, dataset):
        return str(self.registry_path(dataset))

    def local_registry_path(self, dataset):
        return str(Path(self.local_registry, f"{dataset}.tsv")) if self.local_registry else ""

    def download_registry(self, wildcards):
        return self.registry_file(wildcards.download.split("/", 1)[0])

    def download_local_registry(self, wildcards):
        return self.local_registry_path(wildcards.download.split("/", 1)[0])

    @functools.cached_property
    def _registries(self):
        """(each enabled dataset's registry, one line per dataset that has none)."""
        from humanprep.acquire import registry

        found, problems = {}, []
        for d in self.enabled:
            try:
                found[d] = registry.merged_registry(
                    self.registry_path(d), self.local_registry_path(d) or None
                )
            except HumanprepError as err:
                found[d], problems = [], [*problems, f"{d}: {err}"]
        return found, problems

    @property
    def registry(self):
        return self._registries[0]

    def entries(self, dataset, kinds=("zip", "tar", "file")):
        return [e for e in self.registry[dataset] if e.kind in kinds]

    def archives(self, dataset):
        """Stems of the archives to unpack (zip/tar); side files are read in place."""
        return [archive_stem(e.file) for e in self.entries(dataset, ("zip", "tar"))]

    def entry_for_file(self, dataset, file):
        return next(e for e in self.registry[dataset] if e.file == file)

    def entry_for_stem(self, dataset, stem):
        archives = self.entries(dataset, ("zip", "tar"))
        return next(e for e in archives if archive_stem(e.file) == stem)

    def acceptance(self, dataset):
        return self.config["agreements"].get(dataset)

    # -- shards ----------------------------------------------------------------------------

    def shard_size(self, dataset):
        """The dataset's own `shard_size` in the config, else the global one, else its
        descriptor's (FDH's small items: 10,000; others 2,000)."""
        own = self.config["datasets"][dataset].get("shard_size")
        return own or self.config.get("shard_size") or DESCRIPTORS[dataset].shard_size

    def n_shards(self, dataset):
        items = sum(e.items for e in self.registry[dataset])
        return hp_shards.shard_count(items, self.shard_size(dataset))

    def shard_names(self, dataset):
        return [hp_shards.shard_name(i) for i in range(self.n_shards(dataset))]

    def shard_outputs(self, dataset, suffix):
        folder = f"{self.results}/normalised/{dataset}"
        return [f"{folder}/{s}.{suffix}" for s in self.shard_names(dataset)]

    def shard_folders(self, dataset):
        """The normalised shard folders (shard-NNNNN/) beside a dataset's record files."""
        return folders_beside(self.shard_outputs(dataset, "jsonl"))

    def all_shard_outputs(self, suffix):
        """The per-shard files of every enabled dataset."""
        return [p for d in self.enabled for p in self.shard_outputs(d, suffix)]

    def all_shard_folders(self):
        return [p for d in self.enabled for p in self.shard_folders(d)]

    def normalise_options(self, dataset):
        return self.config["normalise"].get(dataset, {})

    # -- resources -------------------------------------------------------------------------

    def shard_runtime(self, dataset, attempt, factor=1.0):
        """Minutes for one shard job: 3x the descriptor's measured time per item (times
        `factor` for stages lighter than normalise), at least 10, doubled on each retry."""
        per_item = DESCRIPTORS[dataset].seconds_per_item
        seconds = 3 * factor * per_item * self.shard_size(dataset)
        return max(10, math.ceil(seconds / 60)) * 2 ** (attempt - 1)

    def shard_mem_mb(self, dataset, attempt):
        return DESCRIPTORS[dataset].base_mem_mb * attempt

    def _attempts(self, rulename, wildcards, attempt):
        """(attempt for time, attempt for memory): each grows only after SLURM ended the
        job for that reason (humanprep.slurm.retry_attempts)."""
        from humanprep import slurm

        if attempt == 1:
            return 1, 1
        # a retry: the run has started (onstart), and its jobs inherit when it did
        since = slurm.run_started()
        return slurm.retry_attempts(self.workflow, rulename, wildcards, attempt, since)

    def time_attempt(self, rulename, wildcards, attempt):
        """The attempt number for time: it grows only after SLURM ended the job at its limit."""
        return self._attempts(rulename, wildcards, attempt)[0]

    def mem_attempt(self, rulename, wildcards, attempt):
        """The attempt number for memory: it grows only after a memory kill."""
        return self._attempts(rulename, wildcards, attempt)[1]

    def shard_job_runtime(self, factor=1.0):
        """The runtime resource of a per-shard rule with a {dataset} wildcard."""

        def runtime(wildcards, attempt, rulename):
            tries = self.time_attempt(rulename, wildcards, attempt)
            return self.shard_runtime(wildcards.dataset, tries, factor)

        return runtime

    def subset_runtime(self, subset):
        """The runtime resource of the per-shard rule deriving `subset`."""
        cost = DESCRIPTORS[hp_datasets.owner(subset)].subset(subset).cost
        return self.shard_job_runtime(cost)

    def shard_job_mem_mb(self, wildcards, attempt, rulename):
        """The mem_mb resource of a per-shard rule with a {dataset} wildcard."""
        tries = self.mem_attempt(rulename, wildcards, attempt)
        return self.shard_mem_mb(wildcards.dataset, tries)

    # -- raw files and downloads -----------------------------------------------------------

    def raw_files(self, dataset):
        return [f"{self.raw}/{dataset}/{e.file}" for e in self.registry[dataset]]

    def raw_input(self, wildcards):
        return f"{self.raw}/{wildcards.dataset}/{wildcards.file}"

    def raw_identity(self, wildcards):
        """A verify param: the raw file's identity now (humanprep.acquire.identity)."""
        from humanprep.acquire.identity import identity_key

        return identity_key(Path(self.raw, wildcards.dataset, wildcards.file))

    def _upstream_url(self, dataset, file):
        """The published URL of a file (registry <dataset>.urls.tsv), for one not yet in
        raw_dir."""
        from humanprep.acquire.registry import load_urls

        if self.config["demo"] or Path(self.raw, dataset, file).exists():
            return None
        return load_urls(self.registry_dir() / f"{dataset}.urls.tsv").get(file)

    def _configured_url(self, dataset, file):
        """The URL the config gives a registered file (else the published one), or None when
        it is placed by hand."""
        from humanprep.acquire.urls import join_url

        settings = self.config["datasets"][dataset]
        if file in settings.get("urls", {}):
            return settings["urls"][file]
        base = settings.get("base_url", "")
        return join_url(base, file) if base else self._upstream_url(dataset, file)

    @functools.cached_property
    def _urls(self):
        """{(dataset, file): (public URL, full URL or None)} of the files to download."""
        from humanprep.acquire.urls import split_credentials

        found = {}
        for d in self.enabled:
            for e in self.registry[d]:
                url = self._configured_url(d, e.file)
                if url:
                    found[(d, e.file)] = split_credentials(url)
        return found

    def download_url(self, dataset, file):
        """The public URL of a registered file, or None when the user places it by hand."""
        public, _ = self._urls.get((dataset, file), (None, None))
        return public

    def url_credentials(self):
        """{variable: full URL} for the URLs that carry userinfo or a token: the download job
        reads its URL from there (humanprep.stages.download), never from params."""
        from humanprep.acquire.urls import url_env_key

        return {url_env_key(d, f): full for (d, f), (_, full) in self._urls.items() if full}

    @functools.cached_property
    def downloads(self):
        """<dataset>/<file> of every file fetched from a URL."""
        return sorted(f"{d}/{f}" for d, f in self._urls)

    def demo_datasets(self):
        """Datasets the demo generates in place: those not fetched from a (test) server."""
        if not self.config["demo"]:
            return []
        fetched = {d.split("/", 1)[0] for d in self.downloads}
        return [d for d in self.enabled if d not in fetched]

    def demo_files(self):
        return [f for d in self.demo_datasets() for f in self.raw_files(d)]

    def missing_raw_files(self):
        """Files neither present, nor downloaded, nor generated by the demo."""
        made, downloads = set(self.demo_datasets()), set(self.downloads)
        return [
            f"{d}/{e.file}"
            for d in self.enabled
            if d not in made
            for e in self.registry[d]
            if f"{d}/{e.file}" not in downloads and not Path(self.raw, d, e.file).exists()
        ]

    # -- acquisition and unpacking ---------------------------------------------------------

    def verified(self, dataset):
        folder = f"{self.results}/verified/{dataset}"
        return [f"{folder}/{e.file}.json" for e in self.registry[dataset]]

    def unpack_inputs(self, wildcards):
        dataset = wildcards.dataset
        entry = self.entry_for_stem(dataset, wildcards.archive)
        return {
            "archive": f"{self.raw}/{dataset}/{entry.file}",
            "verified": f"{self.results}/verified/{dataset}/{entry.file}.json",
            "agreement": f"{self.results}/agreements/{dataset}.json",
        }

    def read_in_place(self, dataset, stem):
        """Plain tars and unencrypted zips are read in place through an index; encrypted
        zips (7-Zip decrypts fastest) and compressed tars (cannot seek) are extracted."""
        file = self.entry_for_stem(dataset, stem).file
        if file.endswith(".zip"):
            return DESCRIPTORS[dataset].password_env is None
        return file.endswith(".tar")

    def unpacked(self, dataset):
        """Per archive: its member index (read in place) or its extracted tree."""
        return [
            f"{self.results}/{'indexed' if self.read_in_place(dataset, a) else 'unpacked'}"
            f"/{dataset}/{a}"
            for a in self.archives(dataset)
        ]

    def side_files(self, dataset):
        return [f"{self.raw}/{dataset}/{e.file}" for e in self.entries(dataset, ("file",))]

    # -- passwords -------------------------------------------------------------------------

    def needed_passwords(self):
        """(dataset, variable) of the enabled datasets whose archives are encrypted with a
        password the user gives (the demo's own are read inside its unpack jobs)."""
        demo = self.config["demo"]
        return [
            (d, DESCRIPTORS[d].password_env)
            for d in self.enabled
            if DESCRIPTORS[d].password_env and not (demo and DESCRIPTORS[d].demo_password)
        ]

    def missing_passwords(self, environ=None):
        """Passwords neither exported nor left to a passwords file: checked when jobs are
        about to run (onstart), so a dry run needs none."""
        from humanprep.preflight import missing_passwords

        return missing_passwords(self.needed_passwords(), self.config["passwords_file"], environ)

    def password_envvars(self, environ=None):
        """Password variables passed on to jobs (`envvars:`): those set. A missing one is
        reported by onstart in one line, before any job; Snakemake's own check would stop
        dry runs too, naming the variable only."""
        missing = {var for _, var in self.missing_passwords(environ)}
        return [var for _, var in self.needed_passwords() if var not in missing]

    # -- derived subsets -------------------------------------------------------------------

    def derived_shards(self, subset, suffix):
        """A derived subset's per-shard files; `subset` is its folder, <dataset>-<name>."""
        dataset = subset.split("-", 1)[0]
        folder = f"{self.results}/derived/{subset}"
        return [f"{folder}/{s}.{suffix}" for s in self.shard_names(dataset)]

    def derived_folders(self, subset):
        """The per-shard folders of files beside a derived subset's shard indexes."""
        return folders_beside(self.derived_shards(subset, "jsonl"))

    def subset_shards(self, name, suffix):
        """Input function: the shard files of subset `name` of the {dataset} wildcard's
        dataset."""

        def shards(wildcards):
            return self.derived_shards(f"{wildcards.dataset}-{name}", suffix)

        return shards

    def subset_wanted(self, subset):
        """Whether a subset is made (some need their config switch on)."""
        if not subset.option:
            return True
        section, key = subset.option.split(".")
        return bool(self.config[section][key])

    def enabled_subsets(self):
        """(dataset, Derived) of the enabled datasets, in dataset order."""
        return [
            (d, s) for d, s in hp_datasets.subsets() if d in self.enabled and self.subset_wanted(s)
        ]

    def subset_owner(self, subset):
        """The enabled dataset deriving `subset` (the first; None when none is enabled)."""
        return next((d for d, s in self.enabled_subsets() if s.name == subset), None)

    def subset_if_enabled(self, name, suffix):
        """The subset `name`'s per-shard files (or its summary, suffix "summary") when its
        dataset is enabled; none otherwise."""
        for d, s in self.enabled_subsets():
            if s.name == name:
                if suffix == "summary":
                    return [f"{self.results}/derived/{d}-{name}/summary.json"]
                return self.derived_shards(f"{d}-{name}", suffix)
        return []

    def derived_targets(self):
        """Summaries (or, without one, shard indexes) of the derived subsets of enabled
        datasets."""
        targets = []
        for d, s in self.enabled_subsets():
            if s.summary:
                targets.append(f"{self.results}/derived/{d}-{s.name}/summary.json")
            else:
                targets += self.derived_shards(f"{d}-{s.name}", "jsonl")
        return targets

    # -- release ---------------------------------------------------------------------------

    def release_datasets(self):
        chosen = self.config["release"]["datasets"] or self.enabled
        return [d for d in hp_datasets.DATASETS if d in chosen and d in self.enabled]

    def release_derived(self):
        chosen = self.release_datasets()
        return [t for t in self.derived_targets() if Path(t).parent.name.split("-", 1)[0] in chosen]

    def release_coco(self):
        return [f"{self.results}/coco/{d}" for d in self.release_datasets() if DESCRIPTORS[d].coco]

    def release_dedup(self):
        """The dedup results a release reads when its dedup policy drops anything."""
        if self.config["release"]["dedup"] == "none":
            return []
        return [f"{self.results}/dedup/pairs.jsonl", f"{self.results}/dedup/clusters.jsonl"]

    def final_targets(self):
        return [
            f"{self.results}/release/{self.release_name}.json",
            f"{self.results}/dedup/summary.json",
        ]

    # -- report ----------------------------------------------------------------------------

    def sheet_inputs(self, wildcards):
        """What a dataset's contact sheet draws: its records and files, and the derived
        subsets its descriptor names (CelebA: sketch maps; HuGe100K: views)."""
        d = wildcards.dataset
        # Every sheet waits for its dataset's validated summary: that also puts all sheets
        # at one depth of the DAG, so the report's rule graph shows report_sheet once.
        inputs = {
            "records": self.shard_outputs(d, "jsonl"),
            "files": self.shard_folders(d),
            "summary": f"{self.results}/normalised/{d}/summary.json",
        }
        for name in DESCRIPTORS[d].sheet_derived:
            inputs[name] = self.derived_shards(f"{d}-{name}", "jsonl")
            if DESCRIPTORS[d].subset(name).files:
                inputs[f"{name}_files"] = self.derived_folders(f"{d}-{name}")
        return inputs

    def coco_inputs(self, wildcards):
        """What a dataset's COCO export reads: its records, the shard folders unless its
        descriptor says the records suffice, and the derived subsets it also exports."""
        d = DESCRIPTORS[wildcards.dataset]
        return {
            "records": self.shard_outputs(d.name, "jsonl"),
            # Exported only once the dataset's records are validated (this also puts every
            # coco job at one depth of the DAG, so the report's rule graph shows coco once).
            "summary": f"{self.results}/normalised/{d.name}/summary.json",
            "derived": [
                p
                for name in d.coco_derived
                for p in self.derived_shards(f"{d.name}-{name}", "jsonl")
            ],
            "files": self.shard_folders(d.name) if d.coco_reads_files else [],
        }

    def report_targets(self):
        """The report's pictures and pages (`snakemake --report`) for the enabled datasets."""
        report = f"{self.results}/report"
        targets = [f"{report}/sheets/{d}.png" for d in self.enabled]
        for _, subset in self.enabled_subsets():
            targets += [f"{report}/{page}" for page in subset.report]
        targets += [f"{report}/charts/{c}.png" for c in REPORT_CHARTS]
        return [
            *targets,
            f"{report}/quarantine/reasons.png",
            f"{report}/quarantine/examples.html",
            f"{report}/throughput/items_per_s.png",
            f"{report}/throughput/stages.html",
            f"{report}/release/{self.release_name}.html",
            f"{report}/headline.html",
            f"{report}/dedup/pairs.png",
            f"{report}/dedup/matrix.png",
        ]

    # -- checks before the run -------------------------------------------------------------

    def registry_sha256(self, dataset):
        """Digest of the registry the run verifies against: what an acceptance is bound to."""
        from humanprep.acquire import registry

        return registry.registry_digest(registry.load_registry(self.registry_path(dataset)))

    def accept_registry_dir(self):
        """The registry the fix-it line names: none when it is `humanprep accept`'s default."""
        return self.registry_dir() if self.config["registry_dir"] or self.config["demo"] else None

    def acceptance_problems(self):
        from humanprep.acquire import gate

        lines = []
        for d in self.enabled:
            if self.registry[d]:
                try:
                    gate.check_acceptance(
                        d,
                        self.acceptance(d),
                        self.terms_path(d),
                        self.registry_sha256(d),
                        self.accept_registry_dir(),
                    )
                except HumanprepError as err:
                    lines.append(f"{d}: {err}")
        return lines

    def missing_file_problems(self, missing):
        from humanprep.acquire.registry import missing_message

        return [
            missing_message(d, file, Path(self.raw, d))
            + f" Not using {d}? Set datasets: {{{d}: {{enabled: false}}}} in your config."
            for d, file in (m.split("/", 1) for m in missing)
        ]

    def empty_dataset_problems(self):
        """Enabled datasets with no registered item (HuGe100K publishes no file names, so
        trust on first use finds nothing): stopped here, or they would run as 0 items."""
        from humanprep.preflight import nothing_registered

        unreadable = {p.split(":", 1)[0] for p in self._registries[1]}
        lines = []
        for d in self.enabled:
            if d in unreadable:
                continue  # already said
            line = nothing_registered(
                d, self.registry[d], self.registry_path(d), self.local_registry_path(d), self.raw
            )
            if line:
                lines.append(line)
        return lines

    def check_size(self):
        """Before Snakemake starts planning: tens of thousands of jobs take it minutes and
        GBs (humanprep.preflight.check_plan)."""
        from humanprep.preflight import check_plan

        stages = {d: 1 for d in self.enabled}
        for d, _ in self.enabled_subsets():
            stages[d] += 1
        check_plan({d: self.n_shards(d) for d in self.enabled}, stages, self.config["max_jobs"])

    def problems(self):
        """Everything a user must fix before anything runs, one line each: registries that
        cannot be read, datasets with nothing registered, raw files missing, acceptances."""
        missing = self.missing_raw_files()
        lines = [
            *self._registries[1],
            *self.empty_dataset_problems(),
            *self.missing_file_problems(missing),
            *self.acceptance_problems(),
        ]
        return lines, missing

    def problem_report(self):
        """The checks before any job (dry runs too): every problem at once, as the lines of
        one message; "" when there is none."""
        lines, missing = self.problems()
        if not lines:
            return ""
        where = f" ({len(missing)} raw file(s) missing from {self.raw})" if missing else ""
        return (
            f"humanprep: {len(lines)} problem(s) to fix before anything runs{where}:\n"
            + "\n".join(f"  - {line}" for line in lines)
        )

    # -- the start of a run ----------------------------------------------------------------

    def start(self):
        """When jobs are about to run (onstart; never in a dry run): the line that stops the
        run, or "" after handing the jobs what they need through the environment: when this
        run started (SLURM retries count from it) and the full URLs that carry credentials
        (read by their download jobs only)."""
        from humanprep import failures, slurm
        from humanprep.preflight import missing_password_message

        # Deterministic failures recorded by an earlier run are tried afresh in this one.
        failures.clear(f"{self.results}/logs")
        missing = self.missing_passwords()
        if missing:
            return missing_password_message(missing)
        workflow = self.workflow
        found = slurm.placeholders(slurm.site_values(workflow))
        if found and workflow.executor_plugin.name == "slurm":
            return slurm.placeholder_message(found)  # one line, before any job is submitted
        slurm.run_started()
        os.environ.update(self.url_credentials())
        return ""
