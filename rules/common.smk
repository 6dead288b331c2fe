# The lookups the rules call: the planning itself is humanprep/plan.py (unit-tested in
# tests/test_plan.py); here are the config checks, the one Plan of this run, and its names.
import re
import sys
import time
from pathlib import Path

from snakemake.utils import min_version

min_version("9.0")

# The workflow's own folder (this file's parent's parent), not the caller's: used as a
# Snakemake module, code, registries and terms still resolve here.
HP_ROOT = Path(str(workflow.current_basedir)).parent
sys.path.insert(0, str(HP_ROOT))

from humanprep import datasets as hp_datasets  # noqa: E402
from humanprep import plan as hp_plan  # noqa: E402
from humanprep import preflight as hp_preflight  # noqa: E402
from humanprep import settings as hp_settings  # noqa: E402

preflight = hp_plan.preflight
preflight(hp_preflight.check_writable)
# before any Snakemake message, which would format the whole config (aliases expanded)
preflight(hp_preflight.check_config_files, workflow.overwrite_configfiles)
# The demo (demo: true): each dataset folder's part of it (demo.yaml: the acceptance of its
# demo archives, its demo settings), under what the config sets.
if config.get("demo"):
    hp_settings.add_demo_parts(config)
# validates and fills the schema's defaults in, as snakemake.utils.validate: the config
# schema (package data) with each dataset's part (its folder's config.yaml)
preflight(hp_preflight.check_config, config, hp_settings.schema())

# When this run started: the closing line names the release only if built since.
STARTED = time.time()

# The code walks, reused while no source changed (in the working directory's .snakemake).
CODE_CACHE = str(Path(".snakemake", "humanprep", "code-inputs.json").absolute())
PLAN = hp_plan.Plan(config, HP_ROOT, workflow, CODE_CACHE)
# Jobs see the config without URL credentials: Snakemake writes it into every script job's
# file. A credential-bearing URL reaches only its download job (PLAN.start, at onstart).
config = hp_plan.public_config(config)

RESULTS = PLAN.results
RAW = PLAN.raw
RELEASE_NAME = PLAN.release_name
DESCRIPTORS = hp_datasets.DESCRIPTORS
ENABLED = PLAN.enabled

# Before Snakemake starts planning: tens of thousands of jobs take it minutes and GBs.
preflight(PLAN.check_size)
# Everything a user must fix, up front and all at once (dry runs too), before any job.
if PLAN.problem_report():
    raise WorkflowError(PLAN.problem_report())

per_dataset = hp_plan.per_dataset
per_download = hp_plan.per_download
folder_of = hp_plan.folder_of
normalised_root = hp_plan.normalised_root
owners = hp_plan.owners
size_runtime = hp_plan.size_runtime
COCO_DATASETS = hp_plan.coco_datasets()

code = PLAN.code
terms_path = PLAN.terms_path
registry_file = PLAN.registry_file
local_registry_path = PLAN.local_registry_path
download_registry = PLAN.download_registry
download_local_registry = PLAN.download_local_registry
download_url = PLAN.download_url
DOWNLOADS = PLAN.downloads
acceptance = PLAN.acceptance
entry_for_file = PLAN.entry_for_file
entry_for_stem = PLAN.entry_for_stem
raw_input = PLAN.raw_input
raw_identity = PLAN.raw_identity
demo_datasets = PLAN.demo_datasets
demo_files = PLAN.demo_files
verified = PLAN.verified
unpack_inputs = PLAN.unpack_inputs
unpacked = PLAN.unpacked
side_files = PLAN.side_files
n_shards = PLAN.n_shards
shard_outputs = PLAN.shard_outputs
shard_folders = PLAN.shard_folders
normalise_options = PLAN.normalise_options
time_attempt = PLAN.time_attempt
mem_attempt = PLAN.mem_attempt
shard_job_runtime = PLAN.shard_job_runtime
shard_job_mem_mb = PLAN.shard_job_mem_mb
subset_runtime = PLAN.subset_runtime
subset_shards = PLAN.subset_shards
subset_if_enabled = PLAN.subset_if_enabled
subset_owner = PLAN.subset_owner
subset_title = hp_plan.subset_title
derived_folders = PLAN.derived_folders
release_datasets = PLAN.release_datasets
release_derived = PLAN.release_derived
release_coco = PLAN.release_coco
release_dedup = PLAN.release_dedup
sheet_inputs = PLAN.sheet_inputs
coco_inputs = PLAN.coco_inputs
final_targets = PLAN.final_targets
report_targets = PLAN.report_targets
password_envvars = PLAN.password_envvars


def password_env(dataset):
    return DESCRIPTORS[dataset].password_env


def unpacked_output(path):
    """Extracted trees are temporary (deleted once normalised) unless keep_unpacked."""
    return directory(path) if config["keep_unpacked"] else temp(directory(path))


onstart:
    # Before any job (never in a dry run): a missing password or a SLURM placeholder stops
    # the run in one line; else the jobs get what they read from the environment.
    hp_plan.stop(PLAN.start())
