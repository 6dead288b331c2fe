"""Bounded-memory versions of the release and report steps give what the whole-list
versions gave: checked against those (written out here) on inputs large enough to make
the bounded code cut back its buffers, and on file-name orders that trip a naive walk."""

import json
import random
from collections import Counter
from itertools import zip_longest

import pyarrow.parquet as pq
import pytest

from humanprep.datasets.deepfashion2 import sheet as df2_sheet
from humanprep.io import dumps
from humanprep.release import manifest
from humanprep.release.extsort import ExternalSort
from humanprep.release.stats import DatasetStats
from humanprep.report import quarantine, sample
from humanprep.report.rows import JsonlRows


def whole_representative(records, n):
    """humanprep.report.sample.representative before it streamed."""
    groups = {}
    for record in sorted(records, key=lambda r: (not sample.annotated(r), r["id"])):
        groups.setdefault(sample.stratum(record), []).append(record)
    keys = sorted(groups, key=lambda k: (not sample.annotated(groups[k][0]), k))
    picked = [r for row in zip_longest(*(groups[k] for k in keys)) for r in row if r]
    return picked[:n]


def records_df2(count, seed):
    rng = random.Random(seed)
    out = []
    for i in rng.sample(range(10 * count), count):
        garments = [{"category_name": rng.choice("abc")}] if rng.random() < 0.7 else []
        out.append(
            {"id": f"{i:07d}", "split": rng.choice(["train", "val"]), "deepfashion2": {
                "garments": garments}}
        )  # fmt: skip
    return out


@pytest.mark.parametrize("n", [0, 1, 4, 8])
def test_representative_streamed_equals_whole_list(n):
    records = records_df2(500, n)
    assert sample.representative(iter(records), n) == whole_representative(records, n)


def whole_examples(quarantined, per_kind):
    seen, picked = Counter(), []
    for q in sorted(quarantined, key=lambda q: (quarantine.kind(q["reason"]), q["id"])):
        k = quarantine.kind(q["reason"])
        if q.get("kind") == "quarantined" and seen[k] < per_kind:
            seen[k] += 1
            picked.append((k, q["id"], q["reason"]))
    return picked


def test_quarantine_examples_streamed_equal_whole_list():
    rng = random.Random(1)
    reasons = ["image {} does not decode", "mask {} is empty", "box {} outside"]
    rows = [
        {"id": f"{i:05d}", "kind": rng.choice(["quarantined", "removed"]),
         "reason": rng.choice(reasons).format(i)}
        for i in rng.sample(range(5000), 400)
    ]  # fmt: skip
    for per_kind in (1, 2, 5):
        assert quarantine.examples(iter(rows), per_kind) == whole_examples(rows, per_kind)


def whole_fullbody_picks(records, decisions, n):
    by_id = {r["id"]: r for r in records}
    decided = sorted((d for d in decisions if d["id"] in by_id), key=lambda d: d["id"])
    accepted = [d for d in decided if d["reason"] == "accepted"][:n]
    rejected = [d for d in decided if d["reason"] != "accepted"]
    picked, reasons = [], set()
    for d in sorted(rejected, key=lambda d: (d["reason"], d["id"])):
        if d["reason"] not in reasons:
            reasons.add(d["reason"])
            picked.append(d)
    picked += [d for d in rejected if d not in picked]
    return accepted, sorted(picked[:n], key=lambda d: (d["reason"], d["id"]))


def test_fullbody_picks_streamed_equal_whole_list():
    rng = random.Random(2)
    records = records_df2(300, 3)
    reasons = ["accepted"] * 5 + ["too small", "cut off", "no person"]
    decisions = [{"id": r["id"], "reason": rng.choice(reasons)} for r in records]
    decisions += [{"id": "9999999", "reason": "cut off"}]  # no record: never shown
    rng.shuffle(decisions)
    accepted, picked, by_id = df2_sheet.fullbody_picks(records, iter(decisions), 8)
    assert (accepted, picked) == whole_fullbody_picks(records, decisions, 8)
    assert set(by_id) == {d["id"] for d in accepted + picked}
    assert {d["reason"] for d in picked} == {"too small", "cut off", "no person"}


def test_external_sort_spills_runs_and_merges_them(tmp_path):
    rng = random.Random(4)
    rows = [[rng.choice("xy"), f"{rng.randrange(10**6):06d}", i] for i in range(2500)]
    with ExternalSort(key=lambda r: (r[0], r[1]), folder=tmp_path, run_size=300) as ext:
        for row in rows:
            ext.add(row)
        assert len(ext.runs) == 8
        assert list(ext.sorted()) == sorted(rows, key=lambda r: (r[0], r[1]))
    assert list(tmp_path.iterdir()) == []  # the runs are removed


