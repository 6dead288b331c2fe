"""The demo release loads as it is with the tools people use: Hugging Face `datasets`
(every config and split of the card, each split from its own tars), `webdataset`,
mlcroissant, pycocotools (after `humanprep export images`) and `humanprep.load`; the card's
own "How to load" snippets run as printed."""

import glob
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from PIL import Image
from pycocotools.coco import COCO

from humanprep import store
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
    """{hf split: [rows]} straight from the release's record files."""
    dataset, _, subset = config.partition("-")
    folder = release / dataset if not subset else release / "derived" / config
    out = {}
    for path in sorted(folder.glob("shard-*[0-9].jsonl")):
        for row in read_jsonl(path):
            out.setdefault(hf_split(row["split"]), []).append(row)
    return out, folder


def without_nulls(value):
    """A record with null fields left out: the typed view has every field of the schema,
    null where a record leaves an optional one out."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def same_pixels(decoded, data):
    with Image.open(io.BytesIO(data)) as im:
        return decoded.size == im.size and decoded.tobytes() == im.tobytes()


def labels_as_names(row, features):
    """The `json` row with ClassLabel values (indices) back as their names."""
    import datasets

    if isinstance(features, datasets.ClassLabel):
        return None if row is None else features.int2str(row)
    if isinstance(features, dict) and isinstance(row, dict):
        return {k: labels_as_names(v, features[k]) if k in features else v for k, v in row.items()}
    if isinstance(features, datasets.List) and isinstance(row, list):
        return [labels_as_names(v, features.feature) for v in row]
    return row


def test_card_names_one_config_per_dataset_and_subset(release):
    meta = card_yaml(release)
    names = [c["config_name"] for c in meta["configs"]]
    subsets = sorted(p.name for p in (release / "derived").iterdir())
    assert names == sorted([*DATASETS, *subsets])
    assert [i["config_name"] for i in meta["dataset_info"]] == names


def test_datasets_loads_every_config_typed_with_images(release, hf_env):
    import datasets

    meta = card_yaml(release)
    for info, config in zip(meta["dataset_info"], meta["configs"], strict=True):
        name = info["config_name"]
        expected, folder = source_rows(release, name)
        card_counts = {s["name"]: s["num_examples"] for s in info["splits"]}
        assert card_counts == {s: len(rows) for s, rows in expected.items()}, name
        for split, rows in expected.items():
            ds = datasets.load_dataset(
                str(release), name, split=split, cache_dir=hf_env["HF_DATASETS_CACHE"]
            )
            assert len(ds) == len(rows), (name, split)
            # only this split's tars were read
            files = next(d["path"] for d in config["data_files"] if d["split"] == split)
            urls = {Path(u).relative_to(release.resolve()) for u in ds["__url__"]}
            assert {str(u) for u in urls} <= set(glob.glob(files, root_dir=release)), name
            row, source = ds[0], rows[0]
            json_features = ds.features["json"]
            assert without_nulls(labels_as_names(row["json"], json_features)) == without_nulls(
                source
            ), name
            for column, value in row.items():
                if isinstance(value, Image.Image):
                    ref = next(
                        r
                        for r in store.refs_in(source)
                        if store.member_name(r).split(".", 1)[1] == column
                    )
                    assert same_pixels(value, store.read(folder, ref)), (name, column)


def test_datasets_types_fields_null_in_some_records(release, hf_env):
    """The cast error users met: fields null in the first rows and strings later."""
    import datasets

    features = datasets.load_dataset_builder(
        str(release), "deepfashion2", cache_dir=hf_env["HF_DATASETS_CACHE"]
    ).info.features
    record = features["json"]
    assert record["deepfashion2"]["source"] == datasets.Value("string")
    assert record["deepfashion2"]["pair_id"] == datasets.Value("int64")
    assert record["image"]["reencoded"] == datasets.Value("string")
    assert isinstance(
        record["deepfashion2"]["garments"].feature["category_name"], datasets.ClassLabel
    )
    assert features["image.jpg"] == datasets.Image()


def test_humanprep_load_items(release, tmp_path, monkeypatch):
    import humanprep

    monkeypatch.setenv("HUMANPREP_CACHE", str(tmp_path))
    for dataset in DATASETS:
        recs = records(release, dataset)
        for split in sorted({r["split"] for r in recs}):
            ds = humanprep.load(release, dataset, hf_split(split))  # unsplit: train
            wanted = [r for r in recs if r["split"] == split]
            assert len(ds) == len(wanted)
            image, record = ds[len(ds) - 1]
            assert record == wanted[-1]
            assert same_pixels(image, store.image_bytes(release / dataset, record))
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


def test_humanprep_load_decodes_huge100k_views(release, tmp_path, monkeypatch):
    """View i of a HuGe100K item is frame i of its video; the views subset gives the
    front view."""
    import humanprep
    from humanprep.video import view

    monkeypatch.setenv("HUMANPREP_CACHE", str(tmp_path))
    ds = humanprep.load(release, "huge100k", "train", decode="numpy")
    record = ds.record(0)
    video = store.read(release / "huge100k", record["huge100k"]["video"])
    assert (ds.view(0, 5) == view(video, 5)).all()
    views = humanprep.load(release, "huge100k", "train", subset="views", decode="numpy")
    front, row = views[0]
    assert row["id"] == record["id"]
    assert (front == view(video, row["front_view"])).all()


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
    assert len(code) == 5
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
    tars = {o["@id"] for o in objects if o["encodingFormat"] == "application/x-tar"}
    assert tars == {p for p in sums if p.endswith(".tar") and not p.startswith("deepprivacy2")}
    images = next(d for d in doc["distribution"] if d["@id"] == "fdh-image.png")
    assert {c["@id"] for c in images["containedIn"]} == {t for t in tars if t.startswith("fdh/")}
    configs = [c["config_name"] for c in card_yaml(release)["configs"]]
    assert [r["@id"] for r in doc["recordSet"]] == ["splits", *configs]
    splits = {str(r["splits/name"]) for r in ds.records(record_set="splits")}
    assert splits == {"train", "val", "test", "all"}
    first = {}
    for config in configs:
        rows = list(ds.records(record_set=config))
        first[config] = rows[0]
        got = [r[f"{config}/id"] for r in rows]
        wanted, _ = source_rows(release, config)
        ids = sorted(r["id"] for rows in wanted.values() for r in rows)
        # typed columns: FDH's "0001307" and CelebA's "00000" stay text
        assert sorted(i.decode() for i in got) == ids, config
    for dataset in DATASETS:
        wanted = records(release, dataset)
        licences = {r["license"]["id"] for r in wanted}
        record_set = next(r for r in doc["recordSet"] if r["@id"] == dataset)
        assert all(licence in record_set["description"] for licence in licences)
        assert f"terms/{dataset}.md" in record_set["description"]
    # a second pass gives the records again (a `references` to the splits made it empty)
    assert len(list(ds.records(record_set="fdh"))) == len(records(release, "fdh"))
    garments = first["deepfashion2"]
    assert "deepfashion2/boxes" in garments and "deepfashion2/categories" in garments


def test_export_images_makes_every_coco_file_name_resolve(release, tmp_path):
    """pycocotools AP 1.0 on every COCO file, and every file_name on disk after the
    export, under one image root per dataset."""
    from test_coco import self_eval

    from humanprep.cli import main

    for dataset in sorted(p.name for p in (release / "coco").iterdir()):
        root = tmp_path / dataset
        assert main(["export", "images", str(release), dataset, str(root)]) == 0
        for path in sorted((release / "coco" / dataset).glob("*.json")):
            coco = COCO(str(path))
            for image in coco.loadImgs(coco.getImgIds()):
                with Image.open(root / image["file_name"]) as im:
                    assert im.size == (image["width"], image["height"]), path.name
            if coco.getAnnIds():
                assert self_eval(coco, "bbox") == pytest.approx(1.0), path.name


def test_release_lists_the_new_files(release):
    manifest = json.loads((release / "manifest.json").read_text())
    paths = {f["path"]: f for f in manifest["files"]}
    sums = (release / "SHA256SUMS").read_text()
    tars = glob.glob("*/shard-*/*.tar", root_dir=release)
    tars += glob.glob("derived/*/shard-*/*.tar", root_dir=release)
    columns = glob.glob("**/croissant.parquet", root_dir=release, recursive=True)
    assert tars and len(columns) == len(card_yaml(release)["configs"])
    assert set(glob.glob("**/*.parquet", root_dir=release, recursive=True)) == set(columns)
    for path in [*tars, *columns, "croissant.json"]:
        assert f"  {path}\n" in sums and path in paths
    assert all(paths[t]["kind"] == "container" for t in tars)


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
