"""The Hugging Face `datasets` view of a release: the card's YAML (`configs:` and typed
`dataset_info`), so that `load_dataset(<release>, <config>, split=...)` reads the release's
own shard containers, which are WebDataset tars, with the `webdataset` builder.

- Each config is a dataset or a derived subset; each of its splits names only that
  split's tars (`<folder>/shard-*/<split>.tar`), so loading a split reads nothing else.
- A row is one item: `json` is its record (or derived row) typed from the record schema,
  and each of its files is a column named by its member suffix (`image.jpg`,
  `mask.png`, ...): images are decoded (`Image`), a video is its bytes, an array is a
  nested list. `__key__` is the item's key in the tar, `__url__` the tar.
- Annotation categories with a fixed set of names are `ClassLabel`s (DeepFashion2's
  garment `category_name`, CelebA's `parts`): the value is the index into the names.
- Typed features matter: the builder would otherwise guess types from a few rows, and a
  field null in one shard and a string in another then fails to load. `datasets` 3.6 or
  later reads this YAML (every demo config and split loaded with 3.6.0, 4.0.0 and 5.2.0).
  `datasets` reserves the split `all`: unsplit data is `train`.
"""

import json
from collections import Counter

from humanprep.datasets import DESCRIPTORS, owner
from humanprep.errors import HumanprepError
from humanprep.schemas import record_schema

SCALARS = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool"}
SPLIT_ORDER = ("train", "val", "test", "all")


def _resolve(node, defs):
    while "$ref" in node or "allOf" in node:
        if "$ref" in node:
            node = defs[node["$ref"].rsplit("/", 1)[1]]
        else:
            node = next(n for n in node["allOf"] if "$ref" in n)
    return node


def _scalar_of_enum(values):
    kinds = {type(v) for v in values if v is not None}
    if kinds == {str}:
        return "string"
    if kinds == {int}:
        return "int64"
    return "float64"


def type_of(node, defs):
    """The `datasets` YAML type of a JSON Schema node: {"dtype": d}, {"struct": fields}
    or {"list": inner}. Null is allowed by every `datasets` type, so ["string", "null"]
    is a string; an object without declared properties is free-form JSON."""
    node = _resolve(node, defs)
    if "enum" in node:
        return {"dtype": _scalar_of_enum(node["enum"])}
    types = node["type"] if isinstance(node["type"], list) else [node["type"]]
    types = [t for t in types if t != "null"]
    kind = types[0]
    if kind in SCALARS:
        return {"dtype": SCALARS[kind]}
    if kind == "object":
        if "properties" not in node:
            return {"dtype": "json"}
        return {"struct": fields_of(node["properties"], defs)}
    if "items" in node:
        return {"list": _inner(type_of(node["items"], defs))}
    # a fixed tuple such as a keypoint [x, y, v]: numbers
    return {"list": "float64"}


def _inner(typ):
    """How a list's element type is written: a dtype name, a field list or a nested list."""
    if "dtype" in typ:
        return typ["dtype"]
    return typ.get("struct", typ)


def fields_of(properties, defs):
    return [{"name": name, **type_of(node, defs)} for name, node in sorted(properties.items())]


def class_names(names):
    """A descriptor's class label names (a list, or a dict by id) in id order."""
    return [names[k] for k in sorted(names)] if isinstance(names, dict) else list(names)


def class_label(names):
    return {"class_label": {"names": {str(i): n for i, n in enumerate(names)}}}


def _with_label(fields, path, names):
    """fields with the field at `path` (through structs and lists) a ClassLabel."""
    out = []
    for f in fields:
        if f["name"] != path[0]:
            out.append(f)
        elif len(path) > 1:
            inner = f.get("struct") or f["list"]
            key = "struct" if "struct" in f else "list"
            out.append({**f, key: _with_label(inner, path[1:], names)})
        elif "list" in f:
            out.append({"name": f["name"], "list": {"dtype": class_label(names)}})
        else:
            out.append({"name": f["name"], "dtype": class_label(names)})
    return out


def record_struct(dataset, schema=None):
    """The fields of a dataset's records (its `json` member), typed from the schema."""
    schema = json.loads(json.dumps(schema or record_schema()))  # a copy to complete
    for name, descriptor in DESCRIPTORS.items():
        if descriptor.hf_schema:  # what the record schema leaves free-form, typed
            descriptor.hf_schema(schema["$defs"][name])
    defs, props = schema["$defs"], dict(schema["properties"])
    props = {k: v for k, v in props.items() if k not in schema["$defs"] or k == dataset}
    fields = fields_of(props, defs)
    # paths of keys in its part of the record -> (lazy) category names
    for path, names in DESCRIPTORS[dataset].class_labels.items():
        fields = _with_label(fields, (dataset, *path), class_names(names()))
    return fields


def sketch_struct():
    maps = sorted(DESCRIPTORS[owner("sketch")].subset("sketch").maker().MAPS)
    fields = [{"name": m, "dtype": "string"} for m in maps]
    fields += [
        {"name": "id", "dtype": "string"},
        {"name": "ink", "struct": [{"name": m, "dtype": "float64"} for m in maps]},
        {"name": "size", "dtype": "int64"},
        {"name": "split", "dtype": "string"},
    ]
    return sorted(fields, key=lambda f: f["name"])


