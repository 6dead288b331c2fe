"""The report's first screen (report.headline) and the sketch ink page, on a hand-built
release: counts per dataset and split, every dataset named, drops with their reasons, one
decodable picture per released dataset."""

import base64
import hashlib
import io
import re

import numpy as np
from PIL import Image
from storeutil import put

from humanprep.datasets import DESCRIPTORS
from humanprep.datasets.celeba.sketch_ink import ink_page
from humanprep.io import write_json, write_jsonl
from humanprep.report.headline import headline_html


def png(colour):
    out = io.BytesIO()
    Image.fromarray(np.full((40, 30, 3), colour, np.uint8)).save(out, "PNG")
    return out.getvalue()


def release(tmp_path):
    root = tmp_path / "t-1.0.0"
    records = {
        "fdh": [("a", "train"), ("b", "train"), ("c", "val")],
        "celeba": [("0", "test")],
    }
    for dataset, items in records.items():
        rows = []
        for item_id, split in items:
            data = png((200, 30, 30))
            image = {"path": put(root / dataset, "shard-00000", item_id, "image.png", data, split)}
            image["sha256"] = hashlib.sha256(data).hexdigest()
            rows.append({"dataset": dataset, "id": item_id, "split": split, "image": image})
        write_jsonl(root / dataset / "shard-00000.jsonl", rows)
    write_json(
        root / "PROVENANCE.json",
        {
            "config": {"release": {"name": "t", "version": "1.0.0"}},
            "counts": [["fdh", "release: left out by split/licence", 4], ["fdh", "x", 0]],
        },
    )
    return root


def test_headline_counts_names_every_dataset_and_says_why_items_went(tmp_path):
    summaries = {
        "fdh": {"quarantined": 2, "removed": 1, "quarantine_reasons": {"truncated image": 2}},
        "celeba": {"quarantined": 0, "removed": 0},
        "shhq": {"quarantined": 3, "removed": 0, "quarantine_reasons": {"bad keypoints": 3}},
    }
    text = headline_html(release(tmp_path), summaries, ["fdh", "celeba", "shhq"])
    assert "Release t 1.0.0: 4 items" in text
    assert all(d.title in text for d in DESCRIPTORS.values())  # all six named
    fdh = DESCRIPTORS["fdh"].title
    assert re.search(rf"<td[^>]*>{re.escape(fdh)}</td>(<td[^>]*>[^<]*</td>){{6}}", text)
    row = text[text.index(fdh) :].split("</tr>", 1)[0]
    assert [c for c in re.findall(r">([^<]*)</td>", row)][0:5] == ["2", "1", "", "", "3"]
    assert "enabled, none released" in text  # shhq
    assert "truncated image (2)" in text and "bad keypoints (3)" in text
    assert "FDH opt-out" in text and "release.splits / release.licences" in text
    uris = re.findall(r"src='data:image/jpeg;base64,([^']+)'", text)
    assert len(uris) == 2  # one picture per released dataset
    for uri in uris:
        with Image.open(io.BytesIO(base64.b64decode(uri))) as image:
            assert image.height == 96 and image.getpixel((5, 5))[0] > 150


def test_ink_page_marks_maps_outside_their_band_first():
    bands = {"canny": (0.01, 0.1), "xdog": (0.02, 0.25)}
    entries = [
        {"id": "a", "ink": {"canny": 0.05, "xdog": 0.1}},
        {"id": "b", "ink": {"canny": 0.0, "xdog": 0.1}},  # a blank canny map
    ]
    page = ink_page(entries, bands)
    assert "2 faces; 1 with a map outside its band" in page
    assert page.index("<td>b</td>") < page.index("<td>a</td>")
    assert "0.0% (outside)" in page and "1.0% - 10.0%" in page
    assert "0.0% / 5.0% / 5.0%" in page  # canny min / median / max
