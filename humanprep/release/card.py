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
    hf_meta, hf_yaml = hf_view or (None, None)
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
    if hf_meta:
        out += how_to_load(stats_by_dataset, hf_meta, meta["release"], meta.get("webdataset"))
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
    """The dataset and split the snippets use: the first released dataset with items that
    has a derived subset every run makes (so its config exists), else the first with
    items; its first split. None when no dataset has items."""
    configs = {i["config_name"]: i for i in hf_meta["dataset_info"] if i["splits"]}
    have = [d for d in stats_by_dataset if d in configs]
    if not have:
        return None
    always = [d for d in have if any(not s.option for s in DESCRIPTORS[d].derived)]
    dataset = always[0] if always else min(have)
    split = configs[dataset]["splits"][0]["name"]  # the loader names splits as the view does
    return dataset, split, split


def snippets(stats_by_dataset, hf_meta, release):
    """{tool: python code}, run beside this folder; the tests run these very snippets."""
    example = _example(stats_by_dataset, hf_meta)
    if example is None:
        return {}
    dataset, hf_split, split = example
    head = f'release = "{release}"  # this folder\n'
    return {
        "datasets": f"""from datasets import load_dataset

{head}ds = load_dataset(release, "{dataset}", split="{hf_split}")
row = ds[0]  # the record's fields; "image" is the decoded picture (PIL)
print(len(ds), row["id"], row["image"].size, row["image_info"]["sha256"])
""",
        "humanprep": f"""import humanprep

{head}ds = humanprep.load(release, "{dataset}", "{split}")  # decode="numpy" for arrays
image, record = ds[0]
print(len(ds), record["id"], image.size)
""",
        "webdataset": f"""import glob

import webdataset as wds

{head}tars = sorted(glob.glob(f"{{release}}/webdataset/{dataset}-shard-*.tar"))
for sample in wds.WebDataset(tars, shardshuffle=False).decode("pil"):
    record = sample["json"]  # the record; its files are the other keys, e.g. "image.jpg"
    print(sample["__key__"], record["id"], sorted(sample))
    break
""",
        "datasets-webdataset": f"""import glob
import tarfile

from datasets import Features, Image, Value, load_dataset, load_dataset_builder

{head}tars = sorted(glob.glob(f"{{release}}/webdataset/{dataset}-shard-*.tar"))
# type the tars' "json" member as the typed config's record, image members as images
typed = load_dataset_builder(release, "{dataset}").info.features
record = {{("image" if k == "image_info" else k): v for k, v in typed.items() if k != "image"}}
features = {{"__key__": Value("string"), "__url__": Value("string"), "json": record}}
for tar in tars:
    with tarfile.open(tar) as members:
        for name in members.getnames():
            if name.endswith((".jpg", ".png")):
                features[name.split(".", 1)[1]] = Image()
ds = load_dataset(
    "webdataset", data_files={{"train": tars}}, split="train", features=Features(features)
)
print(len(ds), ds[0]["json"]["id"])
""",
        "mlcroissant": f"""import mlcroissant as mlc

{head}ds = mlc.Dataset(jsonld=f"{{release}}/croissant.json")  # validates it
for record in ds.records(record_set="{dataset}"):
    print(record["{dataset}/id"], record["{dataset}/image_path"])
    break
""",
        "pycocotools": f"""import glob

from pycocotools.coco import COCO

{head}path = sorted(glob.glob(f"{{release}}/coco/*/*.json"))[0]  # coco/<dataset>/<file>.json
coco = COCO(path)
image = coco.loadImgs(coco.getImgIds()[0])[0]
folder = path.split("/")[-2]  # file_name is relative to the dataset's folder
print(path, len(coco.getAnnIds()), f"{{release}}/{{folder}}/{{image['file_name']}}")
""",
    }


def how_to_load(stats_by_dataset, hf_meta, release, with_webdataset=True):
    """The card's "How to load" section: one snippet per tool, run from this folder."""
    rows = [
        (i["config_name"], ", ".join(f"{s['name']} ({s['num_examples']})" for s in i["splits"]))
        for i in hf_meta["dataset_info"]
    ]
    code = snippets(stats_by_dataset, hf_meta, release)
    if not with_webdataset:
        code = {k: v for k, v in code.items() if "webdataset" not in k}
    out = ["## How to load", "", "Run these from the folder that holds this one.", ""]
    out += ["Hugging Face `datasets`: one config per dataset and derived subset. In this"]
    out += ["view `image` is the decoded picture, the record's `image` object is `image_info`,"]
    out += ["and data without splits (records' split `all`) is the split `train`, as in"]
    out += ["`humanprep.load`.", ""]
    out += [_table(("config", "splits (items)"), rows), ""]
    empty = hf_meta.get("empty_configs") or []
    if empty:
        out += [f"No config for {', '.join(empty)}: no item released (`datasets` cannot load"]
        out += ["a config without files; `humanprep.load` says so).", ""]
    if not code:
        out += ["No dataset has items in this release: nothing to load.", ""]
    titles = {
        "datasets": "`datasets`",
        "humanprep": "`humanprep.load` (map-style: usable as a torch `DataLoader` dataset)",
        "webdataset": "`webdataset` (the tars in `webdataset/`)",
        "datasets-webdataset": "`datasets` reading the same tars",
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
