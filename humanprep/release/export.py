"""`humanprep export images`: the image files a release's COCO files name, written to a
folder, so that COCO consumers (pycocotools, MMDetection, Detectron2, FiftyOne), which open
`<image root>/<file_name>`, work with the COCO files as they are.

A COCO `file_name` is the member name of the image in the release's shard containers
(`<key>.image.jpg`): each is read from its container (one seek, one read, the record's
sha256 checked) and written as `<dest>/<file_name>`."""

import json
from pathlib import Path

from humanprep import store
from humanprep.errors import HumanprepError
from humanprep.io import read_jsonl, write_bytes


def coco_file_names(release, dataset):
    """Every file_name of the dataset's COCO files in the release."""
    files = sorted(Path(release, "coco", dataset).glob("*.json"))
    if not files:
        raise HumanprepError(Path(release, "coco", dataset), "no COCO files of this dataset")
    names = set()
    for path in files:
        with open(path, encoding="utf-8") as fh:
            names.update(image["file_name"] for image in json.load(fh)["images"])
    return names


def export_images(release, dataset, dest):
    """Write every image the dataset's COCO files name into `dest`; returns how many."""
    release, dest = Path(release), Path(dest)
    wanted = coco_file_names(release, dataset)
    base = release / dataset
    written = set()
    for path in sorted(base.glob("shard-*[0-9].jsonl")):
        for record in read_jsonl(path):
            sums = {record["image"]["path"]: record["image"].get("sha256")}
            for ref in store.refs_in(record):
                name = store.member_name(ref)
                if name not in wanted or name in written:
                    continue
                if sums.get(ref):
                    data = store.read_checked(base, ref, sums[ref], record["id"])
                else:
                    data = store.read(base, ref, record["id"])
                write_bytes(dest / name, data)
                written.add(name)
    missing = sorted(wanted - written)
    if missing:
        raise HumanprepError(
            release / "coco" / dataset,
            f"{len(missing)} file_name(s) name no file of the release, e.g. {missing[0]}",
        )
    return len(written)
