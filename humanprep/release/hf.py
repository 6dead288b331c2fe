"""The Hugging Face `datasets` view of a release: per-split metadata files and the card's
YAML (`configs:` and typed `dataset_info`), so that `load_dataset(<release>, <config>,
split=...)` gives typed records with decoded images.

What `datasets` 5.2 does, and so what this writes:
- It opens relative image paths only through its image-folder builder, which takes them
  from `<column>_file_name` keys of metadata files lying in a folder above the images, and
  picks that builder when a split's data files are images plus a metadata file.
- A split needs a metadata file of its own and the release's shards mix splits, so each
  split's file has its own name (`metadata-<split>.parquet`, listed in the config's
  `metadata_filenames`) in the nearest folder above all its images.
- It refuses metadata files whose column types differ, and infers JSON Lines types from
  the values (a field null in one split and a string in another differs), so the files
  are Parquet, whose schema is written from the features.

In this view `image` is the decoded picture and the record's `image` object is renamed
`image_info`; every other field is the record's own, typed from the record schema (null
allowed everywhere). `datasets` reserves the split name `all`: unsplit data is `train`.
"""

import json
from collections import Counter
from pathlib import Path

from humanprep.datasets import DESCRIPTORS, load
from humanprep.errors import HumanprepError
from humanprep.io import dumps, read_json, read_jsonl, tmp_beside, write_json, write_text
from humanprep.schemas import record_schema

IMAGE = {"dtype": "image"}
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


def record_features(dataset, schema=None):
    """The features of a dataset's records in this view (image decoded, image_info)."""
    schema = json.loads(json.dumps(schema or record_schema()))  # a copy to complete
    for name, descriptor in DESCRIPTORS.items():
        if descriptor.hf_schema:  # what the record schema leaves free-form, typed
            load(descriptor.hf_schema)(schema["$defs"][name])
    defs, props = schema["$defs"], dict(schema["properties"])
    props = {k: v for k, v in props.items() if k not in schema["$defs"] or k == dataset}
    fields = fields_of(props, defs)
    for field in fields:
        if field["name"] == "image":
            field["name"] = "image_info"
    return sorted([{"name": "image", **IMAGE}, *fields], key=lambda f: f["name"])


def record_row(record):
    row = {k: v for k, v in record.items() if k != "image"}
    row["image_info"] = record["image"]
    row["image_file_name"] = record["image"]["path"]
    return row


def sketch_maps():
    from humanprep.derive.sketch import MAPS

    return sorted(MAPS)


def sketch_features():
    maps = sketch_maps()
    ink = [{"name": m, "dtype": "float64"} for m in maps]
    fields = [{"name": m, **IMAGE} for m in maps]
    fields += [
        {"name": "id", "dtype": "string"},
        {"name": "ink", "struct": ink},
        {"name": "size", "dtype": "int64"},
        {"name": "split", "dtype": "string"},
    ]
    return sorted(fields, key=lambda f: f["name"])


def sketch_row(row, split):
    maps = sketch_maps()
    out = {k: v for k, v in row.items() if k not in maps}
    out.update({f"{m}_file_name": row[m] for m in maps})
    out["split"] = split
    return out


def composite_features():
    return [
        {"name": "composite", **IMAGE},
        {"name": "id", "dtype": "string"},
        {"name": "split", "dtype": "string"},
    ]


def composite_row(row, split):
    return {"composite_file_name": row["composite"], "id": row["id"], "split": split}


OUTLIER = [
    {"name": "off_plane", "dtype": "float64"},
    {"name": "radial", "dtype": "float64"},
    {"name": "view", "dtype": "int64"},
]


def views_features():
    view = [
        {"name": "image", **IMAGE},
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
        {"name": "front_image", **IMAGE},
        {"name": "front_score", "dtype": "float64"},
        {"name": "front_view", "dtype": "int64"},
        {"name": "id", "dtype": "string"},
        {"name": "orbit", "struct": orbit},
        {"name": "split", "dtype": "string"},
        {"name": "views", "list": view},
    ]


def views_row(row, split):
    out = {k: v for k, v in row.items() if k not in ("front_image", "views")}
    out["front_image_file_name"] = row["front_image"]
    out["views"] = [
        {**{k: v for k, v in view.items() if k != "image"}, "image_file_name": view["image"]}
        for view in row["views"]
    ]
    out["split"] = split
    return out


