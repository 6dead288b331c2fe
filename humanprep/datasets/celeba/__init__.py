"""Multi-Modal-CelebA-HQ with CelebAMask-HQ: faces, per-part masks (19 classes), 10
captions per image and the split files (docs/formats.md#celeba)."""

import re
from collections import defaultdict
from pathlib import PurePosixPath

from humanprep.datasets.base import Derived, Descriptor, sorted_entries

MASK = re.compile(r"^(\d{5})_([a-z_]+)\.png$")
SIDE = (
    "CelebA-HQ-to-CelebA-mapping.txt",
    "CelebAMask-HQ-attribute-anno.txt",
    "CelebAMask-HQ-pose-anno.txt",
)
# The split rules a user can choose (normalise.celeba.split) and how the card names them.
SPLIT_RULES = {
    "celeba": "CelebA's own partition (list_eval_partition)",
    "celebamask_hq": "CelebAMask-HQ's g_partition.py",
}


def index(roots, side_files):
    from humanprep import listing  # numpy underneath: not at parse time

    items, side = defaultdict(dict), {}
    for root in roots:
        for name, ref in sorted(listing.files(root)):
            path = PurePosixPath(name)
            folder = path.parent.name
            if folder == "CelebA-HQ-img" and path.suffix == ".jpg":
                items[f"{int(path.stem):05d}"]["image"] = ref
            elif path.parent.parent.name == "CelebAMask-HQ-mask-anno" and path.suffix == ".png":
                match = MASK.match(path.name)
                if match:
                    items[match.group(1)][f"mask_{match.group(2)}"] = ref
            elif folder == "celeba-caption" and path.suffix == ".txt":
                items[f"{int(path.stem):05d}"]["captions"] = ref
            elif path.name in SIDE:
                side[path.name] = ref
            elif path.name == "filenames.pickle":
                side[f"{folder}/filenames.pickle"] = ref
    return sorted_entries(items), side


def card_notes(spec, summary):
    """Which split rule the records follow, and the counts under each."""
    if not summary.get("splits_by_policy"):
        return []
    policy = summary.get("split_policy") or "celeba"
    counts = "; ".join(
        f"{SPLIT_RULES.get(name, name)}: "
        + ", ".join(f"{split} {n}" for split, n in sorted(splits.items()))
        for name, splits in sorted(summary["splits_by_policy"].items())
    )
    return [
        f"CelebA splits follow {SPLIT_RULES.get(policy, policy)} (`normalise.celeba.split: "
        f"{policy}`). Items per split under each rule, before selection: {counts}"
    ]


def categories(record):
    return list(record["celeba"]["parts"])


# What the release card says of it (humanprep.release.cardmeta lays it out).
CARD_BIBTEX = """@inproceedings{xia2021tedigan,
  title={TediGAN: Text-Guided Diverse Face Image Generation and Manipulation},
  author={Xia, Weihao and Yang, Yujiu and Xue, Jing-Hao and Wu, Baoyuan},
  booktitle={IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)},
  year={2021}
}

@inproceedings{lee2020maskgan,
  title={MaskGAN: Towards Diverse and Interactive Facial Image Manipulation},
  author={Lee, Cheng-Han and Liu, Ziwei and Wu, Lingyun and Luo, Ping},
  booktitle={IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)},
  year={2020}
}

@inproceedings{karras2018progressive,
  title={Progressive Growing of {GAN}s for Improved Quality, Stability, and Variation},
  author={Karras, Tero and Aila, Timo and Laine, Samuli and Lehtinen, Jaakko},
  booktitle={International Conference on Learning Representations (ICLR)},
  year={2018}
}

@inproceedings{liu2015faceattributes,
  title={Deep Learning Face Attributes in the Wild},
  author={Liu, Ziwei and Luo, Ping and Wang, Xiaogang and Tang, Xiaoou},
  booktitle={IEEE International Conference on Computer Vision (ICCV)},
  year={2015}
}"""
CARD_FIELDS = (
    "label map 0-18 in the official part order, parts present, 10 captions, CelebA "
    "original index and split, the published split and the `split_policy` used"
)
CARD_PEOPLE = (
    "photographs of celebrities' faces (CelebA, via CelebA-HQ), with machine-made "
    "captions of facial attributes"
)
CARD_BIASES = (
    "Upstream makes no statement on demographics. CelebA holds faces of celebrities; its "
    "captions are generated from its binary attribute labels, so they carry those labels' "
    "judgements (e.g. attractive, young)."
)


