"""What the release card says besides counts and layout: the Hub metadata (licence,
pretty_name, task categories, size category, gating notice) and the prose sections a
card of pictures of people needs (fields, personal data and consent, known biases, uses,
BibTeX). Kept apart from card.py, which lays out counts, configs and snippets.

Field by field against the Hub's dataset card (hub-docs datasetcard.md, huggingface_hub
templates/datasetcard_template.md): see `TEMPLATE_GAPS` for what is not filled.
"""

from humanprep.datasets import DESCRIPTORS

# Hub licence ids (hf.co/docs/hub/repositories-licenses) of the licences records carry;
# CC BY-SA 2.0 and every dataset's own research terms have none: `other`, named.
HUB_LICENCES = {
    "CC-BY-2.0": "cc-by-2.0",
    "CC-BY-NC-2.0": "cc-by-nc-2.0",
    "CC-BY-NC-SA-2.0": "cc-by-nc-sa-2.0",
}

# Hub task ids (huggingface.js packages/tasks pipelines) each dataset's annotations serve.
TASKS = {
    "shhq": ("image-segmentation", "keypoint-detection", "unconditional-image-generation"),
    "fdh": ("keypoint-detection", "image-segmentation", "image-to-image"),
    "deepfashion2": ("object-detection", "image-segmentation", "keypoint-detection"),
    "huge100k": ("image-to-3d",),
    "celeba": ("image-segmentation", "text-to-image", "image-to-image"),
    "deepfashion_mm": ("image-segmentation", "keypoint-detection", "text-to-image"),
}

