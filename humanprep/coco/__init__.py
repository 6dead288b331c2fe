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
image path relative to the dataset's folder, `info.images_root` = `<dataset>`: the folder of
that name in a release (beside `coco/`), `results/normalised/<dataset>/` in a run; and
`record_id` the humanprep record id of the image.
"""

from humanprep.datasets import DESCRIPTORS, load

# Datasets with a COCO export (their descriptor names one; HuGe100K has none).
DATASETS = tuple(d.name for d in DESCRIPTORS.values() if d.coco)


def export(dataset, record_paths, normalised_dir, out_dir, derived_paths=(), options=None):
    """Run the dataset's export (its descriptor's `coco`) over its shard record files and
    the shard records of the derived subsets it also exports (DeepFashion2: full-body);
    returns the summary. `options` is the config's `coco` section."""
    descriptor = DESCRIPTORS[dataset]
    if not descriptor.coco:
        raise ValueError(f"no COCO export for {dataset!r}")
    exporter = load(descriptor.coco)
    result = exporter(record_paths, normalised_dir, out_dir, derived_paths, options or {})
    return {"dataset": dataset, **result}
