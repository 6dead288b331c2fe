"""The shard plan streamed through per-shard files: the same manifests as splitting a
list, and an id met twice (FDH members of one key apart in a tar) gets its files merged."""

from humanprep.io import read_json, read_jsonl
from humanprep.shards import shard_name, split_into_shards
from humanprep.stages.plan_shards import MANIFEST, shard_entries, write_plan


def test_streamed_plan_matches_split_and_merges_repeats(tmp_path):
    ids = [f"{i:07d}" for i in range(500)]
    entries = [{"id": i, "files": {"image.png": f"{i}.png"}} for i in ids]
    entries.append({"id": ids[7], "files": {"mask.png": "late.png"}})  # the key again
    plan = write_plan(tmp_path / "plan", "fdh", iter(entries), {}, 7)
    expected = split_into_shards(ids, 7)
    assert plan["items"] == 500
    for index, shard_ids in enumerate(expected):
        rows = shard_entries(tmp_path / "plan", plan, shard_name(index))
        assert [r["id"] for r in rows] == shard_ids
        assert plan["shard_items"][shard_name(index)] == len(shard_ids)
    # one manifest for all shards, each shard's lines where plan.json says
    assert sorted((tmp_path / "plan").iterdir()) == [
        tmp_path / "plan" / n for n in (MANIFEST, "plan.json")
    ]
    merged = [r for r in read_jsonl(tmp_path / "plan" / MANIFEST) if r["id"] == ids[7]]
    assert merged == [
        {"id": ids[7], "files": {"image.png": f"{ids[7]}.png", "mask.png": "late.png"}}
    ]
    assert read_json(tmp_path / "plan" / "plan.json") == plan
    assert not list((tmp_path / "plan").glob(".*.part"))


# -- humanprep.plan: what a run plans, from small configs with hand-known answers ----------

import copy  # noqa: E402
import os  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import pytest  # noqa: E402

from humanprep import plan, preflight, settings  # noqa: E402
from humanprep.acquire.urls import url_env_key  # noqa: E402
from humanprep.datasets import DATASETS  # noqa: E402

SCHEMA = settings.schema()  # the config schema with the datasets' parts, as a run reads it
HEADER = "file\tsize\tsha256\tmd5\titems\tkind\n"
# fdh: two plain tars (5 + 4 items) and a side file; deepfashion2: an encrypted zip and a
# gzipped tar (extracted), 3 + 2 items
REGISTRIES = {
    "fdh": [("a.tar", 5, "tar"), ("b.tar", 4, "tar"), ("metadata.json", 0, "file")],
    "deepfashion2": [("train.zip", 3, "zip"), ("extra.tar.gz", 2, "tar")],
}
NO_WORKFLOW = SimpleNamespace(executor_plugin=None, is_main_process=True)


def small_config(tmp_path, enabled=("fdh", "deepfashion2"), **top):
    registry = tmp_path / "registry"
    registry.mkdir(exist_ok=True)
    for dataset, files in REGISTRIES.items():
        rows = "".join(f"{f}\t10\t{'0' * 64}\t\t{n}\t{k}\n" for f, n, k in files)
        (registry / f"{dataset}.tsv").write_text(HEADER + rows)
    config = {
        "registry_dir": str(registry),
        "raw_dir": str(tmp_path / "raw"),
        "results": "res",
        "shard_size": 4,
        "local_registry_dir": "",
        "datasets": {d: {"enabled": d in enabled} for d in DATASETS},
        **top,
    }
    preflight.check_config(config, SCHEMA)  # the schema's defaults filled in, as a run does
    return config


def wc(**values):
    return SimpleNamespace(**values)


def test_shards_follow_the_registered_items(tmp_path):
    p = plan.Plan(small_config(tmp_path), tmp_path)
    assert p.enabled == ["fdh", "deepfashion2"]
    assert p.n_shards("fdh") == 3  # 9 items, 4 per shard
    assert p.n_shards("deepfashion2") == 2  # 5 items
    assert p.shard_outputs("deepfashion2", "jsonl") == [
        "res/normalised/deepfashion2/shard-00000.jsonl",
        "res/normalised/deepfashion2/shard-00001.jsonl",
    ]
    assert p.shard_folders("deepfashion2") == [
        "res/normalised/deepfashion2/shard-00000",
        "res/normalised/deepfashion2/shard-00001",
    ]
    assert len(p.all_shard_outputs("jsonl")) == 5


def test_a_dataset_shard_size_overrides_the_global_one(tmp_path):
    config = small_config(tmp_path)
    config["datasets"]["fdh"]["shard_size"] = 2
    assert plan.Plan(config, tmp_path).n_shards("fdh") == 5  # 9 items, 2 per shard


