"""COCO exports that pycocotools (and other COCO readers) load and evaluate.

One export per dataset, a folder `results/coco/<dataset>/` of COCO JSON files (one per
split, and for DeepFashion2 also the full-body subset's `*_fullbody.json`), nothing else
in it; the export's counts go to `results/coco/<dataset>.summary.json`. Layouts, id
scheme and decisions are documented in the modules: ids (stable image / annotation ids),
people (person keypoints and masks), masks (polygon validation, RLE, areas), writer
(deterministic, streamed JSON), and each dataset's own `coco.py` in its folder.

Every file: `images` and `annotations` sorted by id, coordinates rounded to 1/100 pixel,
keys sorted, bytes identical to `humanprep.io.dumps` of the document; `file_name` is the
image's member name in the store (`humanprep export images` writes the images under one
folder by these names: the `info.images_root`), and
`record_id` the humanprep record id of the image.
"""

from humanprep.datasets import DESCRIPTORS

# Datasets with a COCO export (their descriptor names one).
DATASETS = tuple(d.name for d in DESCRIPTORS.values() if d.coco)


def export(dataset, record_paths, normalised_dir, out_dir, derived_paths=(), options=None):
    """Run the dataset's export (its descriptor's `coco`) over its shard record files and
    the shard records of the derived subsets it also exports (its `coco_derived`);
    returns the summary. `options` is the config's `coco` section."""
    descriptor = DESCRIPTORS[dataset]
    if not descriptor.coco:
        raise ValueError(f"no COCO export for {dataset!r}")
    result = descriptor.coco(record_paths, normalised_dir, out_dir, derived_paths, options or {})
    return {"dataset": dataset, **result}
