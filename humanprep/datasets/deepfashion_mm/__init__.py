"""DeepFashion-MultiModal (Text2Human): full-body images with parsing maps, 21 keypoints,
DensePose, shape / fabric / colour labels and captions.

Item recognition lives here once: ITEM_MEMBER counts items from an archive's member names
(no unpacking), `index` lists them in the unpacked or indexed trees. Sources of every fact:
docs/formats.md, section DeepFashion-MultiModal.
"""

import re
from collections import defaultdict
from pathlib import Path, PurePosixPath

from humanprep.datasets.base import Descriptor, sorted_entries
from humanprep.datasets.deepfashion_mm.formats import (
    CAPTIONS_FILE,
    COLOUR_FILE,
    DENSEPOSE_SUFFIX,
    FABRIC_FILE,
    KEYPOINTS_LOC,
    KEYPOINTS_VIS,
    LICENCE,
    PARSING_SUFFIX,
    SHAPE_FILE,
)

CITATION = """@article{jiang2022text2human,
  title={Text2Human: Text-Driven Controllable Human Image Generation},
  author={Jiang, Yuming and Yang, Shuai and Qiu, Haonan and Wu, Wayne and Loy, Chen Change and Liu, Ziwei},
  journal={ACM Transactions on Graphics (TOG)},
  volume={41},
  number={4},
  articleno={162},
  pages={1--11},
  year={2022},
  publisher={ACM New York, NY, USA},
  doi={10.1145/3528223.3530104},
}

@inproceedings{liuLQWTcvpr16DeepFashion,
  author={Liu, Ziwei and Luo, Ping and Qiu, Shi and Wang, Xiaogang and Tang, Xiaoou},
  title={DeepFashion: Powering Robust Clothes Recognition and Retrieval with Rich Annotations},
  booktitle={Proceedings of IEEE Conference on Computer Vision and Pattern Recognition (CVPR)},
  month={June},
  year={2016},
}
"""  # noqa: E501 (a BibTeX author line is one line)
HOW_TO_OBTAIN = (
    "Download images.zip, segm.zip, keypoints.zip, densepose.zip, labels.zip and "
    "captions.json from the Google Drive folder linked in the Download Links table of "
    "github.com/yumingj/DeepFashion-MultiModal (one Drive file per row: image, parsing, "
    "keypoints, DensePose, labels, textual descriptions); no form and no password."
)
# The release card's note on this dataset (docs/formats.md, "Link to SHHQ").
CARD_NOTE = (
    "SHHQ-1.0 includes 9,991 full-body DeepFashion images, the source whose 12,701 full-body "
    "images DeepFashion-MultiModal annotates, so part of SHHQ's images and parsing maps most "
    "likely show the same images as this dataset (which ones is not published; SHHQ's maps "
    "use their own 16 classes)."
)


def categories(record):
    """Categories counted on the release card: the DeepFashion category of the image."""
    category = record["deepfashion_mm"].get("category")
    return [category] if category else []


# One item per image: every JPEG member (only images.zip holds JPEGs).
ITEM_MEMBER = re.compile(r"(^|/)[^/]+\.jpg$", re.IGNORECASE)

# Dataset-level files, by base name -> role in `side`.
SIDE_ROLES = {
    KEYPOINTS_LOC: "keypoints_loc",
    KEYPOINTS_VIS: "keypoints_vis",
    SHAPE_FILE: "shape",
    FABRIC_FILE: "fabric",
    COLOUR_FILE: "colour",
    CAPTIONS_FILE: "captions",
}


def _role(name):
    """(item stem, role) of a per-item file name, or None."""
    lower = name.lower()
    if lower.endswith(PARSING_SUFFIX):
        return name[: -len(PARSING_SUFFIX)], "parsing"
    if lower.endswith(DENSEPOSE_SUFFIX):
        return name[: -len(DENSEPOSE_SUFFIX)], "densepose"
    if lower.endswith(".jpg"):
        return name[: -len(".jpg")], "image"
    return None


def index(roots, side_files):
    """(entries, side): one entry per image stem with its `image`, `parsing` and `densepose`
    files; `side` maps keypoints_loc, keypoints_vis, shape, fabric, colour and captions to
    their file (found in a root, or among the un-archived side files, e.g. captions.json).

    Files are recognised by name wherever they sit, so a zip with or without its top folder
    reads the same. A parsing or DensePose file without its image gives an entry without
    `image` (normalisation quarantines it, naming the file)."""
    from humanprep import listing  # numpy underneath: not at import (Snakefile parse time)

    items, side = defaultdict(dict), {}
    found = [(PurePosixPath(n).name, ref) for root in roots for n, ref in listing.files(root)]
    found += [(Path(f).name, str(f)) for f in side_files]
    for name, ref in sorted(found):
        if name in SIDE_ROLES:
            side[SIDE_ROLES[name]] = ref
        elif role := _role(name):
            items[role[0]][role[1]] = ref
    return sorted_entries(items), dict(sorted(side.items()))


def card_notes(spec, summary):
    return [CARD_NOTE]


# Resources: a 750 x 1101 full-body item (image, parsing, DensePose) peaks at 106 MB
# (synthetic real-size item); the time per item: seconds_per_item below.


# What the release card says of it (humanprep.release.cardmeta lays it out).
CARD_FIELDS = (
    "gender and category (from the file name), `full_body`, parsing map 0-23 (PNG), "
    "DensePose PNG as shipped, 21 keypoints (COCO visibility), shape/fabric/colour "
    "labels, caption, `fixes`"
)
CARD_PEOPLE = (
    "photographs of real fashion models (DeepFashion In-shop), with human-annotated "
    "parsing, keypoints and labels and template-made captions"
)
CARD_BIASES = (
    "Upstream makes no statement on demographics. Professional e-commerce models in "
    "studio light, with categories of the DeepFashion In-shop catalogue."
)


# The heavy parts, imported when called (base.py: lazy fields).


def normaliser():
    from humanprep.datasets.deepfashion_mm import normalise

    return normalise


def build_demo(out_dir, **kwargs):
    from humanprep.datasets.deepfashion_mm import demo

    return demo.build(out_dir, **kwargs)


def export_coco(record_paths, normalised_dir, out_dir, derived_paths, options):
    from humanprep.datasets.deepfashion_mm import coco

    return coco.export_dataset(record_paths, normalised_dir, out_dir, derived_paths, options)


def contact_sheet(records, root, derived):
    from humanprep.datasets.deepfashion_mm import sheet

    return sheet.contact_sheet(records, root, derived)


def image_id(item_id):
    from humanprep.datasets.deepfashion_mm import coco

    return coco.image_id(item_id)


DESCRIPTOR = Descriptor(
    name="deepfashion_mm",
    order=60,
    title="DeepFashion-MultiModal (Text2Human)",
    licence=LICENCE,
    citation=CITATION,
    how_to_obtain=HOW_TO_OBTAIN,
    item_member=ITEM_MEMBER,
    index=index,
    normaliser=normaliser,
    demo=build_demo,
    coco=export_coco,
    coco_image_id=image_id,
    sheet=contact_sheet,
    card_notes=card_notes,
    categories=categories,
    tasks=("image-segmentation", "keypoint-detection", "text-to-image"),
    card_fields=CARD_FIELDS,
    card_people=CARD_PEOPLE,
    card_biases=CARD_BIASES,
    language=("en",),  # the captions
    croissant_columns=(("category", "category"),),
    seconds_per_item=0.074,  # bench/item_cost.py: 0.037 s at the real size, x2 headroom
    base_mem_mb=1000,  # the label files and captions of all 44,096 images: under 100 MB
)
