"""The dataset card (README.md) and ATTRIBUTION.csv of a release."""

import csv
from collections import Counter

from humanprep.datasets import DESCRIPTORS
from humanprep.dedup import policy
from humanprep.release import cardmeta

ATTRIBUTION_FIELDS = ("dataset", "id", "author", "title", "url", "licence", "licence_url")


def needs_attribution(record):
    """Creative Commons licences other than CC0 require attribution (the BY element)."""
    return record["license"]["id"].startswith("CC-BY")


def attribution_row(r):
    """The ATTRIBUTION.csv row of a record, or None when its licence asks for none."""
    if not needs_attribution(r):
        return None
    a = r.get("attribution") or {}
    return [
        r["dataset"],
        r["id"],
        a.get("author") or "",
        a.get("title") or "",
        a.get("source_url") or "",
        r["license"]["id"],
        r["license"]["url"] or "",
    ]


def write_attribution(fh, rows):
    """ATTRIBUTION.csv to a text file from its rows, sorted by (dataset, id)."""
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(ATTRIBUTION_FIELDS)
    writer.writerows(rows)


def _table(header, rows):
    lines = [f"| {' | '.join(header)} |", f"|{'---|' * len(header)}"]
    lines += [f"| {' | '.join(str(c) for c in row)} |" for row in rows]
    return "\n".join(lines)


def card_text(meta, stats_by_dataset, counts, terms, hf_view=None):
    """Markdown card: what is inside, the licences, the terms, how to load and verify it.
    hf_view: (metadata, its YAML text) of the Hugging Face view, which opens the card.
    stats_by_dataset: {dataset: DatasetStats of its released records}."""
    name = f"{meta['name']} {meta['version']}"
    hf_meta, hf_yaml, empty = hf_view or (None, None, [])
    out = ["---", metadata_yaml(meta, stats_by_dataset).rstrip()]
    out += [hf_yaml.rstrip(), "---", ""] if hf_yaml else ["---", ""]
    out += [f"# {name}", "", meta["description"], ""]
    rows, licences, cats = [], Counter(), Counter()
    for dataset, stats in sorted(stats_by_dataset.items()):
        if not stats.count:  # listed, so that its absence is said
            rows.append((dataset, "(none: no item released)", 0))
        for split, n in sorted(stats.splits.items()):
            rows.append((dataset, split, n))
        licences.update({(dataset, k): n for k, n in stats.licences.items()})
        cats.update({(dataset, k): n for k, n in stats.categories.items()})
    out += ["## Items per dataset and split", "", _table(("dataset", "split", "items"), rows), ""]
    if meta.get("conventions"):
        out += ["## Conventions", "", *(f"- {line}" for line in meta["conventions"]), ""]
    out += ["## Licences", "", _table(("dataset", "licence", "items"), _sorted(licences)), ""]
    out += [
        _table(("dataset", "Hub id", "licence", "terms"), cardmeta.licence_rows(stats_by_dataset))
    ]
    out += [""]
    if cats:
        out += ["## Annotations per category", ""]
        out += [_table(("dataset", "category", "annotations"), _sorted(cats)), ""]
    out += ["## What each stage kept", "", _table(("dataset", "stage", "items"), counts), ""]
    out += ["## Terms", "", "Each part is bound by its dataset's terms, accepted as recorded in"]
    out += ["PROVENANCE.json; the texts are in `terms/`:", ""]
    out += [
        f"- {d}: `terms/{d}.md` (sha256 {h}), accepted by {by} on {on}" for d, h, by, on in terms
    ]
    out += ["", "Items under Creative Commons BY licences are listed with author and source"]
    out += ["URL in ATTRIBUTION.csv; credit them when you publish.", ""]
    out += cardmeta.sections(stats_by_dataset)
    released = {d: s for d, s in stats_by_dataset.items() if s.count}
    if hf_meta and released:
        out += how_to_load(released, hf_meta, meta["release"], empty)
    elif hf_meta:
        out += ["## How to load", "", "Nothing was released: no item passed the selection.", ""]
    out += ["## Verify", "", "```", "sha256sum -c SHA256SUMS", "```", ""]
    out += ["or `humanprep verify-release <this folder>` (also finds extra files).", ""]
    if meta.get("selection"):
        out += ["## Selection", "", meta["selection"], ""]
    if meta.get("dedup"):
        out += dedup_section(meta["dedup"])
    return "\n".join(out)


def metadata_yaml(meta, stats_by_dataset):
    """The Hub metadata (licence, pretty_name, tasks, size, gating) as YAML lines."""
    import yaml

    data = cardmeta.card_metadata(meta, stats_by_dataset)
    return yaml.safe_dump(data, sort_keys=False, width=1000, allow_unicode=True)


def dedup_section(dedup):
    """The near-duplicates the release.dedup policy dropped, one line each with why."""
    drops = dedup["dropped"]
    out = ["## Near-duplicates dropped", "", f"Policy `{dedup['policy']}`: {len(drops)} items"]
    out += ["dropped (also in PROVENANCE.json, `dedup`).", ""]
    return out + [f"- {policy.describe(why)}" for why in drops] + [""]


def _sorted(counter):
    return [(*key, n) for key, n in sorted(counter.items())]


def _example(stats_by_dataset, hf_meta):
    """The dataset and split the snippets use: the first dataset with released items and a
    derived subset that every run makes (so its config exists), else the first by name;
    its first split (as `datasets` names it, and as the records do), and its image member.
    stats_by_dataset: the datasets with released items."""
    always = [d for d in stats_by_dataset if any(not s.option for s in DESCRIPTORS[d].derived)]
    dataset = always[0] if always else min(stats_by_dataset)
    info = next(i for i in hf_meta["dataset_info"] if i["config_name"] == dataset)
    hf_split = info["splits"][0]["name"]
    split = (
        "all"
        if hf_split == "train" and {"all"} == set(stats_by_dataset[dataset].splits)
        else hf_split
    )
    image = next(f["name"] for f in info["features"] if f["name"].startswith("image."))
    return dataset, hf_split, split, image


