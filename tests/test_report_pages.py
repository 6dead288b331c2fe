"""The report's new pages: representative samples, quarantine kinds, throughput, release."""

import json

import pytest

from humanprep.report import quarantine, sample, throughput


def rec(i, split, garments=None):
    r = {"id": f"{i:06d}", "split": split}
    if garments is not None:
        names = [{"category_name": g} for g in garments]
        r["deepfashion2"] = {"garments": names}
    return r


def test_representative_spreads_over_strata_annotated_first():
    records = [
        rec(1, "test", []),
        rec(2, "test", []),
        rec(3, "train", ["skirt"]),
        rec(4, "train", ["skirt"]),
        rec(5, "train", ["vest"]),
        rec(6, "val", ["vest"]),
    ]
    picked = [r["id"] for r in sample.representative(records, 4)]
    # one per stratum before any repeats: the annotated ones (train/skirt, train/vest,
    # val/vest) first, then the unannotated test split once
    assert picked == ["000003", "000005", "000006", "000001"]
    assert [r["id"] for r in sample.representative(records, 10)][-2:] == ["000004", "000002"]
    assert sample.representative(records, 4) == sample.representative(records[::-1], 4)


def test_kinds_drop_names_and_numbers():
    assert quarantine.kind("image image_000058.jpg does not decode: truncated") == (
        "image does not decode"
    )
    assert quarantine.kind("landmark (72, 233) outside the image marked unlabelled") == (
        "landmark outside the image marked unlabelled"
    )
    q = [{"id": "a", "kind": "quarantined", "reason": "video has 23 frames, expected 24"},
         {"id": "b", "kind": "quarantined", "reason": "video has 2 frames, expected 24"},
         {"id": "c", "kind": "removed", "reason": "opted out"}]  # fmt: skip
    assert quarantine.quarantine_kinds(q) == {"video has frames, expected": 2}
    assert quarantine.examples(q, per_kind=1) == [
        ("video has frames, expected", "a", "video has 23 frames, expected 24")
    ]
    record = {"fixes": ["x 1"], "deepfashion2": {"garments": [{"fixes": ["box 3 clipped"]}]}}
    assert quarantine.fix_kinds([record]) == {"box clipped": 1, "x": 1}


def test_throughput_from_benchmark_files(tmp_path):
    head = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"

    def bench(rel, seconds, rss, io=(0, 0)):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(head + f"{seconds}\t0:00:01\t{rss}\t0\t0\t0\t{io[0]}\t{io[1]}\t0\t0\n")

    bench("normalise/fdh/shard-00000.tsv", 2.0, 100.0, (3.0, 1.0))
    bench("normalise/fdh/shard-00001.tsv", 2.0, 150.0)
    bench("fullbody/deepfashion2/shard-00000.tsv", 1.0, 50.0)
    bench("verify/fdh/a.tar.tsv", 4.0, 30.0)
    bench("report/sheet_fdh.tsv", 9.0, 1.0)
    plans = {"fdh": {"shard-00000": 10, "shard-00001": 30}, "deepfashion2": {"shard-00000": 1}}
    rows = throughput.stage_table(tmp_path, plans, {})
    assert [r["stage"] for r in rows] == ["fullbody", "normalise", "verify"]
    norm = rows[1]
    assert (norm["jobs"], norm["items"], norm["seconds"]) == (2, 40, 4.0)
    assert norm["items_per_s"] == 10.0 and norm["mb_per_s"] == 1.0 and norm["peak_mb"] == 150.0
    assert rows[0]["items_per_s"] == 1.0  # the slowest stage comes first
    assert rows[2]["items"] is None and rows[2]["items_per_s"] is None
    page = throughput.table_html(rows)
    assert "Slowest stage (fewest items per second): <b>fullbody</b>" in page


@pytest.mark.e2e
def test_release_page_of_the_demo(plain_run):
    from humanprep.report.release_page import release_html

    release = plain_run[0] / "releases" / "humanprep-demo-0.1.0"
    page = release_html(release)
    items = json.loads(
        (plain_run[0] / "results" / "release" / "humanprep-demo-0.1.0.json").read_text()
    )
    assert f"<p>{sum(items['items'].values())} items in" in page
    assert "sha256sum -c SHA256SUMS" in page and "No earlier version" in page
