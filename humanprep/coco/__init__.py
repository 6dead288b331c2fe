"""COCO exports that pycocotools (and other COCO readers) load and evaluate.

One export per dataset, a folder `results/coco/<dataset>/` of COCO JSON files (one per
split, and for DeepFashion2 also the full-body subset's `*_fullbody.json`), nothing else
in it; the export's counts go to `results/coco/<dataset>.summary.json`. Layouts, id
scheme and decisions are documented in the modules: ids (stable image / annotation ids),
deepfashion2 (instances + landmarks in the 294-vector and per-category layouts), people
(FDH and SHHQ), celeba (face parts), masks (polygon validation, RLE, areas), writer
(deterministic, streamed JSON).

Every file: `images` and `annotations` sorted by id, coordinates rounded to 1/100 pixel,
keys sorted, bytes identical to `humanprep.io.dumps` of the document; `file_name` is the
image path relative to `results/normalised/<dataset>/` (the `info.images_root`), and
`record_id` the humanprep record id of the image.
"""

from humanprep.coco import celeba, deepfashion2, deepfashion2_official, people
from humanprep.coco.common import iter_records

DATASETS = ("deepfashion2", "fdh", "celeba", "shhq")  # HuGe100K has no COCO export


def export(dataset, record_paths, normalised_dir, out_dir, fullbody_paths=(), options=None):
    """Run one dataset's export over its shard record files (and, for DeepFashion2, the
    full-body subset's shard files); returns the summary. `options` is the config's `coco`
    section (DeepFashion2: `compat`, corrected or official)."""
    records = iter_records(record_paths)
    compat = ((options or {}).get("deepfashion2") or {}).get("compat", "corrected")
    if dataset == "deepfashion2" and compat == "official":
        result = export_deepfashion2_official(record_paths, out_dir, fullbody_paths)
    elif dataset == "deepfashion2":
        result = deepfashion2.export(records, out_dir)
        fullbody = deepfashion2.export(iter_records(fullbody_paths), out_dir, "_fullbody")
        result = {
            "compat": "corrected",
            "files": {**result["files"], **fullbody["files"]},
            "counts": result["counts"],
            "fullbody_counts": fullbody["counts"],
        }
    elif dataset == "fdh":
        result = people.export_fdh(records, out_dir, normalised_dir)
    elif dataset == "celeba":
        result = celeba.export(records, out_dir, normalised_dir)
    elif dataset == "shhq":
        result = people.export_shhq(records, out_dir, normalised_dir)
    else:
        raise ValueError(f"no COCO export for {dataset!r}")
    return {"dataset": dataset, **result}


def export_deepfashion2_official(record_paths, out_dir, fullbody_paths):
    first_ids = deepfashion2_official.first_annotation_ids(record_paths)
    result = deepfashion2_official.export(record_paths, out_dir, first_ids=first_ids)
    fullbody = deepfashion2_official.export(fullbody_paths, out_dir, "_fullbody", first_ids)
    return {
        "compat": "official",
        "files": {**result["files"], **fullbody["files"]},
        "counts": result["counts"],
        "fullbody_counts": fullbody["counts"],
    }
