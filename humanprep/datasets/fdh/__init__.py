"""FDH (Flickr Diverse Humans): metadata.json and per-licence WebDataset tars, fetched over
HTTP with published md5s (docs/formats.md#fdh)."""

from collections import defaultdict
from pathlib import Path, PurePosixPath

from humanprep.datasets.base import Descriptor, sorted_entries


def item_key(name):
    """A WebDataset sample's key: the member's name up to its first dot."""
    return PurePosixPath(name).name.split(".", 1)[0]


def stream(roots):
    """Entries streamed (1.87M): a WebDataset tar keeps a key's members together, so an
    entry is complete when the key changes (a key found again later yields a second,
    partial entry: the shard plan merges them)."""
    from humanprep import listing  # numpy underneath: not at parse time

    for root in map(Path, roots):
        key, files = None, {}
        for name, ref in listing.files(root):
            this, _, suffix = PurePosixPath(name).name.partition(".")
            if this != key:
                if key is not None:
                    yield {"id": key, "files": dict(sorted(files.items()))}
                key, files = this, {"tar": root.name}
            files[suffix.lower()] = ref
        if key is not None:
            yield {"id": key, "files": dict(sorted(files.items()))}


def index(roots, side_files):
    items = defaultdict(dict)
    for entry in stream(roots):
        items[entry["id"]].update(entry["files"])
    side = {Path(f).name: str(f) for f in side_files}
    return sorted_entries(items), side


# What the release card says of it (humanprep.release.cardmeta lays it out).
CARD_BIBTEX = """@inproceedings{hukkelas2023deepprivacy2,
  title={DeepPrivacy2: Towards Realistic Full-Body Anonymization},
  author={Hukkel{\\aa}s, H{\\aa}kon and Lindseth, Frank},
  booktitle={IEEE/CVF Winter Conference on Applications of Computer Vision (WACV)},
  year={2023}
}"""
CARD_FIELDS = (
    "masks, COCO-17 keypoints in pixels (units detected per file), CSE vertices `.npy` as "
    "shipped, the source tar, YFCC100M line index and date taken"
)
CARD_PEOPLE = (
    "Flickr photographs of real people (YFCC100M) under Creative Commons licences, with "
    "author and source URL per image (ATTRIBUTION.csv); Flickr users may opt out, and "
    "`normalise.fdh.opt_out_nsids` removes their images before anything is written"
)
CARD_BIASES = (
    "Upstream makes no statement on demographics. Flickr photographs of people selected "
    "by a detector: who uses Flickr, and what the detector finds, decide who is in it."
)
CARD_REMOVAL = (
    "FDH opt-outs by Flickr NSID: rebuild with them in `normalise.fdh.opt_out_nsids` and "
    "bump the major version"
)


# The heavy parts, imported when called (base.py: lazy fields).


def normaliser():
    from humanprep.datasets.fdh import normalise

    return normalise


def build_demo(out_dir, **kwargs):
    from humanprep.datasets.fdh import demo

    return demo.build(out_dir, **kwargs)


def export_coco(record_paths, normalised_dir, out_dir, derived_paths, options):
    from humanprep.datasets.fdh import coco

    return coco.export_dataset(record_paths, normalised_dir, out_dir, derived_paths, options)


def contact_sheet(records, root, derived):
    from humanprep.datasets.fdh import sheet

    return sheet.contact_sheet(records, root, derived)


def deepprivacy2_view(out_dir):
    from humanprep.datasets.fdh import deepprivacy2

    return deepprivacy2.export(out_dir)


DESCRIPTOR = Descriptor(
    name="fdh",
    order=20,
    title="FDH (Flickr Diverse Humans)",
    licence={"id": "per-item", "url": "https://github.com/hukkelas/FDH"},
    citation="Hukkelås and Lindseth. DeepPrivacy2: Towards Realistic Full-Body "
    "Anonymization. WACV 2023.",
    how_to_obtain=(
        "The workflow downloads metadata.json and the per-licence tars from the URLs in "
        "registry/upstream/fdh.urls.tsv (from download.py of github.com/hukkelas/FDH) and "
        "checks each against the md5 published there; or place them by hand."
    ),
    item_key=item_key,
    index=index,
    stream=stream,
    side_splits={"metadata.json": "metadata.sqlite"},
    release_views={"deepprivacy2": deepprivacy2_view},
    normaliser=normaliser,
    demo=build_demo,
    coco=export_coco,
    sheet=contact_sheet,
    tasks=("keypoint-detection", "image-segmentation", "image-to-image"),
    bibtex=CARD_BIBTEX,
    card_fields=CARD_FIELDS,
    card_people=CARD_PEOPLE,
    card_biases=CARD_BIASES,
    card_removal=CARD_REMOVAL,
    removed_why="FDH opt-out (Flickr user)",
    croissant_columns=(("keypoints", "keypoints"),),
    seconds_per_item=0.013,  # bench/item_cost.py: 0.0063 s at the real size, x2 headroom
    # small 288x160 items: 2,000 a shard made 935 jobs of ~10 s each
    shard_size=10_000,
    base_mem_mb=1000,
)
