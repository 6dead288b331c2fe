"""A dataset is one folder: a copy of SHHQ's folder under a new name, with its registry and
terms files, builds in the demo with no other file of the workflow changed."""

import re
import shutil

import pytest
import yaml
from conftest import copy_workflow, run_or_fail

from humanprep.datasets import DATASETS
from humanprep.io import read_json, read_jsonl

pytestmark = pytest.mark.e2e

SOURCE, COPY = "shhq", "shhqcopy"
# the key wherever it stands as a word (`"shhq"`, `record["shhq"]`, `composite.shhq`,
# `shhq_composites.png`), but not inside the demo password or the licence id (`-shhq`,
# `shhq-1.0`): the copy's demo writes the same archives, which its registry lists
KEY = re.compile(rf"(?<![A-Za-z0-9-]){SOURCE}(?![A-Za-z0-9-])")


def copy_dataset(work):
    folder = work / "humanprep" / "datasets" / COPY
    shutil.copytree(work / "humanprep" / "datasets" / SOURCE, folder)
    for path in folder.iterdir():
        if path.suffix in (".py", ".yaml", ".json"):
            path.write_text(KEY.sub(COPY, path.read_text()))
    shutil.copy(
        work / "registry" / "demo" / f"{SOURCE}.tsv", work / "registry" / "demo" / f"{COPY}.tsv"
    )
    shutil.copy(work / "terms" / f"{SOURCE}.md", work / "terms" / f"{COPY}.md")


@pytest.mark.timeout(1200)
def test_a_copied_dataset_folder_builds_in_the_demo(tmp_path):
    work = copy_workflow(tmp_path / "humanprep")
    copy_dataset(work)
    # the demo, with only the copy enabled (its acceptance: its folder's demo.yaml)
    config = yaml.safe_load((work / "config" / "config.yaml").read_text())
    config["datasets"] = {d: {"enabled": False} for d in DATASETS}
    (tmp_path / "only-copy.yaml").write_text(yaml.safe_dump(config))
    run_or_fail(work, "--configfile", tmp_path / "only-copy.yaml")

    release = next((work / "releases").iterdir())
    records = [r for p in sorted((release / COPY).glob("shard-*.jsonl")) for r in read_jsonl(p)]
    assert records and {r["dataset"] for r in records} == {COPY}
    assert all(COPY in r for r in records)  # its own sub-record, named by the new key
    summary = read_json(work / "results" / "normalised" / COPY / "summary.json")
    registered = (work / "registry" / "demo" / f"{COPY}.tsv").read_text().splitlines()
    items = int(registered[1].split("\t")[4])  # the registry's item count of the archive
    assert summary["kept"] + summary["quarantined"] + summary.get("removed", 0) == items
    assert len(records) == summary["kept"]
    assert sorted(p.name for p in (release / "coco" / COPY).iterdir())
    assert (release / "derived" / f"{COPY}-composite").is_dir()  # its derived subset
    assert not any((release / d).exists() for d in DATASETS)  # nothing else was built
