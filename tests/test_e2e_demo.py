"""The whole workflow on the embedded demo: outputs checked against the demo's design."""

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from humanprep.datasets import DATASETS, DEMO_PASSWORDS
from humanprep.io import read_jsonl
from humanprep.normalise.summary import record_schema

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


def _records(work, dataset):
    folder = Path(work, "results", "normalised", dataset)
    return [r for p in sorted(folder.glob("shard-*[0-9].jsonl")) for r in read_jsonl(p)]


def test_every_dataset_normalised_and_valid(demo_run):
    work = demo_run[0]
    validator = jsonschema.Draft202012Validator(record_schema())
    for dataset in DATASETS:
        records = _records(work, dataset)
        assert records, dataset
        for record in records:
            assert not list(validator.iter_errors(record)), record["id"]
            assert Path(work, "results", "normalised", dataset, record["image"]["path"]).is_file()
        summary = json.loads(
            Path(work, "results", "normalised", dataset, "summary.json").read_text()
        )
        assert summary["kept"] == len(records)


def test_shards_follow_the_registry(demo_run):
    work = demo_run[0]
    for dataset in DATASETS:
        plan = json.loads(Path(work, "results", "shards", dataset, "plan.json").read_text())
        assert sum(plan["shard_items"].values()) == plan["items"]
        assert plan["n_shards"] >= 2  # the demo's tiny shards exercise sharding


def test_no_password_anywhere(demo_run):
    work = demo_run[0]
    for password in DEMO_PASSWORDS.values():
        for folder in (".snakemake", "results"):
            hits = subprocess.run(
                ["grep", "-rIl", "--", password, folder],
                cwd=work,
                capture_output=True,
                text=True,
            )
            # results/demo/raw holds the encrypted archives: binary, so -I skips them
            assert hits.stdout == "", f"{password!r} found in {hits.stdout}"


def test_rerun_is_a_no_op(demo_run):
    from conftest import snakemake

    work = demo_run[0]
    res = snakemake(work, "-n")
    assert res.returncode == 0, res.stderr
    assert "Nothing to be done" in res.stdout + res.stderr


def test_fdh_downloaded_and_resumed(demo_run):
    from conftest import DROPPED

    work, _, server, served = demo_run
    for path, data in served.items():
        local = Path(work, "results", "demo", "raw", path.lstrip("/"))
        assert local.read_bytes() == data, path
        assert not local.with_name(local.name + ".part").exists()
    # the dropped transfer resumed: its bytes crossed the wire once, not twice
    assert server.bytes_served[DROPPED] == len(served[DROPPED])
    assert server.gets[DROPPED] == 2
    ranged = [e for e in server.log if e["path"] == DROPPED and e.get("range")]
    assert ranged and ranged[0]["range"] == f"bytes={len(served[DROPPED]) // 2}-"
    log = Path(work, "results", "logs", "download", "fdh", DROPPED.rsplit("/", 1)[1] + ".log")
    assert "done" in log.read_text()