def snippets(stats_by_dataset, hf_meta, release):
    """{tool: python code}, run beside this folder; the tests run these very snippets."""
    dataset, hf_split, split, image = _example(stats_by_dataset, hf_meta)
    head = f'release = "{release}"  # this folder\n'
    return {
        "datasets": f"""from datasets import load_dataset

{head}ds = load_dataset(release, "{dataset}", split="{hf_split}")  # reads only {split}.tar files
row = ds[0]  # "json": the record; each file by its member name, images decoded (PIL)
print(len(ds), row["json"]["id"], row["{image}"].size, row["json"]["image"]["sha256"])
""",
        "humanprep": f"""import humanprep

{head}ds = humanprep.load(release, "{dataset}", "{split}")  # decode="numpy" for arrays
image, record = ds[0]
print(len(ds), record["id"], image.size)
""",
        "webdataset": f"""import glob

import webdataset as wds

{head}tars = sorted(glob.glob(f"{{release}}/{dataset}/shard-*/{split}.tar"))  # one split
for sample in wds.WebDataset(tars, shardshuffle=False).decode("pil"):
    record = sample["json"]  # the record; its files are the other keys, e.g. "{image}"
    print(sample["__key__"], record["id"], sorted(sample))
    break
""",
        "mlcroissant": f"""import mlcroissant as mlc

{head}ds = mlc.Dataset(jsonld=f"{{release}}/croissant.json")  # validates it
for record in ds.records(record_set="{dataset}"):
    print(record["{dataset}/id"], record["{dataset}/split"], record["{dataset}/image_path"])
    break
""",
        "pycocotools": f"""import glob

from pycocotools.coco import COCO

{head}path = sorted(glob.glob(f"{{release}}/coco/*/*.json"))[0]  # coco/<dataset>/<file>.json
coco = COCO(path)
image = coco.loadImgs(coco.getImgIds()[0])[0]
# the image files: `humanprep export images <release> <dataset> <dest>` writes
# <dest>/<file_name> for every file_name of the dataset's COCO files
print(path, len(coco.getAnnIds()), image["file_name"])
""",
    }


def how_to_load(stats_by_dataset, hf_meta, release, empty=()):
    """The card's "How to load" section: one snippet per tool, run from this folder."""
    rows = [
        (i["config_name"], ", ".join(f"{s['name']} ({s['num_examples']})" for s in i["splits"]))
        for i in hf_meta["dataset_info"]
    ]
    code = snippets(stats_by_dataset, hf_meta, release)
    out = ["## How to load", "", "Run these from the folder that holds this one.", ""]
    out += ["Each dataset's items are stored as `<dataset>/shard-NNNNN.jsonl` (records) beside"]
    out += ["`<dataset>/shard-NNNNN/<split>.tar`, one WebDataset tar per split: members"]
    out += ["`<key>.<name>` (`<key>.image.jpg`, `<key>.mask.png`, ...) then `<key>.json`, the"]
    out += ["record. A record names each file as `shard-NNNNN/<split>.tar::<offset>::<size>::"]
    out += ["<member>` relative to the dataset's folder: the file's bytes are the <size> bytes at"]
    out += ["<offset> in that tar (`humanprep.store.read`). Derived subsets are laid out the same"]
    out += ["way under `derived/<dataset>-<subset>/`; full-body rows are records of the dataset"]
    out += ["(their files are the dataset's), HuGe100K's views are the frames of its video"]
    out += ["(`humanprep.video.view(mp4 bytes, i)` decodes view i).", ""]
    out += ["Hugging Face `datasets` 3.6 or later (every config and split loaded with 3.6.0,"]
    out += ["4.0.0 and 5.2.0): one config per dataset and derived subset, read by its"]
    out += ["`webdataset` builder, each split from that split's tars only. A row is an item:"]
    out += ["`json` is its record (typed; garment and face-part categories are `ClassLabel`s),"]
    out += ["each file a column named by its member name (images decoded, a video as bytes);"]
    out += ["data without splits (records' split `all`) is the split `train`.", ""]
    out += [_table(("config", "splits (items)"), rows), ""]
    if empty:
        out += [f"No items released, so no config: {', '.join(sorted(empty))}.", ""]
    titles = {
        "datasets": "`datasets`",
        "humanprep": "`humanprep.load` (map-style: usable as a torch `DataLoader` dataset)",
        "webdataset": "`webdataset` (the same tars, one split)",
        "mlcroissant": "`mlcroissant` (the Croissant metadata in `croissant.json`)",
        "pycocotools": "`pycocotools` (COCO files in `coco/`)",
    }
    for tool, text in code.items():
        out += [f"### {titles[tool]}", "", INSTALL[tool], "", "```python", text.rstrip(), "```"]
        out += [""]
    return out


# What each snippet needs, with the versions the tests run them with (pyproject.toml).
INSTALL = {
    "datasets": "Needs `pip install datasets` (tested with 5.2.0).",
    "humanprep": "Needs the humanprep package: `bash setup.sh` in its repository (or `pip "
    "install -e <humanprep folder>`).",
    "webdataset": "Needs `pip install webdataset` (tested with 1.0.2).",
    "datasets-webdataset": "Needs `pip install datasets` (tested with 5.2.0).",
    "mlcroissant": "Needs `pip install mlcroissant` (tested with 1.1.1).",
    "pycocotools": "Needs `pip install pycocotools` (tested with 2.0.11).",
}