# a derived subset's kind of view (its descriptor's Derived.hf_view) -> (features, row
# maker, folder of its metadata and images, image glob); the folder is relative to the
# release, the glob to the folder. Kind "records": the subset's rows are records.
DERIVED = {
    "sketch": (sketch_features, sketch_row, "derived/{subset}", "shard-*/*/*.png"),
    "composite": (composite_features, composite_row, "derived/{subset}", "shard-*/*.*"),
    "views": (views_features, views_row, "{dataset}", "shard-*/*/view_*.png"),
}
RECORD_GLOB = "shard-*/*/image.*"


def split_order(splits):
    return sorted(splits, key=lambda s: (SPLIT_ORDER.index(s) if s in SPLIT_ORDER else 99, s))


def write_config(release_dir, name, folder, rows, features, glob):
    """Write one config's metadata files from its (split, row) pairs, streamed; return its
    (config, dataset_info) YAML entries."""
    # a derived subset's files beside its dataset's records say which subset they are
    prefix = "" if Path(folder).name == name else f"{name.split('-', 1)[1]}-"
    writers = {}
    try:
        for split, row in rows:
            if split not in writers:
                path = Path(release_dir, folder, f"metadata-{prefix}{split}.parquet")
                writers[split] = ParquetRows(path, features)
            writers[split].add(row)
        for writer in writers.values():
            writer.close()
    finally:
        for writer in writers.values():
            writer.discard()
    splits = split_order(writers)
    files = {s: writers[s].path.name for s in splits}
    sizes = {s: writers[s].path.stat().st_size for s in splits}
    config = {
        "config_name": name,
        "data_files": [
            {"split": s, "path": [f"{folder}/{files[s]}", f"{folder}/{glob}"]} for s in splits
        ],
        "metadata_filenames": [files[s] for s in splits],
        "drop_labels": True,
    }
    info = {
        "config_name": name,
        "features": features,
        # num_bytes: the size of the rows (images are referenced, not embedded)
        "splits": [
            {"name": s, "num_bytes": sizes[s], "num_examples": writers[s].count} for s in splits
        ],
    }
    return config, info


ARROW = {"string": "string", "int64": "int64", "float64": "float64", "bool": "bool_"}


def arrow_type(typ):
    """The Arrow type of a metadata column of this YAML type (an image is its path)."""
    import pyarrow as pa

    if isinstance(typ, str):
        return getattr(pa, ARROW[typ])()
    if isinstance(typ, list):
        return pa.struct([arrow_field(f) for f in typ])
    if "dtype" in typ:
        return pa.string() if typ["dtype"] in ("image", "json") else arrow_type(typ["dtype"])
    if "struct" in typ:
        return arrow_type(typ["struct"])
    return pa.list_(arrow_type(typ["list"]))


def arrow_field(field):
    import pyarrow as pa

    typ = {k: v for k, v in field.items() if k != "name"}
    name = field["name"]
    if typ.get("dtype") == "image":
        name = f"{name}_file_name"
    return pa.field(name, arrow_type(typ))


def arrow_schema(features):
    import pyarrow as pa

    return pa.schema([arrow_field(f) for f in features])


def as_json(row, path):
    """The row with the free-form field at `path` (a tuple of keys) as JSON text, the
    storage of a `json` feature."""
    if len(path) == 1:
        return {**row, path[0]: None if row.get(path[0]) is None else dumps(row[path[0]])}
    if row.get(path[0]) is None:
        return row
    return {**row, path[0]: as_json(row[path[0]], path[1:])}


def json_paths(fields, prefix=()):
    for field in fields:
        if field.get("dtype") == "json":
            yield (*prefix, field["name"])
        elif "struct" in field:
            yield from json_paths(field["struct"], (*prefix, field["name"]))


def _table(rows, features):
    import pyarrow as pa

    for json_path in json_paths(features):
        rows = [as_json(row, json_path) for row in rows]
    return pa.Table.from_pylist(rows, schema=arrow_schema(features))


def write_parquet(path, rows, features):
    writer = ParquetRows(path, features)
    try:
        for row in rows:
            writer.add(row)
        writer.close()
    finally:
        writer.discard()


ROWS_PER_GROUP = 2_000  # rows held before they are written as one Parquet row group


