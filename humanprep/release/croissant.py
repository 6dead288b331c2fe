"""croissant.json: the release described in Croissant 1.0 (MLCommons), the machine-readable
dataset metadata that hubs, search engines and dataset tracks read.

Files: every record file, every shard container (a WebDataset tar) and every record set's
columns file as a FileObject with its sha256; per dataset and derived subset a FileSet of
its record files and one per kind of file in its tars (`*.image.jpg`, ...), `containedIn`
the tars. One RecordSet per dataset and derived subset, its fields (id, split, licence,
image, and the main annotations: boxes, keypoints, categories, captions, as JSON text) read
from `<folder>/croissant.parquet`, typed columns written beside the records: mlcroissant
reads JSON Lines and CSV through pandas, which guesses types (the id "0001307" would come
out as 1307), and read from the tars' `<key>.json` members mlcroissant 1.1.1 failed. A
`cr:Split` record set names the splits; the `split` fields hold those names without a
`references` to it, with which mlcroissant 1.1.1 yields nothing on a second pass over a
record set.
Licences and the terms each dataset is bound by are named per record set and listed at the
top; citations are those the terms ask for (descriptors).
"""

from pathlib import Path

from humanprep.datasets import DESCRIPTORS
from humanprep.io import dumps, tmp_beside

CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
# the Croissant 1.0 JSON-LD context, as the specification gives it
CONTEXT = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

# (column, Croissant data type, keys of the value in a record); fields every record has
FIELDS = (
    ("id", "sc:Text", ("id",)),
    ("split", "sc:Text", ("split",)),
    ("license", "sc:Text", ("license", "id")),
    ("image_path", "sc:Text", ("image", "path")),
    ("image_width", "sc:Integer", ("image", "width")),
    ("image_height", "sc:Integer", ("image", "height")),
    ("image_sha256", "sc:Text", ("image", "sha256")),
)
DERIVED_FIELDS = FIELDS[:2]  # a derived subset's rows: id and split
ROWS = "croissant.parquet"  # per dataset and derived subset: the record sets' columns
ROWS_PER_GROUP = 10_000


def annotations(dataset):
    """A dataset's main annotations, each a column of JSON text: its descriptor's
    croissant_columns, (column, path in its own part of the record; `[*]`: every element
    of a list). None for a name that is no dataset (a derived subset's)."""
    descriptor = DESCRIPTORS.get(dataset)
    return descriptor.croissant_columns if descriptor else ()


def pick(value, path):
    """The value at a dotted path (`garments[*].bbox`: the bbox of every garment)."""
    for key in path.split("."):
        if value is None:
            return None
        if key.endswith("[*]"):
            rest = path.split(key + ".", 1)[1] if key + "." in path else None
            items = value.get(key[:-3]) or []
            return [pick(item, rest) if rest else item for item in items]
        value = value.get(key)
    return value


def columns_of(config):
    dataset = config.split("-", 1)[0]
    if "-" in config:
        return [(n, t) for n, t, _ in DERIVED_FIELDS]
    return [(n, t) for n, t, _ in FIELDS] + [(n, "sc:Text") for n, _ in annotations(dataset)]


def row_of(config, row):
    """A record's (or derived row's) values of its record set's columns."""
    fields = DERIVED_FIELDS if "-" in config else FIELDS
    out = {}
    for name, _, keys in fields:
        value = row
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        out[name] = value
    if "-" not in config:
        for name, path in annotations(config):
            value = pick(row.get(config) or {}, path)
            text = value is None or isinstance(value, str)
            out[name] = value if text else dumps(value).rstrip("\n")
    return out


class Rows:
    """`croissant.parquet` of one config, written as its rows come (typed columns:
    mlcroissant reads JSON Lines and CSV through pandas, whose type guessing turns the id
    "0001307" into the number 1307)."""

    def __init__(self, path, config):
        import pyarrow as pa

        self.path, self.config = Path(path), config
        types = {"sc:Text": pa.string(), "sc:Integer": pa.int64()}
        self.schema = pa.schema([(n, types[t]) for n, t in columns_of(config)])
        self.rows, self.writer, self.tmp = [], None, None

    def add(self, row):
        self.rows.append(row_of(self.config, row))
        if len(self.rows) >= ROWS_PER_GROUP:
            self._flush()

    def _flush(self):
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.writer is None:
            self.tmp = tmp_beside(self.path)
            self.writer = pq.ParquetWriter(self.tmp, self.schema, compression="zstd")
        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
        self.rows = []

    def close(self):
        if not self.rows and self.writer is None:
            return  # no rows: no file
        self._flush()
        self.writer.close()
        self.tmp.replace(self.path)


SPLITS = {"train": "cr:TrainingSplit", "val": "cr:ValidationSplit", "test": "cr:TestSplit"}
FORMATS = {
    ".jsonl": "application/jsonlines",
    ".tar": "application/x-tar",
    ".json": "application/json",
    ".parquet": "application/x-parquet",
}
MEDIA = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "mp4": "video/mp4"}