def test_plain_tars_are_indexed_other_archives_extracted(tmp_path):
    p = plan.Plan(small_config(tmp_path), tmp_path)
    raw = tmp_path / "raw"
    assert p.archives("fdh") == ["a", "b"]
    assert p.unpacked("fdh") == ["res/indexed/fdh/a", "res/indexed/fdh/b"]
    # an encrypted zip and a compressed tar are extracted
    assert p.unpacked("deepfashion2") == [
        "res/unpacked/deepfashion2/extra",
        "res/unpacked/deepfashion2/train",
    ]
    assert p.side_files("fdh") == [f"{raw}/fdh/metadata.json"]
    assert p.unpack_inputs(wc(dataset="deepfashion2", archive="extra")) == {
        "archive": f"{raw}/deepfashion2/extra.tar.gz",
        "verified": "res/verified/deepfashion2/extra.tar.gz.json",
        "agreement": "res/agreements/deepfashion2.json",
    }
    assert p.verified("fdh") == [
        "res/verified/fdh/a.tar.json",
        "res/verified/fdh/b.tar.json",
        "res/verified/fdh/metadata.json.json",
    ]


def test_credentials_reach_only_the_download_environment(tmp_path, monkeypatch):
    config = small_config(tmp_path, enabled=("fdh",))
    config["datasets"]["fdh"]["base_url"] = "https://u:pw@host.example/fdh?token=t0k"
    config["datasets"]["fdh"]["urls"] = {"metadata.json": "https://host.example/m.json"}
    given, environ = copy.deepcopy(config), dict(os.environ)
    p = plan.Plan(config, tmp_path, NO_WORKFLOW)
    assert p.download_url("fdh", "a.tar") == "https://host.example/fdh/a.tar"
    assert p.download_url("fdh", "metadata.json") == "https://host.example/m.json"
    assert p.downloads == ["fdh/a.tar", "fdh/b.tar", "fdh/metadata.json"]
    assert p.url_credentials() == {
        url_env_key("fdh", "a.tar"): "https://u:pw@host.example/fdh/a.tar?token=t0k",
        url_env_key("fdh", "b.tar"): "https://u:pw@host.example/fdh/b.tar?token=t0k",
    }
    public = plan.public_config(config)
    assert public["datasets"]["fdh"]["base_url"] == "https://host.example/fdh"
    assert "pw" not in repr(public) and "t0k" not in repr(public)
    # planning changed neither the config given nor the environment
    assert config == given and dict(os.environ) == environ
    # the run's start hands the full URLs to the jobs' environment, and nothing else secret
    monkeypatch.delenv("HUMANPREP_RUN_STARTED", raising=False)
    settings = SimpleNamespace(default_resources=None, overwrite_resources=None)
    p.workflow = SimpleNamespace(resource_settings=settings, executor_settings=None)
    monkeypatch.chdir(tmp_path)
    assert p.start() == ""
    added = {k: v for k, v in os.environ.items() if environ.get(k) != v}
    for key in [*p.url_credentials(), "HUMANPREP_RUN_STARTED"]:
        monkeypatch.delenv(key)
    assert set(added) == {*p.url_credentials(), "HUMANPREP_RUN_STARTED"}


def test_the_demo_makes_what_it_does_not_fetch(tmp_path):
    config = small_config(tmp_path, demo=True)
    config["datasets"]["fdh"]["base_url"] = "http://127.0.0.1:9/fdh"
    p = plan.Plan(config, tmp_path)
    assert p.demo_datasets() == ["deepfashion2"]
    assert p.demo_files() == [
        f"{tmp_path}/raw/deepfashion2/extra.tar.gz",
        f"{tmp_path}/raw/deepfashion2/train.zip",
    ]
    assert p.missing_raw_files() == []
    assert plan.Plan(small_config(tmp_path), tmp_path).demo_datasets() == []


def test_missing_files_are_listed_before_anything_runs(tmp_path):
    config = small_config(tmp_path, enabled=("deepfashion2",))
    (tmp_path / "raw" / "deepfashion2").mkdir(parents=True)
    (tmp_path / "raw" / "deepfashion2" / "train.zip").write_bytes(b"x")
    p = plan.Plan(config, tmp_path)
    assert p.missing_raw_files() == ["deepfashion2/extra.tar.gz"]
    report = p.problem_report()
    # the missing file, and the missing acceptance of the dataset's terms
    assert report.startswith("humanprep: 2 problem(s) to fix before anything runs (1 raw")
    assert "extra.tar.gz" in report and "deepfashion2" in report


def test_an_unreadable_registry_is_one_problem(tmp_path):
    config = small_config(tmp_path, enabled=("celeba",))
    p = plan.Plan(config, tmp_path)
    assert p.registry == {"celeba": []}
    assert p.problems()[0] == [f"celeba: {tmp_path}/registry/celeba.tsv: " + (
        "checksum registry not found; record the files you hold with "
        "`humanprep register <dataset> FILE... --items N` (see README, Using real data)"
    )]  # fmt: skip