class ParquetRows:
    """A Parquet file written as rows come, ROWS_PER_GROUP at a time, to a temporary file
    renamed into place by close(). Up to ROWS_PER_GROUP rows it is the very file
    pyarrow.parquet.write_table gives for them."""

    def __init__(self, path, features):
        self.path, self.features = Path(path), features
        self.rows, self.count = [], 0
        self._tmp = self._writer = None

    def add(self, row):
        self.rows.append(row)
        self.count += 1
        if len(self.rows) >= ROWS_PER_GROUP:
            self._flush()

    def _flush(self):
        import pyarrow.parquet as pq

        if self._writer is None:
            self._tmp = tmp_beside(self.path)
            self._writer = pq.ParquetWriter(
                self._tmp, arrow_schema(self.features), compression="zstd"
            )
        if self.rows or self.count == 0:
            self._writer.write_table(_table(self.rows, self.features))
        self.rows = []

    def close(self):
        if self.rows or self._writer is None:
            self._flush()
        self._writer.close()
        self._writer = None
        self._tmp.replace(self.path)
        self._tmp = None

    def discard(self):
        """Remove what a failed write left (nothing after close())."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None


def hf_split(split):
    """`datasets` reserves `all` for the union of splits: unsplit data is its `train`."""
    return "train" if split == "all" else split


def derived_rows(folder, make_row, released, dataset):
    """(split, row) of a derived subset's rows of released items, shard by shard: a
    derived shard holds items of its dataset's shard of the same name."""
    for path in sorted(Path(folder).glob("shard-*[0-9].jsonl")):
        split_of = {r["id"]: r["split"] for r in released.records(dataset, path.stem)}
        for row in read_jsonl(path):
            if row["id"] in split_of:
                split = split_of[row["id"]]
                yield hf_split(split), make_row(row, split)


def record_rows(released, dataset):
    for shard in released.names(dataset):
        for record in released.records(dataset, shard):
            yield hf_split(record["split"]), record_row(record)


def write_view(out_dir, released, derived):
    """Every config's metadata files under out_dir (laid out as in the release); returns
    the card's YAML metadata. released: the released records shard by shard
    (humanprep.release.select.Released), derived: {subset: folder of its rows}."""
    schema = record_schema()
    configs, infos, empty = [], [], []

    def add(name, folder, rows, features, glob):
        config, info = write_config(out_dir, name, folder, rows, features, glob)
        if not info["splits"]:  # no row: `datasets` cannot load a config without files
            empty.append(name)
            return
        configs.append(config)
        infos.append(info)

    for dataset in sorted(released.datasets):
        features = record_features(dataset, schema)
        add(dataset, dataset, record_rows(released, dataset), features, RECORD_GLOB)
        for subset in DESCRIPTORS[dataset].derived:
            name = f"{dataset}-{subset.name}"
            if name in derived and subset.hf_view == "records":
                rows = derived_rows(derived[name], lambda r, _: record_row(r), released, dataset)
                add(name, dataset, rows, features, RECORD_GLOB)
    for name in sorted(derived):
        dataset, subset = name.split("-", 1)
        view = DESCRIPTORS[dataset].subset(subset).hf_view
        if view in DERIVED and dataset in released.datasets:
            features, make_row, folder, glob = DERIVED[view]
            folder = folder.format(subset=name, dataset=dataset)
            rows = derived_rows(derived[name], make_row, released, dataset)
            add(name, folder, rows, features(), glob)
    order = sorted(range(len(configs)), key=lambda i: configs[i]["config_name"])
    return {
        "configs": [configs[i] for i in order],
        "dataset_info": [infos[i] for i in order],
        "empty_configs": sorted(empty),  # left out; the card names them
    }


VIEW = "view.json"
VIEW_YAML = "card.yaml"


def view_yaml(meta):
    """The card's YAML block (between its `---` lines)."""
    import yaml

    keys = ("configs", "dataset_info")  # what the Hub reads (not empty_configs)
    return yaml.safe_dump({k: meta[k] for k in keys}, sort_keys=False, width=1000)


def build_view(out_dir, released, derived):
    """The view written by its own workflow step (results/hf/<release>/), so the release
    step only links it: `view.json` holds the card's metadata, `card.yaml` its YAML text."""
    meta = write_view(out_dir, released, derived)
    write_json(Path(out_dir, VIEW), meta)
    write_text(Path(out_dir, VIEW_YAML), view_yaml(meta))
    return meta


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


def view_files(view_dir):
    """(path relative to the view, file) of every metadata file of a built view."""
    root = Path(view_dir)
    return [(p.relative_to(root).as_posix(), p) for p in sorted(root.rglob("*.parquet"))]


def read_view(view_dir):
    """(card metadata, its YAML text) of a built view."""
    return read_json(Path(view_dir, VIEW)), Path(view_dir, VIEW_YAML).read_text()
