"""SHHQ-1.0 (StyleGAN-Human): one password zip of full-body images, segment masks,
parsing maps and a 25-point keypoint list (docs/formats.md#shhq)."""

import re
from collections import defaultdict
from pathlib import Path

from humanprep.datasets.base import Derived, Descriptor, only, sorted_entries


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
    normaliser="humanprep.normalise.shhq",
    demo="humanprep.demo.shhq",
    coco="humanprep.coco.people:export_shhq_dataset",
    coco_image_id="humanprep.coco.ids:shhq_image_id",
    sheet="humanprep.report.sheets:shhq_sheet",
    seconds_per_item=0.05,
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
        ),
    ),
)
