"""The near-duplicates report page: which pairs are shown, the count matrix, the pictures."""

import hashlib
import io
import json

import numpy as np
from PIL import Image
from storeutil import put

from humanprep.report import charts, dedup


def row(da, ia, db, ib, phash=2, dhash=1, crop=False):
    key = lambda d, i: {"dataset": d, "id": i, "split": "train"}  # noqa: E731
    return {"a": key(da, ia), "b": key(db, ib), "phash": phash, "dhash": dhash,
            "mirrored": False, "crop": crop}  # fmt: skip


def test_shown_pairs_take_a_few_per_dataset_pair_cross_dataset_first():
    rows = [row("fdh", f"{k}", "fdh", f"{k}x") for k in range(6)]
    rows += [row("deepfashion2", "t/1", "shhq", "s1"), row("deepfashion2", "t/2", "shhq", "s2")]
    shown = dedup.shown_pairs(iter(rows), per_pair=4, limit=5)
    assert [dedup.dataset_pair(r) for r in shown] == [("deepfashion2", "shhq")] * 2 + [
        ("fdh", "fdh")
    ] * 3
    assert [r["a"]["id"] for r in shown[2:]] == ["0", "1", "2"]  # file order kept


def test_count_matrix_is_symmetric_and_lists_datasets_without_pairs():
    names, counts = dedup.count_matrix({"deepfashion2|shhq": 3, "fdh|fdh": 2}, {"celeba"})
    assert names == ["celeba", "deepfashion2", "fdh", "shhq"]
    expected = np.zeros((4, 4), int)
    expected[1, 3] = expected[3, 1] = 3
    expected[2, 2] = 2
    assert (counts == expected).all()


def test_matrix_chart_is_a_deterministic_png_in_the_palette():
    names, counts = dedup.count_matrix({"a|b": 5, "a|a": 1}, set())
    png = charts.matrix_chart(names, counts.tolist(), "t")
    assert png == charts.matrix_chart(names, counts.tolist(), "t")
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3).astype(int)
    blue = np.array([0x00, 0x72, 0xB2])  # the fullest cell: Okabe & Ito's blue
    assert (np.abs(rgb - blue).sum(axis=1) < 10).sum() > 500


def stored_image(folder, item_id, picture):
    """A record's `image` for a PNG put into the store of the dataset folder `folder`."""
    buf = io.BytesIO()
    picture.save(buf, "PNG")
    data = buf.getvalue()
    ref = put(folder, "shard-00000", item_id, "image.png", data)
    return {"path": ref, "sha256": hashlib.sha256(data).hexdigest()}


def test_pairs_sheet_shows_both_images_of_a_pair(tmp_path):
    records, images = {}, {}
    for dataset, colour in (("shhq", (230, 25, 75)), ("deepfashion2", (0, 130, 200))):
        folder = tmp_path / dataset
        images[dataset] = stored_image(folder, "x", Image.new("RGB", (40, 80), colour))
        record = {"dataset": dataset, "id": "x", "image": images[dataset]}
        records[dataset] = folder / "shard-00000.jsonl"
        records[dataset].write_text(json.dumps(record) + "\n")
    shown = [row("deepfashion2", "x", "shhq", "x", crop=True)]
    paths = dedup.wanted_paths(sorted(records.values()), {("shhq", "x"), ("deepfashion2", "x")})
    assert paths[("shhq", "x")] == (tmp_path / "shhq", images["shhq"])
    sheet = np.asarray(dedup.pairs_sheet(shown, paths, total=7)).reshape(-1, 3).astype(int)
    for colour in ((230, 25, 75), (0, 130, 200)):
        assert (np.abs(sheet - colour).sum(axis=1) < 6).sum() > 40 * 80, colour
    assert "crop" in dedup.describe(shown[0]) and "pHash 2 bits" in dedup.describe(shown[0])


def test_stage_writes_both_pictures(tmp_path):
    """The rule's entry point on one pair: two PNGs."""
    from types import SimpleNamespace

    from humanprep.stages.report_dedup import main

    folder = tmp_path / "normalised" / "fdh"
    picture = Image.new("RGB", (20, 40), (200, 100, 0))
    lines = [{"dataset": "fdh", "id": n, "image": stored_image(folder, n, picture)} for n in "ab"]
    (folder / "shard-00000.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    pairs, summary = tmp_path / "pairs.jsonl", tmp_path / "summary.json"
    pairs.write_text(json.dumps(row("fdh", "a", "fdh", "b")) + "\n")
    summary.write_text(json.dumps({"pairs": 1, "pairs_by_dataset_pair": {"fdh|fdh": 1}}))
    out = SimpleNamespace(pairs=tmp_path / "p.png", matrix=tmp_path / "m.png")
    records = [str(folder / "shard-00000.jsonl")]
    main(SimpleNamespace(input=SimpleNamespace(pairs=pairs, summary=summary, records=records),
                         output=out))  # fmt: skip
    for path in (out.pairs, out.matrix):
        assert Image.open(path).format == "PNG"