def composite_struct():
    return [
        {"name": "composite", "dtype": "string"},
        {"name": "id", "dtype": "string"},
        {"name": "split", "dtype": "string"},
    ]


OUTLIER = [
    {"name": "off_plane", "dtype": "float64"},
    {"name": "radial", "dtype": "float64"},
    {"name": "view", "dtype": "int64"},
]


def views_struct():
    view = [
        {"name": "image", "dtype": "string"},  # a PNG of the view when materialised
        {"name": "intrinsics", "list": "float64"},
        {"name": "view", "dtype": "int64"},
        {"name": "w2c", "list": {"list": "float64"}},
    ]
    orbit = [
        {"name": "centre", "list": "float64"},
        {"name": "outliers", "list": OUTLIER},
        {"name": "radius", "dtype": "float64"},
    ]
    return [
        {"name": "front_score", "dtype": "float64"},
        {"name": "front_view", "dtype": "int64"},
        {"name": "id", "dtype": "string"},
        {"name": "orbit", "struct": orbit},
        {"name": "split", "dtype": "string"},
        {"name": "video", "dtype": "string"},
        {"name": "views", "list": view},
    ]


# a derived subset's kind of rows (its descriptor's Derived.hf_view) -> their fields;
# "records": the rows are records of the dataset
DERIVED = {"sketch": sketch_struct, "composite": composite_struct, "views": views_struct}

IMAGE_EXTS = {"jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff"}
ARRAYS = {"vertices.npy": {"list": {"list": "uint16"}}}  # FDH's CSE vertices (H x W)


def member_type(name):
    """The feature of a file member `<name>` (the part of its member name after the key)."""
    ext = name.rsplit(".", 1)[-1].lower()
    if ext in IMAGE_EXTS:
        return {"dtype": "image"}
    if ext == "npy":  # the builder decodes arrays with numpy
        if name not in ARRAYS:
            raise HumanprepError(name, "no Hugging Face type for this array member")
        return ARRAYS[name]
    return {"dtype": "binary"}  # a video's bytes (humanprep.video.view decodes a frame)


def features(struct, members):
    fields = [
        {"name": "__key__", "dtype": "string"},
        {"name": "__url__", "dtype": "string"},
        {"name": "json", "struct": struct},
    ]
    fields += [{"name": m, **member_type(m)} for m in sorted(members)]
    return fields


def hf_split(split):
    """`datasets` reserves `all` for the union of splits: unsplit data is its `train`."""
    return "train" if split == "all" else split


def split_order(splits):
    return sorted(splits, key=lambda s: (SPLIT_ORDER.index(s) if s in SPLIT_ORDER else 99, s))


def config(name, folder, struct, stats):
    """(config, dataset_info) YAML entries of one config: `stats` (SplitStats) gives its
    items and file members per split of the records; None when it has no items."""
    splits = split_order(s for s, n in stats.splits.items() if n)
    if not splits:
        return None
    members = set().union(*(stats.members.get(s, set()) for s in splits))
    entry = {
        "config_name": name,
        "data_files": [{"split": hf_split(s), "path": f"{folder}/shard-*/{s}.tar"} for s in splits],
    }
    info = {
        "config_name": name,
        "features": features(struct, members),
        "splits": [
            {"name": hf_split(s), "num_bytes": stats.sizes[s], "num_examples": stats.splits[s]}
            for s in splits
        ],
    }
    return entry, info


def struct_of(name):
    """The `json` fields of a config: a dataset's records or a derived subset's rows."""
    dataset, _, subset = name.partition("-")
    if not subset:
        return record_struct(dataset)
    view = DESCRIPTORS[dataset].subset(subset).hf_view
    return record_struct(dataset) if view == "records" else DERIVED[view]()


def view_meta(configs):
    """The card's YAML metadata from {config name: SplitStats}; configs without items are
    left out (returned as `empty`)."""
    entries, infos, empty = [], [], []
    for name in sorted(configs):
        folder = name if "-" not in name else f"derived/{name}"
        made = config(name, folder, struct_of(name), configs[name])
        if made is None:
            empty.append(name)
            continue
        entries.append(made[0])
        infos.append(made[1])
    return {"configs": entries, "dataset_info": infos}, empty


def view_yaml(meta):
    """The card's YAML block (between its `---` lines)."""
    import yaml

    keys = ("configs", "dataset_info")  # what the Hub reads (not empty_configs)
    return yaml.safe_dump({k: meta[k] for k in keys}, sort_keys=False, width=1000)


def check_counts(meta, stats):
    """Refuse a view whose record counts differ from the release's own ({dataset:
    DatasetStats})."""
    for info in meta["dataset_info"]:
        name = info["config_name"]
        if name not in stats:
            continue
        want = Counter()
        for split, n in stats[name].splits.items():
            want[hf_split(split)] += n
        got = {s["name"]: s["num_examples"] for s in info["splits"]}
        if got != dict(want):
            raise HumanprepError(name, f"Hugging Face view counts {got}, release has {dict(want)}")
