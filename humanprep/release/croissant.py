"""croissant.json: the release described in Croissant 1.0 (MLCommons), the machine-readable
dataset metadata that hubs, search engines and dataset tracks read.

Files: every record shard and every typed Parquet file of the Hugging Face view as a
FileObject with its sha256; per dataset a FileSet of its Parquet files and one of its
images. One RecordSet per dataset, with typed fields, read from the Parquet files (typed
columns: JSON Lines would go through pandas' type guessing, which turns the id "0001307"
into the number 1307). Licences and the terms each dataset is bound by are named per
record set and listed at the top; citations are those the terms ask for (descriptors).
"""

from humanprep.datasets import DESCRIPTORS

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

# (field, Croissant data type, a record's top-level key, JSON path inside it or None)
FIELDS = (
    ("id", "sc:Text", "id", None),
    ("split", "sc:Text", "split", None),
    ("license", "sc:Text", "license", "id"),
    ("image_path", "sc:Text", "image_info", "path"),
    ("image_width", "sc:Integer", "image_info", "width"),
    ("image_height", "sc:Integer", "image_info", "height"),
    ("image_sha256", "sc:Text", "image_info", "sha256"),
    ("image_reencoded", "sc:Text", "image_info", "reencoded"),
)
MEDIA = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}


FORMATS = {".jsonl": "application/jsonlines", ".parquet": "application/x-parquet"}


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


def file_sets(dataset, stats, parquet):
    sets = [
        {
            "@type": "cr:FileSet",
            "@id": f"{dataset}-records",
            "name": f"{dataset}-records",
            "description": f"the {dataset} records, typed, one Parquet file per split",
            "encodingFormat": FORMATS[".parquet"],
            "includes": parquet,
        }
    ]
    for ext in sorted(stats.image_exts):
        sets.append(
            {
                "@type": "cr:FileSet",
                "@id": f"{dataset}-images-{ext}",
                "name": f"{dataset}-images-{ext}",
                "description": f"the {dataset} images (.{ext})",
                "encodingFormat": MEDIA.get(ext.lower(), "application/octet-stream"),
                "includes": f"{dataset}/shard-*/*/image.{ext}",
            }
        )
    return sets


def source(dataset, column, path):
    out = {"fileSet": {"@id": f"{dataset}-records"}, "extract": {"column": column}}
    if path:
        out["transform"] = {"jsonPath": path}
    return out


def record_set(dataset, stats, terms):
    licences = sorted(stats.licence_urls)
    named = "; ".join(f"{i} ({u})" if u else i for i, u in licences)
    fields = [
        {
            "@type": "cr:Field",
            "@id": f"{dataset}/{name}",
            "name": name,
            "dataType": dtype,
            "source": source(dataset, column, path),
        }
        for name, dtype, column, path in FIELDS
    ]
    return {
        "@type": "cr:RecordSet",
        "@id": dataset,
        "name": dataset,
        "description": f"{stats.count} {dataset} records. Licences: {named}. Bound by the "
        f"terms in {terms}. Cite: {DESCRIPTORS[dataset].citation}",
        "key": {"@id": f"{dataset}/id"},
        "field": fields,
    }


def parquet_files(hf_meta, dataset):
    config = next(c for c in hf_meta["configs"] if c["config_name"] == dataset)
    return [split["path"][0] for split in config["data_files"]]


def croissant(meta, stats_by_dataset, entries, hf_meta):
    """The croissant.json document; `entries`: the manifest entries of the release files,
    `hf_meta`: the Hugging Face view (its Parquet files); stats_by_dataset: {dataset:
    DatasetStats of its released records}."""
    datasets = sorted(d for d, stats in stats_by_dataset.items() if stats.count)  # not empty
    parquet = {d: parquet_files(hf_meta, d) for d in datasets}
    listed = {p for ps in parquet.values() for p in ps}
    files = [
        e
        for e in entries
        if e["path"] in listed
        or (
            e["kind"] == "records"
            and e["path"].split("/")[0] in datasets
            and e["path"].count("/") == 1
        )
    ]
    licences = sorted({url or i for d in datasets for i, url in stats_by_dataset[d].licence_urls})
    terms = {d: f"terms/{d}.md" for d in datasets}
    distribution = [file_object(e) for e in files]
    for dataset in datasets:
        distribution += file_sets(dataset, stats_by_dataset[dataset], parquet[dataset])
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
        "recordSet": [record_set(d, stats_by_dataset[d], terms[d]) for d in datasets],
    }
