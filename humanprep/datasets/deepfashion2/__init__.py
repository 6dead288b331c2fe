"""DeepFashion2: password zips of `{train,validation,test}/image/NNNNNN.jpg` with
`annos/NNNNNN.json` (docs/formats.md#deepfashion2)."""

import re
from pathlib import Path

from humanprep.datasets.base import Derived, Descriptor, sorted_entries
from humanprep.errors import HumanprepError

# COCO image ids: file numbers restart in every split, so split code * 10^6 + number
# ("train/000123" -> 1000123, "validation/000123" -> 2000123).
SPLIT_CODES = {"train": 1, "validation": 2, "val": 2, "test": 3}
NUMBER_LIMIT = 1_000_000
_ID = re.compile(r"^(train|validation|val|test)/(\d+)$")


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


def image_id(item_id):
    match = _ID.match(item_id)
    if not match:
        raise HumanprepError(item_id, "DeepFashion2 id is not <split>/<number>")
    number = int(match.group(2))
    if number >= NUMBER_LIMIT:
        raise HumanprepError(item_id, f"image number {number} does not fit below 10^6")
    return SPLIT_CODES[match.group(1)] * NUMBER_LIMIT + number


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


# What the release card says of it (humanprep.release.cardmeta lays it out).
CARD_BIBTEX = """@inproceedings{ge2019deepfashion2,
  title={DeepFashion2: A Versatile Benchmark for Detection, Pose Estimation, Segmentation and Re-Identification of Clothing Images},
  author={Ge, Yuying and Zhang, Ruimao and Wu, Lingyun and Wang, Xiaogang and Tang, Xiaoou and Luo, Ping},
  booktitle={IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)},
  year={2019}
}"""  # noqa: E501 (a BibTeX field is one line)
CARD_FIELDS = (
    "`source` (shop/user), `pair_id`, and per garment: category id and name, `bbox` "
    "`[x1,y1,x2,y2]`, the category's own landmarks, polygons, scale, occlusion, zoom_in, "
    "viewpoint, style, and the `fixes` applied; `item_order`"
)
CARD_PEOPLE = (
    "photographs of real people: commercial shop images and consumer photos of worn clothing"
)
CARD_BIASES = (
    "Upstream makes no statement on demographics. Clothing from commercial shops and "
    "their customers' photos: fashion and body types of that market."
)


# The heavy parts, imported when called (base.py: lazy fields).


def normaliser():
    from humanprep.datasets.deepfashion2 import normalise

    return normalise


def build_demo(out_dir, **kwargs):
    from humanprep.datasets.deepfashion2 import demo

    return demo.build(out_dir, **kwargs)


def export_coco(record_paths, normalised_dir, out_dir, derived_paths, options):
    from humanprep.datasets.deepfashion2 import coco

    return coco.export_dataset(record_paths, normalised_dir, out_dir, derived_paths, options)


def contact_sheet(records, root, derived):
    from humanprep.datasets.deepfashion2 import sheet

    return sheet.contact_sheet(records, root, derived)


def category_names():
    from humanprep.datasets.deepfashion2.formats import CATEGORIES

    return CATEGORIES


def fullbody_code():
    from humanprep.datasets.deepfashion2 import fullbody

    return fullbody


def fullbody_sheets():
    from humanprep.datasets.deepfashion2 import sheet

    return sheet


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
    normaliser=normaliser,
    demo=build_demo,
    coco=export_coco,
    coco_reads_files=False,  # sizes come from the records
    coco_derived=("fullbody",),
    coco_image_id=image_id,
    sheet=contact_sheet,
    card_notes=card_notes,
    categories=categories,
    sheet_category=sheet_category,
    tasks=("object-detection", "image-segmentation", "keypoint-detection"),
    bibtex=CARD_BIBTEX,
    card_fields=CARD_FIELDS,
    card_people=CARD_PEOPLE,
    card_biases=CARD_BIASES,
    croissant_columns=(
        ("boxes", "garments[*].bbox"),
        ("categories", "garments[*].category_name"),
        ("landmarks", "garments[*].landmarks"),
    ),
    class_labels={("garments", "category_name"): category_names},
    seconds_per_item=0.01,  # bench/item_cost.py: 0.0050 s at the real size, x2 headroom
    base_mem_mb=1000,
    derived=(
        Derived(
            "fullbody",
            "fullbody",
            0.02,
            report=("fullbody/accepted.png", "fullbody/rejected.png"),
            hf_view="records",
            title="DeepFashion2 full-body",
            maker=fullbody_code,
            pages=fullbody_sheets,
        ),
    ),
)
