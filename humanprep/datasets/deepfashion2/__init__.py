"""DeepFashion2: password zips of `{train,validation,test}/image/NNNNNN.jpg` with
`annos/NNNNNN.json` (docs/formats.md#deepfashion2)."""

import re
from pathlib import Path

from humanprep.datasets.base import Derived, Descriptor, sorted_entries


def index(roots, side_files):
    items = {}
    for root in map(Path, roots):
        for image in sorted(root.glob("*/image/*.jpg")):
            split = image.parent.parent.name
            files = {"image": str(image)}
            anno = image.parent.parent / "annos" / f"{image.stem}.json"
            if anno.exists():
                files["annotation"] = str(anno)
            items[f"{split}/{image.stem}"] = files
    return sorted_entries(items), {}


def card_notes(spec, summary):
    """Which COCO dialect the released files speak."""
    if "deepfashion2" not in spec["coco"]:
        return []
    if (spec.get("coco_options") or {}).get("deepfashion2", {}).get("compat") == "official":
        return [
            "DeepFashion2 COCO files follow the official converter "
            "(evaluation/deepfashion2_to_coco.py): its category names, `area` = box "
            "w x h, the annotation files' values, its image and annotation ids "
            "(`info.convention`: official)"
        ]
    return [
        "DeepFashion2 COCO files follow humanprep's corrected convention: the data's "
        "category names, polygons clipped and validated, `area` = mask area "
        "(`info.convention`: corrected; `coco.deepfashion2.compat: official` gives "
        "the official converter's)"
    ]


def sheet_category(record):
    """The first garment's category: contact sheets spread over categories."""
    garments = (record.get("deepfashion2") or {}).get("garments") or []
    return garments[0]["category_name"] if garments else None


def categories(record):
    return [g["category_name"] for g in record["deepfashion2"]["garments"]]


DESCRIPTOR = Descriptor(
    name="deepfashion2",
    order=30,
    title="DeepFashion2",
    licence={
        "id": "deepfashion2-research-only",
        "url": "https://github.com/switchablenorms/DeepFashion2",
    },
    citation="Ge et al. DeepFashion2: A Versatile Benchmark for Detection, Pose "
    "Estimation, Segmentation and Re-Identification of Clothing Images. CVPR 2019.",
    how_to_obtain=(
        "Download train.zip, validation.zip and test.zip from the Google Drive folder linked "
        "in github.com/switchablenorms/DeepFashion2 and fill in the Google form linked there "
        "to receive the zip password."
    ),
    password_env="HUMANPREP_DEEPFASHION2_PASSWORD",
    demo_password="humanprep-demo-deepfashion2",
    item_member=re.compile(r"(^|/)image/[^/]+\.jpg$"),
    index=index,
    normaliser="humanprep.normalise.deepfashion2",
    demo="humanprep.demo.deepfashion2",
    coco="humanprep.coco.deepfashion2:export_dataset",
    coco_reads_files=False,  # sizes come from the records
    coco_derived=("fullbody",),
    coco_image_id="humanprep.coco.ids:deepfashion2_image_id",
    sheet="humanprep.report.sheets:deepfashion2_sheet",
    card_notes=card_notes,
    categories=categories,
    sheet_category=sheet_category,
    seconds_per_item=0.05,
    base_mem_mb=1000,
    derived=(
        Derived(
            "fullbody",
            "fullbody",
            0.02,
            report=("fullbody/accepted.png", "fullbody/rejected.png"),
            hf_view="records",
        ),
    ),
)
