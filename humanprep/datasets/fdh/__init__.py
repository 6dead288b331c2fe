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
    release_views={"deepprivacy2": "humanprep.release.deepprivacy2:export"},
    normaliser="humanprep.normalise.fdh",
    demo="humanprep.demo.fdh",
    coco="humanprep.coco.people:export_fdh_dataset",
    sheet="humanprep.report.sheets:fdh_sheet",
    seconds_per_item=0.01,
    base_mem_mb=1000,
)
