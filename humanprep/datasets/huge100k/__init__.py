"""HuGe100K (IDOL): `flux_batch*/images*/{videos,param}/` with a reference image, a 24-view
video and SMPL-X + camera `.npy` per subject (docs/formats.md#huge100k)."""

import re
from pathlib import PurePosixPath

from humanprep.datasets.base import Derived, Descriptor, sorted_entries


def index(roots, side_files):
    from humanprep import listing  # numpy underneath: not at parse time

    items = {}
    for root in roots:
        refs = dict(listing.files(root))
        for name in sorted(refs):
            video = PurePosixPath(name)
            if video.suffix != ".mp4" or video.parent.name != "videos":
                continue
            group = video.parent.parent
            files = {"video": refs[name]}
            for role, path in (
                ("reference", video.with_suffix(".jpg")),
                ("params", group / "param" / f"{video.stem}.npy"),
            ):
                if str(path) in refs:
                    files[role] = refs[str(path)]
            items[f"{group.parent.name}/{group.name}/{video.stem}"] = files
    return sorted_entries(items), {}


# What the release card says of it (humanprep.release.cardmeta lays it out).
CARD_BIBTEX = """@inproceedings{zhuang2025idol,
  title={IDOL: Instant Photorealistic 3D Human Creation from a Single Image},
  author={Zhuang, Yiyu and Lv, Jiaxi and Wen, Hao and Shuai, Qing and Zeng, Ailing and Zhu, Hao and Chen, Shifeng and Yang, Yujiu and Cao, Xun and Liu, Wei},
  booktitle={IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)},
  pages={26308--26319},
  year={2025}
}"""  # noqa: E501 (a BibTeX field is one line)
CARD_FIELDS = (
    "attributes parsed from the file name, pose type by batch, named SMPL-X arrays, 24 "
    "cameras (`w2c` 4x4, `fx fy cx cy`), 24 view PNGs (frame i = view i)"
)
CARD_PEOPLE = (
    "synthetic people: images and 24-view videos made by generative models (IDOL), not "
    "photographs of real individuals; a `deepfashion/` part derives from DeepFashion "
    "photographs"
)
CARD_BIASES = (
    "Upstream (IDOL) generated its people to vary in age, gender, ethnicity, body shape "
    "and clothing (the attributes in its file names); the generators' own biases carry "
    "over, and the synthetic images are not a sample of real people."
)


# The heavy parts, imported when called (base.py: lazy fields).


def normaliser():
    from humanprep.datasets.huge100k import normalise

    return normalise


def build_demo(out_dir, **kwargs):
    from humanprep.datasets.huge100k import demo

    return demo.build(out_dir, **kwargs)


def contact_sheet(records, root, derived):
    from humanprep.datasets.huge100k import sheet

    return sheet.contact_sheet(records, root, derived)


def views_code():
    from humanprep.datasets.huge100k import views

    return views


def hf_schema(piece):
    from humanprep.datasets.huge100k import torchnpy

    return torchnpy.type_smpl(piece)


DESCRIPTOR = Descriptor(
    name="huge100k",
    order=40,
    title="HuGe100K (IDOL)",
    licence={
        "id": "huge100k-research-only",
        "url": "https://huggingface.co/datasets/yiyuzhuang/HuGe100K",
    },
    citation="Zhuang et al. IDOL: Instant Photorealistic 3D Human Creation from a Single "
    "Image. CVPR 2025.",
    how_to_obtain=(
        "Request access with the Google form linked from github.com/yiyuzhuang/IDOL (Access "
        "the Dataset); pack the delivered HuGe100K/ folder as HuGe100K.tar (tar -cf "
        "HuGe100K.tar HuGe100K) and register it: humanprep register huge100k HuGe100K.tar."
    ),
    item_member=re.compile(r"(^|/)videos/[^/]+\.mp4$"),
    index=index,
    normaliser=normaliser,
    demo=build_demo,
    sheet=contact_sheet,
    sheet_derived=("views",),
    hf_schema=hf_schema,
    tasks=("image-to-3d",),
    bibtex=CARD_BIBTEX,
    card_fields=CARD_FIELDS,
    card_people=CARD_PEOPLE,
    card_biases=CARD_BIASES,
    croissant_columns=(("pose_type", "pose_type"),),
    seconds_per_item=0.18,  # bench/item_cost.py: 0.088 s (H.264 decode), x2 headroom
    base_mem_mb=2000,
    derived=(
        Derived(
            "views",
            "views",
            0.01,
            files=True,
            hf_view="views",
            title="HuGe100K views",
            maker=views_code,
        ),
    ),
)
