"""What the release card says besides counts and layout: the Hub metadata (licence,
pretty_name, task categories, size category, gating notice) and the prose sections a
card of pictures of people needs (fields, personal data and consent, known biases, uses,
BibTeX). Kept apart from card.py, which lays out counts, configs and snippets.

Field by field against the Hub's dataset card (hub-docs datasetcard.md, huggingface_hub
templates/datasetcard_template.md): see `TEMPLATE_GAPS` for what is not filled.
"""

import textwrap

from humanprep.datasets import DESCRIPTORS

# Hub licence ids (hf.co/docs/hub/repositories-licenses) of the licences records carry;
# CC BY-SA 2.0 and every dataset's own research terms have none: `other`, named.
HUB_LICENCES = {
    "CC-BY-2.0": "cc-by-2.0",
    "CC-BY-NC-2.0": "cc-by-nc-2.0",
    "CC-BY-NC-SA-2.0": "cc-by-nc-sa-2.0",
}

SIZES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"))
SIZES += ((1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"))


def bibtex(dataset):
    """The dataset's BibTeX (its descriptor's; else its citation)."""
    return DESCRIPTORS[dataset].bibtex or DESCRIPTORS[dataset].citation


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
    tasks = sorted({t for d in released for t in DESCRIPTORS[d].tasks})
    out["task_categories"] = tasks
    out["size_categories"] = [size_category(total)]
    languages = sorted({lang for d in released for lang in DESCRIPTORS[d].language})
    if languages:
        out["language"] = languages  # the captions
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


def consent_text(released):
    """The consent paragraph, with each released dataset's way to honour removal requests."""
    notes = "; ".join(DESCRIPTORS[d].card_removal for d in released if DESCRIPTORS[d].card_removal)
    removal = f"honour removal requests ({notes})" if notes else "honour removal requests"
    return (
        "The people shown did not consent to this release as such: it is bound by the upstream "
        f"terms. Do not try to identify anyone; {removal}. Metadata such as EXIF GPS is "
        "stripped from every image."
    )


def sections(stats_by_dataset):
    """The prose sections, for the released datasets (in descriptor order)."""
    released = [d for d in DESCRIPTORS if d in stats_by_dataset]
    out = ["## Fields", ""]
    out += [f"- `{names}`: {text}" for names, text in COMMON_FIELDS]
    out += [
        f"- `{d}`: {DESCRIPTORS[d].card_fields}" for d in released if DESCRIPTORS[d].card_fields
    ]
    out += ["", "Coordinates are pixels of the released image; keypoints are `[x, y, v]`, v = 2"]
    out += ["visible, 1 occluded, 0 not labelled. The full schema: the typed `dataset_info`"]
    out += ["features above, and humanprep's `schemas/record.schema.json`.", ""]
    out += ["## Personal data and consent", ""]
    out += [
        f"- {DESCRIPTORS[d].title}: {DESCRIPTORS[d].card_people}."
        for d in released
        if DESCRIPTORS[d].card_people
    ]
    out += ["", *textwrap.wrap(consent_text(released), 80, break_on_hyphens=False), ""]
    out += ["## Known biases and limitations", ""]
    out += [
        f"- {DESCRIPTORS[d].title}: {DESCRIPTORS[d].card_biases}"
        for d in released
        if DESCRIPTORS[d].card_biases
    ]
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
