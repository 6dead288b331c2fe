"""The demo release loads as it is with the tools people use: Hugging Face `datasets`
(every config and split of the card), `webdataset` and `datasets` on the tars, pycocotools,
and `humanprep.load`; the card's own "How to load" snippets run as printed."""

import glob
import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml
from PIL import Image

from humanprep.datasets import DESCRIPTORS
from humanprep.io import read_jsonl

pytestmark = pytest.mark.e2e

RELEASE = Path("releases", "humanprep-demo-0.1.0")
DATASETS = tuple(sorted(DESCRIPTORS))  # the order of configs and record sets
OFFLINE = {"HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}


@pytest.fixture(scope="module")
def release(plain_run):
    return plain_run[0] / RELEASE


@pytest.fixture(scope="module")
def hf_env(tmp_path_factory):
    """datasets offline, with a cache of its own.

    `datasets` reads HF_DATASETS_CACHE once, at import, so every call also passes
    cache_dir: a cache left by an earlier run holds image paths that no longer exist.
    """
    cache = tmp_path_factory.mktemp("hf-cache")
    env = {**OFFLINE, "HF_HOME": str(cache), "HF_DATASETS_CACHE": str(cache / "datasets")}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    yield env
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def card_yaml(release):
    text = (release / "README.md").read_text()
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


def records(release, dataset):
    return [
        r for p in sorted((release / dataset).glob("shard-*[0-9].jsonl")) for r in read_jsonl(p)
    ]


def hf_split(split):
    return "train" if split == "all" else split


def source_rows(release, config):
    """{hf split: [(row, folder its paths are relative to)]} straight from the release files."""
    dataset, _, subset = config.partition("-")
    recs = records(release, dataset)
    if not subset:
        rows, base = recs, release / dataset
    else:
        folder = release / "derived" / config
        rows = [r for p in sorted(folder.glob("shard-*[0-9].jsonl")) for r in read_jsonl(p)]
        base = release / dataset if subset in ("fullbody", "views") else folder
    split_of = {r["id"]: r["split"] for r in recs}
    out = {}
    for row in rows:
        out.setdefault(hf_split(split_of[row["id"]]), []).append(row)
    return out, base


def without_nulls(value):
    """A record with null fields left out: the typed view has every field of the schema,
    null where a record leaves an optional one out."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def same_pixels(decoded, path):
    with Image.open(path) as im:
        return decoded.size == im.size and decoded.tobytes() == im.tobytes()


def test_card_names_one_config_per_dataset_and_subset(release):
    meta = card_yaml(release)
    names = [c["config_name"] for c in meta["configs"]]
    subsets = sorted(p.name for p in (release / "derived").iterdir())
    assert names == sorted([*DATASETS, *subsets])
    assert [i["config_name"] for i in meta["dataset_info"]] == names


def test_datasets_loads_every_config_typed_with_images(release, hf_env):
    import datasets

    meta = card_yaml(release)
    for info in meta["dataset_info"]:
        config = info["config_name"]
        expected, base = source_rows(release, config)
        card_counts = {s["name"]: s["num_examples"] for s in info["splits"]}
        assert card_counts == {s: len(rows) for s, rows in expected.items()}, config
        for split, rows in expected.items():
            ds = datasets.load_dataset(
                str(release), config, split=split, cache_dir=hf_env["HF_DATASETS_CACHE"]
            )
            assert len(ds) == len(rows), (config, split)
            row, source = ds[0], rows[0]
            assert row["id"] == source["id"]
            if "image_info" in row:  # a record: every field as in the release's file
                got = {k: v for k, v in row.items() if k not in ("image", "image_info")}
                got["image"] = row["image_info"]
                assert without_nulls(got) == without_nulls(source), config
                assert same_pixels(row["image"], base / source["image"]["path"])
            for key, value in source.items():
                if isinstance(value, str) and value.endswith((".png", ".jpg")):
                    assert same_pixels(row[key], base / value), (config, key)
            if config.endswith("-views"):
                view = row["views"][3]
                assert view["w2c"] == source["views"][3]["w2c"]
                assert same_pixels(view["image"], base / source["views"][3]["image"])


def test_datasets_types_fields_null_in_some_records(release, hf_env):
    """The cast error users met: fields null in the first rows and strings later."""
    import datasets

    features = datasets.load_dataset_builder(
        str(release), "deepfashion2", cache_dir=hf_env["HF_DATASETS_CACHE"]
    ).info.features
    assert features["deepfashion2"]["source"] == datasets.Value("string")
    assert features["deepfashion2"]["pair_id"] == datasets.Value("int64")
    assert features["image_info"]["reencoded"] == datasets.Value("string")
    assert features["image"] == datasets.Image()


def test_webdataset_and_datasets_read_every_dataset_tar(release, hf_env):
    import datasets
    import webdataset as wds

    for dataset in DATASETS:
        tars = sorted(str(p) for p in (release / "webdataset").glob(f"{dataset}-shard-*.tar"))
        ids = [r["id"] for r in records(release, dataset)]
        samples = list(wds.WebDataset(tars, shardshuffle=False).decode("pil"))
        assert [s["json"]["id"] for s in samples] == ids
        typed = datasets.load_dataset_builder(
            str(release), dataset, cache_dir=hf_env["HF_DATASETS_CACHE"]
        ).info.features
        record = {("image" if k == "image_info" else k): v for k, v in typed.items()}
        del record["image_info" if "image_info" in record else "image"]
        features = {"__key__": datasets.Value("string"), "__url__": datasets.Value("string")}
        features["json"] = {k: v for k, v in record.items()}
        for tar in tars:
            with tarfile.open(tar) as members:
                for name in members.getnames():
                    if name.endswith((".jpg", ".png")):
                        features[name.split(".", 1)[1]] = datasets.Image()
        ds = datasets.load_dataset(
            "webdataset",
            data_files={"train": tars},
            split="train",
            features=datasets.Features(features),
            cache_dir=hf_env["HF_DATASETS_CACHE"],
        )
        assert [r["id"] for r in ds["json"]] == ids, dataset


def test_humanprep_load_items(release):
    import humanprep

    for dataset in DATASETS:
        recs = records(release, dataset)
        for split in sorted({r["split"] for r in recs}):
            ds = humanprep.load(release, dataset, hf_split(split))  # unsplit: train
            wanted = [r for r in recs if r["split"] == split]
            assert len(ds) == len(wanted)
            image, record = ds[len(ds) - 1]
            assert record == wanted[-1]
            assert same_pixels(image, release / dataset / record["image"]["path"])
    array, record = humanprep.load(release, "fdh", "val", decode="numpy")[0]
    assert array.shape == (record["image"]["height"], record["image"]["width"], 3)
    assert array.dtype.name == "uint8"
    full = humanprep.load(release, "deepfashion2", "train", subset="fullbody")
    summary = json.loads((release / "derived/deepfashion2-fullbody/summary.json").read_text())
    assert (
        len(full) + len(humanprep.load(release, "deepfashion2", "val", "fullbody"))
        == (summary["accepted"])
    )
    with pytest.raises(ValueError, match="no split 'nope'"):
        humanprep.load(release, "fdh", "nope")


def test_humanprep_load_batches_like_a_map_style_dataset(release):
    """What torch's DataLoader does with a map-style dataset: len, then ds[i] per index."""
    import humanprep

    ds = humanprep.load(release, "shhq", "train", subset="composite", decode="numpy")
    batch = [ds[i] for i in range(len(ds))]
    assert len(batch) == 11 and all(image.ndim == 3 for image, _ in batch)
    assert len(list(ds)) == len(ds)


def snippets(card):
    section = card.split("## How to load", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_card_snippets_run_as_printed(release, hf_env):
    card = (release / "README.md").read_text()
    code = snippets(card)
    assert len(code) == 6
    for text in code:
        res = subprocess.run(
            [sys.executable, "-c", text],
            cwd=release.parent,
            env={**os.environ, **hf_env},
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert res.returncode == 0, text + res.stderr[-3000:]
        assert res.stdout.strip(), text


def test_croissant_validates_and_its_record_sets_hold_the_records(release):
    import mlcroissant as mlc

    ds = mlc.Dataset(jsonld=str(release / "croissant.json"))  # raises on an invalid file
    doc = json.loads((release / "croissant.json").read_text())
    assert doc["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    sums = dict(
        reversed(line.split("  ", 1)) for line in (release / "SHA256SUMS").read_text().splitlines()
    )
    objects = [d for d in doc["distribution"] if d["@type"] == "cr:FileObject"]
    assert objects and all(o["sha256"] == sums[o["contentUrl"]] for o in objects)
    assert [r["@id"] for r in doc["recordSet"]] == list(DATASETS)
    for dataset in DATASETS:
        got = [r[f"{dataset}/id"].decode() for r in ds.records(record_set=dataset)]
        wanted = records(release, dataset)
        assert sorted(got) == sorted(r["id"] for r in wanted), dataset
        licences = {r["license"]["id"] for r in wanted}
        record_set = next(r for r in doc["recordSet"] if r["@id"] == dataset)
        assert all(licence in record_set["description"] for licence in licences)
        assert f"terms/{dataset}.md" in record_set["description"]


def test_release_lists_the_new_files(release):
    manifest = json.loads((release / "manifest.json").read_text())
    paths = {f["path"]: f for f in manifest["files"]}
    sums = (release / "SHA256SUMS").read_text()
    metadata = glob.glob("**/metadata-*.parquet", root_dir=release, recursive=True)
    assert len(metadata) == 18  # per dataset, split and subset
    for path in [*metadata, "croissant.json"]:
        assert f"  {path}\n" in sums and path in paths


def test_every_release_file_is_0644_and_folder_0755(release):
    """The demo run had umask 077 (plain_run): mkstemp's 0600 and mkdir's 0700 must not
    reach the release, which others read (sha256sum -c, datasets, the loader)."""
    import stat

    wrong = []
    for path in [release, *release.rglob("*")]:
        want = 0o755 if path.is_dir() else 0o644
        if stat.S_IMODE(path.stat().st_mode) != want:
            wrong.append(f"{path.relative_to(release)} {oct(stat.S_IMODE(path.stat().st_mode))}")
    assert wrong == []
    assert len(list(release.rglob("*.parquet"))) > 0 and (release / "SHA256SUMS").is_file()