# The heavy parts, imported when called (base.py: lazy fields).


def normaliser():
    from humanprep.datasets.celeba import normalise

    return normalise


def build_demo(out_dir, **kwargs):
    from humanprep.datasets.celeba import demo

    return demo.build(out_dir, **kwargs)


def export_coco(record_paths, normalised_dir, out_dir, derived_paths, options):
    from humanprep.datasets.celeba import coco

    return coco.export_dataset(record_paths, normalised_dir, out_dir, derived_paths, options)


def contact_sheet(records, root, derived):
    from humanprep.datasets.celeba import sheet

    return sheet.contact_sheet(records, root, derived)


def sketch_code():
    from humanprep.datasets.celeba import sketch

    return sketch


def split_counts():
    from humanprep.datasets.celeba import normalise

    return normalise.SplitCounts()


def parts():
    from humanprep.datasets.celeba.formats import PARTS

    return PARTS


def sketch_sheets():
    from humanprep.datasets.celeba import sketch_ink

    return sketch_ink


DESCRIPTOR = Descriptor(
    name="celeba",
    order=50,
    title="Multi-Modal-CelebA-HQ with CelebAMask-HQ",
    licence={
        "id": "celebamask-hq-non-commercial-research",
        "url": "https://github.com/switchablenorms/CelebAMask-HQ",
    },
    citation="Xia et al. TediGAN: Text-Guided Diverse Face Image Generation and Manipulation. "
    "CVPR 2021. Lee et al. MaskGAN: Towards Diverse and Interactive Facial Image Manipulation. "
    "CVPR 2020. Karras et al. Progressive Growing of GANs for Improved Quality, Stability, and "
    "Variation. ICLR 2018. Liu et al. Deep Learning Face Attributes in the Wild. ICCV 2015.",
    how_to_obtain=(
        "Download CelebAMask-HQ.zip from the link in github.com/switchablenorms/CelebAMask-HQ; "
        "pack the Multi-Modal-CelebA-HQ captions and split files (text/celeba-caption/, "
        "train/filenames.pickle, test/filenames.pickle from github.com/IIGROUP/"
        "MM-CelebA-HQ-Dataset) as multimodal-celeba-hq.zip."
    ),
    item_member=re.compile(r"(^|/)CelebA-HQ-img/[^/]+\.jpg$"),
    index=index,
    normaliser=normaliser,
    demo=build_demo,
    coco=export_coco,
    sheet=contact_sheet,
    sheet_derived=("sketch",),
    summary_counter=split_counts,
    card_notes=card_notes,
    categories=categories,
    tasks=("image-segmentation", "text-to-image", "image-to-image"),
    bibtex=CARD_BIBTEX,
    card_fields=CARD_FIELDS,
    card_people=CARD_PEOPLE,
    card_biases=CARD_BIASES,
    language=("en",),  # the captions
    croissant_columns=(("parts", "parts"), ("captions", "captions")),
    class_labels={("parts",): parts},
    seconds_per_item=0.12,  # bench/item_cost.py: 0.055 s at the real size, x2 headroom
    base_mem_mb=1500,
    derived=(
        Derived(
            "sketch",
            "sketches",
            0.5,
            files=True,
            hf_view="sketch",
            report=("sketch/celeba_ink.html",),
            title="CelebA sketch maps",
            maker=sketch_code,
            pages=sketch_sheets,
        ),
    ),  # fmt: skip
)