def file_object(entry):
    return {
        "@type": "cr:FileObject",
        "@id": entry["path"],
        "name": entry["path"],
        "contentUrl": entry["path"],
        "contentSize": f"{entry['size']} B",
        "encodingFormat": FORMATS["." + entry["path"].rsplit(".", 1)[1]],
        "sha256": entry["sha256"],
    }


def folder_of(config):
    return config if "-" not in config else f"derived/{config}"


def tars_of(entries, config):
    """{split: [tar paths]} of a config's containers."""
    prefix = folder_of(config) + "/"
    out = {}
    for e in entries:
        path = e["path"]
        if (
            path.startswith(prefix)
            and path.endswith(".tar")
            and path.count("/") == prefix.count("/") + 1
        ):
            out.setdefault(path.rsplit("/", 1)[1][: -len(".tar")], []).append(path)
    return out


def file_sets(config, tars, members):
    """A FileSet of each config's record files, and one per kind of file in its tars
    (`*.image.jpg`, ...), contained in them."""
    everything = [{"@id": p} for ps in tars.values() for p in ps]
    sets = [
        {
            "@type": "cr:FileSet",
            "@id": f"{config}-records",
            "name": f"{config}-records",
            "description": f"the {config} records, one JSON Lines file per shard",
            "encodingFormat": FORMATS[".jsonl"],
            "includes": f"{folder_of(config)}/shard-*[0-9].jsonl",
        }
    ]
    for name in sorted(members):
        ext = name.rsplit(".", 1)[-1].lower()
        sets.append(
            {
                "@type": "cr:FileSet",
                "@id": f"{config}-{name}",
                "name": f"{config}-{name}",
                "description": f"the {config} files `<key>.{name}`",
                "containedIn": everything,
                "encodingFormat": MEDIA.get(ext, "application/octet-stream"),
                "includes": f"*.{name}",
            }
        )
    return sets


def field(record_set, name, dtype):
    return {
        "@type": "cr:Field",
        "@id": f"{record_set}/{name}",
        "name": name,
        "dataType": dtype,
        "source": {
            "fileObject": {"@id": f"{folder_of(record_set)}/{ROWS}"},
            "extract": {"column": name},
        },
    }


def splits_record_set(names):
    return {
        "@type": "cr:RecordSet",
        "@id": "splits",
        "name": "splits",
        "dataType": "cr:Split",
        "description": "the splits of the records (`all`: a dataset without splits)",
        "key": {"@id": "splits/name"},
        "field": [
            {"@type": "cr:Field", "@id": "splits/name", "name": "name", "dataType": "sc:Text"},
            {"@type": "cr:Field", "@id": "splits/url", "name": "url", "dataType": "sc:URL"},
        ],
        "data": [
            {"splits/name": n, "splits/url": SPLITS.get(n, f"cr:{n.capitalize()}Split")}
            for n in sorted(names)
        ],
    }


def record_set(dataset, stats, terms):
    licences = sorted(stats.licence_urls)
    named = "; ".join(f"{i} ({u})" if u else i for i, u in licences)
    fields = [field(dataset, n, t) for n, t in columns_of(dataset)]
    return {
        "@type": "cr:RecordSet",
        "@id": dataset,
        "name": dataset,
        "description": f"{stats.count} {dataset} records. Licences: {named}. Bound by the "
        f"terms in {terms}. Cite: {DESCRIPTORS[dataset].citation}",
        "key": {"@id": f"{dataset}/id"},
        "field": fields,
    }


def derived_record_set(name, count):
    return {
        "@type": "cr:RecordSet",
        "@id": name,
        "name": name,
        "description": f"{count} rows of the derived subset {name} (derived/{name}/)",
        "key": {"@id": f"{name}/id"},
        "field": [field(name, n, t) for n, t in columns_of(name)],
    }


def croissant(meta, stats_by_dataset, entries, hf_meta, configs):
    """The croissant.json document; `entries`: the manifest entries of the release's record
    files and containers, `configs`: {config: SplitStats} of what the release holds;
    stats_by_dataset: {dataset: DatasetStats of its released records}."""
    datasets = sorted(stats_by_dataset)
    names = [c["config_name"] for c in hf_meta["configs"]]
    licences = sorted({url or i for d in datasets for i, url in stats_by_dataset[d].licence_urls})
    terms = {d: f"terms/{d}.md" for d in datasets}
    distribution = [file_object(e) for e in entries]
    record_sets, splits = [], set()
    for name in names:
        stats = configs[name]
        members = set().union(*stats.members.values())
        distribution += file_sets(name, tars_of(entries, name), members)
        splits |= {s for s, n in stats.splits.items() if n}
        if name in stats_by_dataset:
            record_sets.append(record_set(name, stats_by_dataset[name], terms[name]))
        else:
            record_sets.append(derived_record_set(name, sum(stats.splits.values())))
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": meta["name"],
        "description": meta["description"],
        "version": meta["version"],
        "url": "README.md",
        "license": licences,
        "usageInfo": [terms[d] for d in datasets],
        "citeAs": " ".join(DESCRIPTORS[d].citation for d in datasets),
        "distribution": distribution,
        "recordSet": [splits_record_set(splits), *record_sets],
    }