SIZES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"))
SIZES += ((1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"))

BIBTEX = {
    "shhq": """@inproceedings{fu2022styleganhuman,
  title={StyleGAN-Human: A Data-Centric Odyssey of Human Generation},
  author={Fu, Jianglin and Li, Shikai and Jiang, Yuming and Lin, Kwan-Yee and Qian, Chen and Loy, Chen Change and Wu, Wayne and Liu, Ziwei},
  booktitle={European Conference on Computer Vision (ECCV)},
  year={2022}
}""",  # noqa: E501 (a BibTeX field is one line)
    "fdh": """@inproceedings{hukkelas2023deepprivacy2,
  title={DeepPrivacy2: Towards Realistic Full-Body Anonymization},
  author={Hukkel{\\aa}s, H{\\aa}kon and Lindseth, Frank},
  booktitle={IEEE/CVF Winter Conference on Applications of Computer Vision (WACV)},
  year={2023}
}""",
    "deepfashion2": """@inproceedings{ge2019deepfashion2,
  title={DeepFashion2: A Versatile Benchmark for Detection, Pose Estimation, Segmentation and Re-Identification of Clothing Images},
  author={Ge, Yuying and Zhang, Ruimao and Wu, Lingyun and Wang, Xiaogang and Tang, Xiaoou and Luo, Ping},
  booktitle={IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)},
  year={2019}
}""",  # noqa: E501 (a BibTeX field is one line)
    "huge100k": """@inproceedings{zhuang2025idol,
  title={IDOL: Instant Photorealistic 3D Human Creation from a Single Image},
  author={Zhuang, Yiyu and Lv, Jiaxi and Wen, Hao and Shuai, Qing and Zeng, Ailing and Zhu, Hao and Chen, Shifeng and Yang, Yujiu and Cao, Xun and Liu, Wei},
  booktitle={IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)},
  pages={26308--26319},
  year={2025}
}""",  # noqa: E501 (a BibTeX field is one line)
    "celeba": """@inproceedings{xia2021tedigan,
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
}""",
}


def bibtex(dataset):
    """The dataset's BibTeX (DeepFashion-MultiModal's descriptor carries its own)."""
    return BIBTEX.get(dataset) or DESCRIPTORS[dataset].citation


# One line per field of the records (README, "The record schema").
COMMON_FIELDS = (
    ("dataset, id, split", "the dataset's key; a stable id, unique within the dataset; split "
     "`train`/`val`/`test`, or `all` where the dataset has none (the `train` split of the "
     "Hugging Face view and of `humanprep.load`)"),
    ("image", "in the Hugging Face view the decoded picture; in the records its file: `path`, "
     "`width`, `height`, `sha256`, `format`, `reencoded` (null when the original bytes were "
     "kept, else why), perceptual `fingerprint` (`image_info` in the Hugging Face view)"),
    ("license, attribution", "licence id and URL; author, title, source URL and Flickr NSID "
     "where known (FDH)"),
)  # fmt: skip
DATASET_FIELDS = {
    "shhq": "person mask (0/255 PNG), parsing map as class ids 0-16 (PNG), 25 OpenPose "
    "BODY_25 keypoints `[x, y, v]` and their status",
    "fdh": "masks, COCO-17 keypoints in pixels (units detected per file), CSE vertices "
    "`.npy` as shipped, the source tar, YFCC100M line index and date taken",
    "deepfashion2": "`source` (shop/user), `pair_id`, and per garment: category id and "
    "name, `bbox` `[x1,y1,x2,y2]`, the category's own landmarks, polygons, scale, "
    "occlusion, zoom_in, viewpoint, style, and the `fixes` applied; `item_order`",
    "huge100k": "attributes parsed from the file name, pose type by batch, named SMPL-X "
    "arrays, 24 cameras (`w2c` 4x4, `fx fy cx cy`), 24 view PNGs (frame i = view i)",
    "celeba": "label map 0-18 in the official part order, parts present, 10 captions, "
    "CelebA original index and split, the published split and the `split_policy` used",
    "deepfashion_mm": "gender and category (from the file name), `full_body`, parsing map "
    "0-23 (PNG), DensePose PNG as shipped, 21 keypoints (COCO visibility), "
    "shape/fabric/colour labels, caption, `fixes`",
}

# Who is in the pictures and how they got there (upstream's documentation, docs/formats.md
# and registry/upstream/SOURCES.md).
PEOPLE = {
    "shhq": "photographs of real people: crawled CC-BY-2.0 images, purchased images, "
    "9,991 DeepFashion In-shop images and 1,940 InFashAI images (StyleGAN-Human "
    "docs/Dataset.md); its agreement asks users to delete data on the owners' request",
    "fdh": "Flickr photographs of real people (YFCC100M) under Creative Commons licences, "
    "with author and source URL per image (ATTRIBUTION.csv); Flickr users may opt out, and "
    "`normalise.fdh.opt_out_nsids` removes their images before anything is written",
    "deepfashion2": "photographs of real people: commercial shop images and consumer photos "
    "of worn clothing",
    "huge100k": "synthetic people: images and 24-view videos made by generative models "
    "(IDOL), not photographs of real individuals; a `deepfashion/` part derives from "
    "DeepFashion photographs",
    "celeba": "photographs of celebrities' faces (CelebA, via CelebA-HQ), with machine-made "
    "captions of facial attributes",
    "deepfashion_mm": "photographs of real fashion models (DeepFashion In-shop), with "
    "human-annotated parsing, keypoints and labels and template-made captions",
}

# Upstream's own statements about who is represented, where it makes one; else what the
# composition implies.
BIASES = {
    "shhq": "Upstream: StyleGAN-Human added InFashAI images to broaden the dataset beyond "
    "DeepFashion's e-commerce models, and its paper studies the data's distribution of "
    "pose, face orientation and clothing texture (long-tailed). Full-body, mostly frontal, "
    "standing people.",
    "fdh": "Upstream makes no statement on demographics. Flickr photographs of people "
    "selected by a detector: who uses Flickr, and what the detector finds, decide who is in "
    "it.",
    "deepfashion2": "Upstream makes no statement on demographics. Clothing from commercial "
    "shops and their customers' photos: fashion and body types of that market.",
    "huge100k": "Upstream (IDOL) generated its people to vary in age, gender, ethnicity, "
    "body shape and clothing (the attributes in its file names); the generators' own biases "
    "carry over, and the synthetic images are not a sample of real people.",
    "celeba": "Upstream makes no statement on demographics. CelebA holds faces of "
    "celebrities; its captions are generated from its binary attribute labels, so they carry "
    "those labels' judgements (e.g. attractive, young).",
    "deepfashion_mm": "Upstream makes no statement on demographics. Professional e-commerce "
    "models in studio light, with categories of the DeepFashion In-shop catalogue.",
}

GATING = (
    "This release holds data of several upstream datasets, each bound by its own terms "
    "(terms/<dataset>.md): research use only, no redistribution, no identification of the "
    "people shown. You must have obtained and accepted each dataset's terms upstream (its "
    "official form or agreement) before access; this release does not grant them."
)

# Parts of the Hub's template this card does not fill, and why.
TEMPLATE_GAPS = (
    "language_creators, language_details, task_ids, paperswithcode_id, train-eval-index: "
    "not stated (captions are English; no single benchmark task)",
    "dataset_info download_size and dataset_size: images are referenced, not embedded",
    "Curated by / Shared by / Dataset Card Contact / Dataset Card Authors: whoever builds "
    "the release (release.description says it)",
    "Annotation process and annotators: each upstream paper; not restated",
    "APA citation: BibTeX only; Glossary: none",
)


def size_category(n):
    return next((label for limit, label in SIZES if n < limit), "n>1T")


def hub_licences(stats_by_dataset):
    """(sorted Hub licence ids, {dataset: [(licence id, url)]}) of the released records."""
    ids, per_dataset = set(), {}
    for dataset, stats in sorted(stats_by_dataset.items()):
        found = sorted(stats.licence_urls) or [(DESCRIPTORS[dataset].licence["id"], "")]
        per_dataset[dataset] = found
        ids.update(HUB_LICENCES.get(i, "other") for i, _ in found)
    return sorted(ids), per_dataset


def card_metadata(meta, stats_by_dataset):
    """The Hub metadata the card's YAML opens with, before the view's configs."""
    ids, per_dataset = hub_licences(stats_by_dataset)
    released = [d for d in DESCRIPTORS if d in stats_by_dataset]
    titles = ", ".join(DESCRIPTORS[d].title for d in released)
    total = sum(s.count for s in stats_by_dataset.values())
    out = {
        "pretty_name": f"{meta['name']} {meta['version']} ({titles})",
        "license": ids if len(ids) > 1 else ids[0],
    }
    if "other" in ids:
        others = [
            f"{d}: {i}" for d, found in per_dataset.items() for i, _ in found
            if HUB_LICENCES.get(i, "other") == "other"
        ]  # fmt: skip
        out["license_name"] = "per-dataset-terms"
        out["license_link"] = "README.md"  # this card: its Licences section and terms/
        out["license_details"] = "; ".join(others)
    tasks = sorted({t for d in released for t in TASKS.get(d, ())})
    out["task_categories"] = tasks
    out["size_categories"] = [size_category(total)]
    if {"celeba", "deepfashion_mm"} & set(released):
        out["language"] = ["en"]  # the captions
    out["tags"] = ["humans", "people", "research-only"]
    out["source_datasets"] = [DESCRIPTORS[d].title for d in released]
    out["extra_gated_prompt"] = GATING
    out["extra_gated_fields"] = {
        "Name": "text",
        "Affiliation": "text",
        "I obtained and accepted each included dataset's terms from its authors": "checkbox",
        "I will use the data for non-commercial research only": "checkbox",
    }
    return out


def licence_rows(stats_by_dataset):
    """(dataset, Hub id, licence, link) per released dataset and licence."""
    _, per_dataset = hub_licences(stats_by_dataset)
    return [
        (d, HUB_LICENCES.get(i, "other"), i, url or DESCRIPTORS[d].licence["url"])
        for d, found in per_dataset.items()
        for i, url in found
    ]


def sections(stats_by_dataset):
    """The prose sections, for the released datasets (in descriptor order)."""
    released = [d for d in DESCRIPTORS if d in stats_by_dataset]
    out = ["## Fields", ""]
    out += [f"- `{names}`: {text}" for names, text in COMMON_FIELDS]
    out += [f"- `{d}`: {DATASET_FIELDS[d]}" for d in released if d in DATASET_FIELDS]
    out += ["", "Coordinates are pixels of the released image; keypoints are `[x, y, v]`, v = 2"]
    out += ["visible, 1 occluded, 0 not labelled. The full schema: the typed `dataset_info`"]
    out += ["features above, and humanprep's `schemas/record.schema.json`.", ""]
    out += ["## Personal data and consent", ""]
    out += [f"- {DESCRIPTORS[d].title}: {PEOPLE[d]}." for d in released if d in PEOPLE]
    out += ["", "The people shown did not consent to this release as such: it is bound by the"]
    out += ["upstream terms. Do not try to identify anyone; honour removal requests (FDH"]
    out += ["opt-outs by Flickr NSID: rebuild with them in `normalise.fdh.opt_out_nsids` and"]
    out += ["bump the major version). Metadata such as EXIF GPS is stripped from every image.", ""]
    out += ["## Known biases and limitations", ""]
    out += [f"- {DESCRIPTORS[d].title}: {BIASES[d]}" for d in released if d in BIASES]
    out += ["", "Near-duplicates within and across the datasets are listed by humanprep's dedup"]
    out += ["stage: SHHQ, DeepFashion-MultiModal and part of HuGe100K draw on DeepFashion.", ""]
    out += ["## Uses", "", "### Intended use", ""]
    out += ["Non-commercial research on human images: detection, parsing, keypoints, garment"]
    out += [
        "understanding, image and 3D generation, anonymisation, within each dataset's terms.",
        "",
    ]
    out += ["### Out-of-scope use", ""]
    out += ["Commercial use; redistribution of the images or of data that reconstructs them;"]
    out += ["identifying, tracking or profiling the people shown (face recognition, surveillance);"]
    out += ["inferring sensitive attributes (ethnicity, health, orientation) of real people;"]
    out += [
        "treating the synthetic HuGe100K people or the captions as ground truth about people.",
        "",
    ]
    out += ["## Citation", "", "Cite each dataset you use:", ""]
    for d in released:
        out += [f"**{DESCRIPTORS[d].title}**", "", "```bibtex", bibtex(d).strip(), "```", ""]
    return out
