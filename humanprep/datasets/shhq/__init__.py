"""SHHQ-1.0 (StyleGAN-Human): one password zip of full-body images, segment masks,
parsing maps and a 25-point keypoint list (docs/formats.md#shhq)."""

import re
from collections import defaultdict
from pathlib import Path

from humanprep.datasets.base import Derived, Descriptor, only, sorted_entries
from humanprep.errors import HumanprepError

_ID = re.compile(r"^image_(\d+)$")


def index(roots, side_files):
    items, side = defaultdict(dict), {}
    for root in map(Path, roots):
        base = only(sorted(root.glob("*/no_segment")), "no_segment folder", root).parent
        for image in sorted((base / "no_segment").glob("*.jpg")):
            files = items[image.stem]
            files["image"] = str(image)
            for role in ("segments", "parsing"):
                for cand in sorted((base / role).glob(f"{image.stem}.*")):
                    files[role] = str(cand)
        side["keypoints"] = str(only(sorted(base.glob("*ldmk*.txt")), "keypoint list", base))
    return sorted_entries(items), side


def image_id(item_id):
    """COCO image id: the number in `image_NNNNNN` ("image_000017" -> 17)."""
    match = _ID.match(item_id)
    if not match:
        raise HumanprepError(item_id, "SHHQ id is not image_<number>")
    return int(match.group(1))


# What the release card says of it (humanprep.release.cardmeta lays it out).
CARD_BIBTEX = """@inproceedings{fu2022styleganhuman,
  title={StyleGAN-Human: A Data-Centric Odyssey of Human Generation},
  author={Fu, Jianglin and Li, Shikai and Jiang, Yuming and Lin, Kwan-Yee and Qian, Chen and Loy, Chen Change and Wu, Wayne and Liu, Ziwei},
  booktitle={European Conference on Computer Vision (ECCV)},
  year={2022}
}"""  # noqa: E501 (a BibTeX field is one line)
CARD_FIELDS = (
    "person mask (0/255 PNG), parsing map as class ids 0-16 (PNG), 25 OpenPose BODY_25 "
    "keypoints `[x, y, v]` and their status"
)
CARD_PEOPLE = (
    "photographs of real people: crawled CC-BY-2.0 images, purchased images, 9,991 "
    "DeepFashion In-shop images and 1,940 InFashAI images (StyleGAN-Human "
    "docs/Dataset.md); its agreement asks users to delete data on the owners' request"
)
CARD_BIASES = (
    "Upstream: StyleGAN-Human added InFashAI images to broaden the dataset beyond "
    "DeepFashion's e-commerce models, and its paper studies the data's distribution of "
    "pose, face orientation and clothing texture (long-tailed). Full-body, mostly "
    "frontal, standing people."
)


# The heavy parts, imported when called (base.py: lazy fields).
def normaliser():
    from humanprep.datasets.shhq import normalise

    return normalise


def build_demo(out_dir, **kwargs):
    from humanprep.datasets.shhq import demo

    return demo.build(out_dir, **kwargs)


def export_coco(record_paths, normalised_dir, out_dir, derived_paths, options):
    from humanprep.datasets.shhq import coco

    return coco.export_dataset(record_paths, normalised_dir, out_dir, derived_paths, options)


def contact_sheet(records, root, derived):
    from humanprep.datasets.shhq import sheet

    return sheet.contact_sheet(records, root, derived)


def composite_code():
    from humanprep.datasets.shhq import composite

    return composite


def composite_sheets():
    from humanprep.datasets.shhq import sheet

    return sheet


DESCRIPTOR = Descriptor(
    name="shhq",
    order=10,
    title="SHHQ-1.0 (StyleGAN-Human)",
    licence={"id": "shhq-1.0-research-only", "url": "https://stylegan-human.github.io/"},
    citation="Fu et al. StyleGAN-Human: A Data-Centric Odyssey of Human Generation. ECCV 2022.",
    how_to_obtain=(
        "SHHQ-1.0.zip is in the public Google Drive folder linked from docs/Dataset.md of "
        "github.com/stylegan-human/StyleGAN-Human, which also gives the zip password."
    ),
    password_env="HUMANPREP_SHHQ_PASSWORD",
    demo_password="humanprep-demo-shhq",
    item_member=re.compile(r"(^|/)no_segment/[^/]+\.jpg$"),
    index=index,
    normaliser=normaliser,
    demo=build_demo,
    coco=export_coco,
    coco_image_id=image_id,
    sheet=contact_sheet,
    tasks=("image-segmentation", "keypoint-detection", "unconditional-image-generation"),
    bibtex=CARD_BIBTEX,
    card_fields=CARD_FIELDS,
    card_people=CARD_PEOPLE,
    card_biases=CARD_BIASES,
    croissant_columns=(("keypoints", "keypoints"),),
    seconds_per_item=0.047,  # bench/item_cost.py: 0.023 s at the real size, x2 headroom
    base_mem_mb=1000,
    derived=(
        Derived(
            "composite",
            "composites",
            0.5,
            summary=False,
            option="composite.shhq",
            files=True,
            report=("derived/shhq_composites.png",),
            hf_view="composite",
            title="SHHQ composites",
            maker=composite_code,
            pages=composite_sheets,
        ),
    ),
)
