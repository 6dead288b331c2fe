"""The Hugging Face view's types, derived from the record schema (hand-checked answers),
their YAML form as `datasets` itself reads it, and one config's YAML per split."""

import datasets
import pytest

from humanprep.datasets.celeba.formats import PARTS
from humanprep.datasets.deepfashion2.formats import CATEGORIES
from humanprep.release import hf
from humanprep.release.stats import SplitStats


def field(fields, name):
    return next(f for f in fields if f["name"] == name)


def test_nullable_fields_keep_their_type():
    df2 = hf.record_struct("deepfashion2")
    info = field(df2, "image")["struct"]
    assert field(info, "reencoded") == {"name": "reencoded", "dtype": "string"}
    assert field(info, "width") == {"name": "width", "dtype": "int64"}
    own = field(df2, "deepfashion2")["struct"]
    assert field(own, "source") == {"name": "source", "dtype": "string"}  # enum with null
    assert field(own, "pair_id") == {"name": "pair_id", "dtype": "int64"}  # integer or null
    garment = field(own, "garments")["list"]
    assert field(garment, "bbox") == {"name": "bbox", "list": "float64"}
    assert field(garment, "landmarks") == {"name": "landmarks", "list": {"list": "float64"}}
    assert field(garment, "scale") == {"name": "scale", "dtype": "int64"}  # enum 1..3
    assert [f["name"] for f in df2] == sorted(f["name"] for f in df2)
    assert "fdh" not in {f["name"] for f in df2}


def test_categories_are_class_labels():
    df2 = datasets.Features._from_yaml_list(
        [{"name": "json", "struct": hf.record_struct("deepfashion2")}]
    )
    label = df2["json"]["deepfashion2"]["garments"].feature["category_name"]
    assert label == datasets.ClassLabel(names=[CATEGORIES[k] for k in sorted(CATEGORIES)])
    assert label.str2int("skirt") == 8
    celeba = datasets.Features._from_yaml_list(
        [{"name": "json", "struct": hf.record_struct("celeba")}]
    )
    assert celeba["json"]["celeba"]["parts"] == datasets.List(
        datasets.ClassLabel(names=list(PARTS))
    )


def test_smpl_arrays_are_typed_by_name():
    smpl = field(field(hf.record_struct("huge100k"), "huge100k")["struct"], "smpl")["struct"]
    assert field(smpl, "betas") == {"name": "betas", "list": "float64"}
    assert len(smpl) == 11


@pytest.mark.parametrize("dataset", ["shhq", "fdh", "deepfashion2", "huge100k", "celeba"])
def test_datasets_reads_the_yaml_features(dataset):
    members = {"image.jpg", "mask.png", "views.mp4", "vertices.npy"}
    features = datasets.Features._from_yaml_list(hf.features(hf.record_struct(dataset), members))
    assert features["image.jpg"] == features["mask.png"] == datasets.Image()
    assert features["views.mp4"] == datasets.Value("binary")
    assert features["vertices.npy"] == datasets.List(datasets.List(datasets.Value("uint16")))
    assert features["json"]["license"]["url"] == datasets.Value("string")
    assert features["json"]["attribution"]["author"] == datasets.Value("string")
    assert features["__key__"] == datasets.Value("string")


def test_derived_structs_read_by_datasets():
    for make in hf.DERIVED.values():
        datasets.Features._from_yaml_list([{"name": "json", "struct": make()}])
    views = datasets.Features._from_yaml_list([{"name": "j", "struct": hf.views_struct()}])
    assert views["j"]["video"] == datasets.Value("string")


def test_each_split_names_only_its_own_tars():
    stats = SplitStats()
    stats.splits.update({"train": 3, "all": 0, "val": 2})
    stats.members = {"train": {"image.jpg"}, "val": {"image.jpg", "mask.png"}}
    stats.sizes.update({"train": 3072, "val": 2048})
    entry, info = hf.config("fdh", "fdh", [], stats)
    assert entry["data_files"] == [
        {"split": "train", "path": "fdh/shard-*/train.tar"},
        {"split": "val", "path": "fdh/shard-*/val.tar"},
    ]
    assert info["splits"] == [
        {"name": "train", "num_bytes": 3072, "num_examples": 3},
        {"name": "val", "num_bytes": 2048, "num_examples": 2},
    ]
    assert [f["name"] for f in info["features"]][3:] == ["image.jpg", "mask.png"]
    assert hf.config("fdh", "fdh", [], SplitStats()) is None  # nothing released: no config


def test_unsplit_data_is_train():
    assert hf.hf_split("all") == "train" and hf.hf_split("val") == "val"