def test_passwords_the_user_must_give(tmp_path):
    real = plan.Plan(small_config(tmp_path, enabled=("shhq", "deepfashion2", "fdh")), tmp_path)
    needed = [
        ("shhq", "HUMANPREP_SHHQ_PASSWORD"),
        ("deepfashion2", "HUMANPREP_DEEPFASHION2_PASSWORD"),
    ]
    assert real.needed_passwords() == needed
    environ = {"HUMANPREP_SHHQ_PASSWORD": "x"}
    assert real.missing_passwords(environ) == needed[1:]
    assert real.password_envvars(environ) == ["HUMANPREP_SHHQ_PASSWORD"]
    # the demo's archives open with its documented passwords, read inside the job
    demo = plan.Plan(small_config(tmp_path, enabled=("shhq",), demo=True), tmp_path)
    assert demo.needed_passwords() == []
    assert demo.missing_passwords({}) == []


def test_resources_from_sizes_and_attempts(tmp_path):
    assert plan.size_runtime(100e9, 1) == 17  # 1000 s at 100 MB/s: 16.7 min
    assert plan.size_runtime(None, 1) == 17  # unknown size: timed as 100 GB
    assert plan.size_runtime(1, 1) == 10  # at least 10 minutes
    assert plan.size_runtime(100e9, 2, mb_per_s=50) == 68
    config = small_config(tmp_path, shard_size=2000)
    p = plan.Plan(config, tmp_path, NO_WORKFLOW)
    # DeepFashion2 plans 0.01 s an item: 3 x 0.01 s x 2000 items = 60 s, raised to 10 min;
    # doubled per retry
    runtime = p.shard_job_runtime()
    assert runtime(wc(dataset="deepfashion2"), 1, "normalise") == 10
    assert p.shard_runtime("deepfashion2", 3) == 40
    config["datasets"]["deepfashion2"]["shard_size"] = 45000  # 1350 s: 22.5 min
    assert p.shard_runtime("deepfashion2", 1) == 23
    assert p.shard_runtime("deepfashion2", 1, factor=0.5) == 12  # 675 s: 11.25 min
    # outside SLURM a retry asks for no more time nor memory than the first attempt
    assert p.time_attempt("normalise", wc(dataset="deepfashion2"), 3) == 1
    assert p.shard_job_mem_mb(wc(dataset="deepfashion2"), 3, "normalise") == 1000


def test_derived_subsets_of_enabled_datasets(tmp_path):
    config = small_config(tmp_path, enabled=("deepfashion2",))
    p = plan.Plan(config, tmp_path)
    fullbody = "res/derived/deepfashion2-fullbody"
    assert p.subset_if_enabled("fullbody", "jsonl") == [
        f"{fullbody}/shard-00000.jsonl",
        f"{fullbody}/shard-00001.jsonl",
    ]
    assert p.subset_if_enabled("fullbody", "summary") == [f"{fullbody}/summary.json"]
    assert p.subset_if_enabled("composite", "jsonl") == []  # SHHQ's: not enabled
    assert p.subset_shards("fullbody", "decisions.jsonl")(wc(dataset="deepfashion2")) == [
        f"{fullbody}/shard-00000.decisions.jsonl",
        f"{fullbody}/shard-00001.decisions.jsonl",
    ]
    assert p.release_derived() == [f"{fullbody}/summary.json"]
    assert p.release_coco() == ["res/coco/deepfashion2"]
    assert plan.owners("fullbody") == "deepfashion2"


def test_release_and_report_targets(tmp_path):
    config = small_config(tmp_path, enabled=("fdh",))
    config["release"].update(name="r", version="1")
    p = plan.Plan(config, tmp_path)
    assert p.final_targets() == ["res/release/r-1.json", "res/dedup/summary.json"]
    targets = p.report_targets()
    assert "res/report/sheets/fdh.png" in targets
    assert "res/report/release/r-1.html" in targets
    assert not [t for t in targets if "deepfashion2" in t or "fullbody/" in t]


def test_check_config_fills_the_schemas_defaults(tmp_path):
    config = {"datasets": {"fdh": {"enabled": False}}}
    preflight.check_config(config, SCHEMA)
    # no global shard_size by default: each dataset has its own (humanprep.plan.Plan.shard_size)
    assert "shard_size" not in config and config["max_jobs"] == 20000
    assert config["datasets"]["fdh"]["base_url"] == ""
    assert config["datasets"]["shhq"]["enabled"] is True
    with pytest.raises(preflight.HumanprepError, match="shard_sise: unknown key"):
        preflight.check_config({"shard_sise": 3}, SCHEMA)
