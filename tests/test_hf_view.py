"""The Hugging Face view's types, derived from the record schema (hand-checked answers),
and their YAML form as `datasets` itself reads it."""

import datasets
import pytest

from humanprep.release import hf


def field(fields, name):
    return next(f for f in fields if f["name"] == name)


def test_nullable_fields_keep_their_type():
    df2 = hf.record_features("deepfashion2")
    assert field(df2, "image") == {"name": "image", "dtype": "image"}
    info = field(df2, "image_info")["struct"]
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


def test_smpl_arrays_are_typed_by_name():
    smpl = field(field(hf.record_features("huge100k"), "huge100k")["struct"], "smpl")["struct"]
    assert field(smpl, "betas") == {"name": "betas", "list": "float64"}
    assert len(smpl) == 11


@pytest.mark.parametrize("dataset", ["shhq", "fdh", "deepfashion2", "huge100k", "celeba"])
def test_datasets_reads_the_yaml_features(dataset):
    features = datasets.Features._from_yaml_list(hf.record_features(dataset))
    assert features["image"] == datasets.Image()
    assert features["license"]["url"] == datasets.Value("string")
    assert features["attribution"]["author"] == datasets.Value("string")


def test_derived_features_read_by_datasets():
    for make in (hf.sketch_features, hf.composite_features, hf.views_features):
        datasets.Features._from_yaml_list(make())
    views = datasets.Features._from_yaml_list(hf.views_features())
    assert views["views"] == datasets.List(
        {
            "image": datasets.Image(),
            "intrinsics": datasets.List(datasets.Value("float64")),
            "view": datasets.Value("int64"),
            "w2c": datasets.List(datasets.List(datasets.Value("float64"))),
        }
    )


def test_unsplit_data_is_train():
    assert hf.hf_split("all") == "train" and hf.hf_split("val") == "val"


def test_arrow_schema_names_image_columns_as_file_names():
    schema = hf.arrow_schema(hf.views_features())
    assert "front_image_file_name" in schema.names and "front_image" not in schema.names
    assert schema.field("views").type.value_type.field(0).name == "image_file_name"