def test_walk_files_orders_as_sorted_paths(tmp_path):
    # "a" (a folder) sorts after "a-b" and "a.txt" once paths are compared whole ("a/")
    for path in ("a/b", "a/c/d", "a-b", "a.txt", "a0", "B", "a/b.x/y", "é", "z/a"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(path)
    assert list(manifest.walk_files(tmp_path)) == manifest.list_files(tmp_path)


def test_streamed_manifest_and_sums_match_whole_list(tmp_path):
    tree = tmp_path / "tree"
    for path in ("x/shard-00000.jsonl", "x/shard-00000/1/image.jpg", "README.md", "é.txt"):
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_text(path)
    spill = tmp_path / "spill.jsonl"
    kept = manifest.spill_entries(tree, spill, lambda e: e["kind"] == "records")
    entries = manifest.manifest_entries(tree)
    assert kept == [e for e in entries if e["kind"] == "records"]
    (tree / "croissant.json").write_text("{}")
    extra = [manifest.entry(tree, "croissant.json")]
    manifest.write_manifest(tree / "manifest.json", "r-1", manifest.spilled(spill, extra))
    whole = manifest.with_entry(entries, tree, "croissant.json")
    assert (tree / "manifest.json").read_text() == dumps({"release": "r-1", "files": whole})
    manifest.write_sums(tree / "SHA256SUMS", manifest.spilled(spill, extra))
    assert (tree / "SHA256SUMS").read_text() == manifest.sums_text(whole)


def test_croissant_rows_streamed_in_row_groups_keep_ids_as_text(tmp_path, monkeypatch):
    """The record sets' columns are written as rows come, a row group at a time; an id
    such as "0001307" stays text (JSON Lines through pandas made it 1307)."""
    from humanprep.release import croissant

    monkeypatch.setattr(croissant, "ROWS_PER_GROUP", 16)
    rows = croissant.Rows(tmp_path / "croissant.parquet", "shhq-composite")
    for i in range(50):
        rows.add({"id": f"{i:07d}", "split": "all", "composite": "ref"})
    rows.close()
    back = pq.ParquetFile(tmp_path / "croissant.parquet")
    assert back.metadata.num_row_groups == 4  # 16 + 16 + 16 + 2
    assert back.read().to_pylist() == [{"id": f"{i:07d}", "split": "all"} for i in range(50)]
    assert [p.name for p in tmp_path.iterdir()] == ["croissant.parquet"]
    empty = croissant.Rows(tmp_path / "none.parquet", "fdh")
    empty.close()
    assert not (tmp_path / "none.parquet").exists()  # nothing released: no file


def test_croissant_annotation_columns():
    from humanprep.release import croissant

    record = {
        "id": "x",
        "split": "val",
        "license": {"id": "L"},
        "image": {"path": "p", "width": 3, "height": 4, "sha256": "s"},
        "deepfashion2": {
            "garments": [
                {"bbox": [1, 2, 3, 4], "category_name": "vest", "landmarks": [[1, 1, 2]]},
                {"bbox": [5, 6, 7, 8], "category_name": "skirt", "landmarks": []},
            ]
        },
    }
    assert croissant.row_of("deepfashion2", record) == {
        "id": "x", "split": "val", "license": "L", "image_path": "p", "image_width": 3,
        "image_height": 4, "image_sha256": "s", "boxes": "[[1, 2, 3, 4], [5, 6, 7, 8]]",
        "categories": '["vest", "skirt"]', "landmarks": "[[[1, 1, 2]], []]",
    }  # fmt: skip


def test_dataset_stats_count_what_the_card_counts():
    records = [
        {"dataset": "deepfashion2", "split": s, "license": {"id": lic, "url": url},
         "image": {"path": f"shard-00000/{i}/image.{ext}"},
         "deepfashion2": {"garments": [{"category_name": "vest"}] * i}}
        for i, (s, lic, url, ext) in enumerate(
            [("train", "A", None, "jpg"), ("val", "A", None, "png"), ("val", "B", "u", "jpg")]
        )
    ]  # fmt: skip
    stats = DatasetStats(records)
    assert stats.count == 3
    assert stats.splits == {"train": 1, "val": 2}
    assert stats.licences == {"A": 2, "B": 1}
    assert stats.licence_urls == {("A", ""), ("B", "u")}
    assert stats.categories == {"vest": 3}
    assert stats.image_exts == {"jpg", "png"}


def test_jsonl_rows_read_again_at_each_pass(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "1"}) + "\n\n" + json.dumps({"id": "2"}) + "\n")
    rows = JsonlRows([path, path])
    assert [r["id"] for r in rows] == ["1", "2", "1", "2"]
    assert [r["id"] for r in rows] == ["1", "2", "1", "2"]
