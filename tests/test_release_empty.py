"""A release with an empty dataset (nothing released) and an empty derived subset: the
card lists both, the Hugging Face view leaves them out and the card says so, and the
loader says so too (an empty subset is an empty dataset); the rest loads."""

import hashlib

import pytest
import yaml
from storeutil import put
from test_release import TERMS, record, spec, workspace

import humanprep
from humanprep.io import write_json, write_jsonl
from humanprep.release.build import build_release


def df2_record(n, ref, data):
    return {
        "dataset": "deepfashion2",
        "id": f"train/{n:06d}",
        "split": "train",
        "image": {"path": ref, "sha256": hashlib.sha256(data).hexdigest()},
        "license": {"id": "deepfashion2-research-only", "url": None},
        "deepfashion2": {"garments": [], "source": "user", "pair_id": 1},
    }


@pytest.fixture
def release(tmp_path):
    norm = workspace(tmp_path, [record("1"), record("2", split="val")])
    # DeepFashion2: one item, its full-body subset accepted none
    ref = put(norm / "deepfashion2", "shard-00000", "train/000001", "image.png", b"png")
    write_jsonl(norm / "deepfashion2" / "shard-00000.jsonl", [df2_record(1, ref, b"png")])
    fullbody = tmp_path / "derived" / "deepfashion2-fullbody"
    write_jsonl(fullbody / "shard-00000.jsonl", [])
    write_jsonl(fullbody / "shard-00000.decisions.jsonl", [{"id": "train/000001"}])
    write_json(fullbody / "summary.json", {"accepted": 0, "decisions": 1})
    # SHHQ: enabled and accepted, nothing normalised (e.g. every item quarantined)
    (norm / "shhq").mkdir()
    digest = hashlib.sha256(TERMS.encode()).hexdigest()
    s = spec(tmp_path, norm)
    for dataset in ("deepfashion2", "shhq"):
        (tmp_path / "terms" / f"{dataset}.md").write_text(TERMS)
        s["agreements"][dataset] = {**s["agreements"]["fdh"], "terms_sha256": digest}
        s["summaries"][dataset] = {"kept": 0, "quarantined": 0, "removed": 0}
    s["datasets"] = ["shhq", "fdh", "deepfashion2"]
    s["derived"] = {"deepfashion2-fullbody": str(fullbody)}
    s["webdataset"] = True
    dest = tmp_path / "releases" / "t-1.0.0"
    status, counts = build_release(dest, s)
    assert status == "created" and counts == {"shhq": 0, "fdh": 2, "deepfashion2": 1}
    return dest


def card(release):
    text = (release / "README.md").read_text()
    return text, yaml.safe_load(text.split("---\n", 2)[1])


def test_card_lists_the_empty_ones_and_the_view_leaves_them_out(release):
    text, meta = card(release)
    names = [c["config_name"] for c in meta["configs"]]
    assert names == ["deepfashion2", "fdh"]
    assert all(c["data_files"] for c in meta["configs"])
    assert "| shhq | (none: no item released) | 0 |" in text
    assert "No items released, so no config: deepfashion2-fullbody, shhq." in text
    assert "empty_configs" not in meta


def test_datasets_lists_the_configs_with_items(release, monkeypatch):
    """`datasets` reads the card's configs (a config with `data_files: []` made it fail
    with "Expected str 'name', but got: NoneType")."""
    import datasets

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    assert datasets.get_dataset_config_names(str(release)) == ["deepfashion2", "fdh"]


def test_loader_says_a_dataset_is_empty_and_an_empty_subset_is_empty(release):
    with pytest.raises(ValueError, match="no items of dataset 'shhq' in this release"):
        humanprep.load(release, "shhq", "train")
    assert len(humanprep.load(release, "deepfashion2", "train", "fullbody")) == 0
    assert len(humanprep.load(release, "deepfashion2", "train")) == 1
    with pytest.raises(ValueError, match="data without splits is `train`"):
        humanprep.load(release, "deepfashion2", "all")


def test_loader_names_a_missing_release_folder(tmp_path):
    with pytest.raises(ValueError, match="does not exist; give a release folder"):
        humanprep.load(tmp_path / "nope", "fdh", "train")
    with pytest.raises(ValueError, match="is not a release"):
        humanprep.load(tmp_path, "fdh", "train")


def test_card_metadata_and_sections(release):
    text, meta = card(release)
    assert meta["license"] == ["cc-by-2.0", "other"]
    assert meta["license_name"] == "per-dataset-terms"
    assert "deepfashion2: deepfashion2-research-only" in meta["license_details"]
    assert meta["pretty_name"].startswith("t 1.0.0 (")
    assert meta["size_categories"] == ["n<1K"]
    assert "object-detection" in meta["task_categories"]
    assert "accepted each dataset's terms upstream" in meta["extra_gated_prompt"]
    for heading in (
        "## Fields", "## Personal data and consent", "## Known biases and limitations",
        "### Intended use", "### Out-of-scope use", "## Citation",
    ):  # fmt: skip
        assert f"\n{heading}\n" in text, heading
    assert text.count("```bibtex") == 3  # shhq, fdh, deepfashion2
    assert "@inproceedings{ge2019deepfashion2" in text
    assert "Needs `pip install datasets`" in text
