"""Fingerprints (against the imagehash library), the multi-index hash (against brute
force), pairs, clusters, the release policies, and recall/precision on planted duplicates."""

import io
import json
from unittest import mock

import imagehash
import numpy as np
import pytest
from PIL import Image
from planted import Scene, measure, planted_items
from test_release import record, spec, workspace

from humanprep.dedup import find, policy
from humanprep.dedup.fingerprint import fingerprint, mirror_dhash, resample_matrix, window_boxes
from humanprep.dedup.index import brute_pairs, near_pairs
from humanprep.demo.edits import crop
from humanprep.normalise import images
from humanprep.release.build import build_release
from humanprep.release.diff import changes_markdown, diff_releases


def smooth_image(seed, size=(96, 160)):
    """A photo-like image: random colours, bicubically enlarged (no pixel-level noise)."""
    rng = np.random.default_rng(seed)
    small = Image.fromarray(rng.integers(0, 256, (6, 4, 3), dtype=np.uint8))
    return small.resize(size, Image.Resampling.BICUBIC)


def bits(a, b):
    return bin(int(a, 16) ^ int(b, 16)).count("1")


# ---------------------------------------------------------------- fingerprints


@pytest.mark.parametrize("seed", range(8))
def test_phash_is_imagehash_phash_at_its_working_size(seed):
    """At 32x32 there is no downscaling: the DCT, median and bit order must match exactly."""
    image = smooth_image(seed, (32, 32))
    assert fingerprint(image)["phash"] == str(imagehash.phash(image))
    mirrored = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    assert fingerprint(image)["phash_mirror"] == str(imagehash.phash(mirrored))


@pytest.mark.parametrize("seed", range(8))
def test_dhash_is_imagehash_dhash_at_its_working_size(seed):
    image = smooth_image(seed, (9, 8))
    assert fingerprint(image)["dhash"] == str(imagehash.dhash(image))


@pytest.mark.parametrize("seed", range(8))
def test_large_images_stay_within_a_few_bits_of_imagehash(seed):
    """Above the working size only the box pre-reduction differs from imagehash."""
    image = smooth_image(seed, (512, 1024))
    prints = fingerprint(image)
    assert bits(prints["phash"], str(imagehash.phash(image))) <= 4
    assert bits(prints["dhash"], str(imagehash.dhash(image))) <= 4


def test_dhash_of_hand_made_gradients():
    """A left-to-right rising ramp: every pixel brighter than its left neighbour."""
    ramp = np.tile(np.arange(0, 256, 4, dtype=np.uint8), (64, 1))
    assert fingerprint(Image.fromarray(ramp))["dhash"] == "f" * 16
    assert fingerprint(Image.fromarray(ramp[:, ::-1].copy()))["dhash"] == "0" * 16
    assert mirror_dhash(0xFFFFFFFFFFFFFFFF) == 0


def test_clean_image_fingerprints_without_decoding_again():
    buf = io.BytesIO()
    smooth_image(1).save(buf, "JPEG", quality=90)
    real_open = Image.open
    with mock.patch.object(images.Image, "open", side_effect=real_open) as opened:
        _, info = images.clean_image(buf.getvalue())
    assert opened.call_count == 1
    assert info["fingerprint"] == fingerprint(Image.open(io.BytesIO(buf.getvalue())))


# ---------------------------------------------------------------- index


def planted_codes(rng, n_base, copies, max_flips):
    base = rng.integers(0, 2**64 - 1, n_base, dtype=np.uint64, endpoint=True)
    out = [base]
    for _ in range(copies):
        noisy = base.copy()
        for k in range(n_base):
            for b in rng.choice(64, int(rng.integers(0, max_flips + 1)), replace=False):
                noisy[k] ^= np.uint64(1) << np.uint64(b)
        out.append(noisy)
    return np.concatenate(out)


def as_list(i, j, dist):
    return list(zip(i.tolist(), j.tolist(), dist.tolist(), strict=True))


@pytest.mark.parametrize(
    "radius, chunks", [(0, None), (3, 3), (8, None), (8, 4), (10, 3), (12, 5), (12, 7), (20, 8)]
)
def test_near_pairs_equal_brute_force(radius, chunks):
    codes = planted_codes(np.random.default_rng(radius), 300, 3, 16)
    got = as_list(*near_pairs(codes, radius, chunks=chunks))
    assert len(got) == len(set(got)), "a pair reported twice"
    assert got == sorted(as_list(*brute_pairs(codes, radius)))
    assert got  # planted copies within the radius exist


def test_near_pairs_between_queries_and_codes():
    codes = planted_codes(np.random.default_rng(7), 200, 1, 6)
    queries = codes[::-1].copy()
    got = as_list(*near_pairs(codes, 6, queries=queries))
    assert got == sorted(as_list(*brute_pairs(codes, 6, queries=queries))) and got


def test_near_pairs_in_two_processes_match_one():
    """Above 100K codes the chunks run in forked workers: the same pairs come out."""
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 2**64 - 1, 120_000, dtype=np.uint64, endpoint=True)
    codes[:500] = codes[500:1000] ^ np.uint64(0b1011)
    one = as_list(*near_pairs(codes, 4, chunks=4))
    assert as_list(*near_pairs(codes, 4, chunks=4, processes=2)) == one
    assert {(a, b) for a, b, _ in one} >= {(k, k + 500) for k in range(500)}


# ---------------------------------------------------------------- pairs and clusters


def fp_record(dataset, item_id, split, phash, dhash=None, windows=None):
    dhash = phash if dhash is None else dhash
    prints = {"phash": f"{phash:016x}", "phash_mirror": f"{~phash & (2**64 - 1):016x}"}
    if windows is not None:  # (phash, dhash) of each of the 9 windows
        prints["phash_windows"] = [f"{p:016x}" for p, _ in windows]
        prints["dhash_windows"] = [f"{d:016x}" for _, d in windows]
    return {
        "dataset": dataset,
        "id": item_id,
        "split": split,
        "image": {"fingerprint": {**prints, "dhash": f"{dhash:016x}"}},
    }


def items_of(records):
    items = find.Items()
    for r in records:
        items.add(r, "test")
    return items


def test_pairs_clusters_and_counts():
    x = 0x0123456789ABCDEF
    records = [
        fp_record("shhq", "a", "all", x),
        fp_record("deepfashion2", "val/1", "val", x ^ 0b111),  # 3 bits from a
        fp_record("deepfashion2", "train/9", "train", x ^ 0b111 ^ (0b11 << 40)),  # 2 from val/1
        fp_record("fdh", "z", "train", ~x & (2**64 - 1)),  # 64 bits away from all
        fp_record("fdh", "y", "val", x ^ 0b1, dhash=~x & (2**64 - 1)),  # pHash near, dHash not
    ]
    items = items_of(records)
    pairs = find.find_pairs(items, threshold=6, dhash_threshold=6)
    assert [(a, b, d) for a, b, d, *_ in pairs] == [(0, 1, 3), (0, 2, 5), (1, 2, 2)]
    groups = find.clusters(len(items), pairs)
    assert groups == [[0, 1, 2]]
    summary = find.summarise(items, pairs, groups, {"threshold": 6})
    assert summary["pairs_by_dataset_pair"] == {
        "deepfashion2|deepfashion2": 1,
        "deepfashion2|shhq": 2,
    }
    assert summary["pairs_by_split_pair"] == {"all|train": 1, "all|val": 1, "train|val": 1}
    assert summary["pairs_by_dataset_split_pair"] == {
        "deepfashion2/train|deepfashion2/val": 1,
        "deepfashion2/train|shhq/all": 1,
        "deepfashion2/val|shhq/all": 1,
    }
    assert summary["eval_train_pairs_by_eval_split"] == {"deepfashion2/val": 2}
    # with dHash out of the decision, y pairs with a and with val/1
    loose = find.find_pairs(items, threshold=6, dhash_threshold=64)
    assert len(loose) == 6


def test_records_without_fingerprint_are_counted_not_compared():
    bare = {"dataset": "fdh", "id": "b", "split": "train", "image": {}}
    items = items_of([fp_record("fdh", "a", "train", 7), bare, fp_record("fdh", "c", "val", 7)])
    assert len(items) == 2 and items.without_fingerprint == 1
    pairs = find.find_pairs(items, 0, 0)
    assert find.summarise(items, pairs, [], {})["items_without_fingerprint"] == 1


def test_crop_pairs_match_a_whole_image_with_a_window_of_another():
    x, y, far = 0x0123456789ABCDEF, 0x0F0F0F0F0F0F0F0F, 0xFFFFFFFF00000000
    windows = [(far, far)] * 9
    windows[5] = (x ^ 0b11111, x ^ 0b1)  # window 5 of "big": 5 and 1 bits from "crop"
    items = items_of([
        fp_record("fdh", "big", "train", y, windows=windows),
        fp_record("shhq", "crop", "all", x),  # no windows: its whole image stands in
        fp_record("fdh", "other", "val", x ^ (2**40 - 1)),
    ])  # fmt: skip
    assert find.find_pairs(items, 10, 16) == []
    assert find.find_pairs(items, 10, 16, crops=(4, 1)) == []
    assert find.find_pairs(items, 10, 16, crops=(5, 1)) == [(0, 1, 5, 1, False, True)]
    assert find.find_pairs(items, 10, 16, crops=(5, 0)) == []  # the window's dHash decides
    rows = find.pair_rows(items, find.find_pairs(items, 10, 16, crops=(5, 1)))
    assert rows[0]["crop"] is True and rows[0]["a"]["id"] == "big"


def test_mirror_option_pairs_a_mirrored_copy():
    x = 0x00FF00FF00FF00FF
    mirrored = fp_record("fdh", "m", "train", 0x1234567812345678)
    mirrored["image"]["fingerprint"]["phash_mirror"] = f"{x:016x}"
    mirrored["image"]["fingerprint"]["dhash"] = f"{mirror_dhash(x):016x}"
    items = items_of([fp_record("fdh", "o", "train", x), mirrored])
    assert find.find_pairs(items, 4, 4) == []
    assert find.find_pairs(items, 4, 4, mirror=True) == [(0, 1, 0, 0, True, False)]


# ---------------------------------------------------------------- release policy


def key(dataset, item_id, split):
    return {"dataset": dataset, "id": item_id, "split": split}


def pair(a, b, phash, dhash=0):
    return {"a": a, "b": b, "phash": phash, "dhash": dhash, "mirrored": False}


T1, V2, T3, T4 = (key("fdh", "1", "train"), key("fdh", "2", "val"), key("fdh", "3", "train"),
                  key("fdh", "4", "train"))  # fmt: skip
S = key("shhq", "s", "all")
PAIRS = [pair(T1, V2, 3, 1), pair(V2, S, 1), pair(T3, T4, 0)]
CLUSTERS = [{"cluster": 0, "members": [T1, V2, S]}, {"cluster": 1, "members": [T3, T4]}]


def test_cross_split_leaks_drops_eval_items_near_released_training_items():
    drops = policy.cross_split_leaks(PAIRS, {"fdh", "shhq"}, set())
    assert list(drops) == [("fdh", "2")]
    assert drops[("fdh", "2")]["duplicate_of"] == key("shhq", "s", "all")  # the nearest
    only_fdh = policy.cross_split_leaks(PAIRS, {"fdh"}, set())
    assert only_fdh[("fdh", "2")]["duplicate_of"] == key("fdh", "1", "train")
    assert policy.cross_split_leaks(PAIRS, {"fdh"}, {"val"}) == {}  # no training item released


def test_all_duplicates_keeps_one_item_per_cluster():
    drops = policy.all_duplicates(CLUSTERS, {"fdh", "shhq"}, set())
    # cluster 0 keeps the first training item by dataset order (shhq before fdh)
    assert sorted(drops) == [("fdh", "1"), ("fdh", "2"), ("fdh", "4")]
    assert drops[("fdh", "2")]["duplicate_of"] == key("shhq", "s", "all")
    assert drops[("fdh", "4")]["duplicate_of"] == key("fdh", "3", "train")


@pytest.mark.parametrize("name", ["cross_split_leaks", "all_duplicates"])
def test_release_lists_what_dedup_dropped(tmp_path, name):
    records = [record("1"), record("2", split="val"), record("3"), record("4")]
    norm = workspace(tmp_path, records)
    pairs, clusters = tmp_path / "pairs.jsonl", tmp_path / "clusters.jsonl"
    pairs.write_text("".join(json.dumps(p) + "\n" for p in PAIRS))
    clusters.write_text("".join(json.dumps(c) + "\n" for c in CLUSTERS))
    old = tmp_path / "releases" / "t-1.0.0"
    build_release(old, spec(tmp_path, norm))
    new = tmp_path / "releases" / "t-2.0.0"
    release_spec = spec(tmp_path, norm, "2.0.0")
    dropped = policy.dropped(name, pairs, clusters, ["fdh"])
    release_spec["dedup"] = {"policy": name, "dropped": dropped}
    _, counts = build_release(new, release_spec)
    expected = {"cross_split_leaks": ["2"], "all_duplicates": ["2", "4"]}[name]
    assert counts == {"fdh": 4 - len(expected)}
    provenance = json.loads((new / "PROVENANCE.json").read_text())
    assert provenance["dedup"]["policy"] == name
    assert [d["id"] for d in provenance["dedup"]["dropped"]] == expected
    assert ["fdh", f"release: dropped by dedup ({name})", len(expected)] in provenance["counts"]
    card = (new / "README.md").read_text()
    assert "## Near-duplicates dropped" in card and "fdh val 2: " in card
    changes, bump = diff_releases(old, new)
    assert changes["removed"] == [("fdh", i) for i in expected] and bump == "major"
    metas = [{"name": "t", "version": v} for v in ("1.0.0", "2.0.0")]
    text = changes_markdown(*metas, changes, bump)
    assert f"Dropped as near-duplicates (release.dedup): {len(expected)}" in text
    assert "fdh val 2: " in text


# ---------------------------------------------------------------- planted duplicates


DEFAULTS = {"threshold": 10, "dhash_threshold": 16, "crops": (8, 10)}  # the config schema's


@pytest.fixture(scope="module")
def planted():
    """Rates at the default thresholds, without and with dedup.mirror."""
    items, truth = planted_items(30)
    return measure(items, truth, **DEFAULTS), measure(items, truth, **DEFAULTS, mirror=True)


def test_planted_resize_reencode_crop_jitter_are_found(planted):
    rates, _ = planted
    for edit in ("resize", "reencode", "crop", "jitter"):
        assert rates[edit] >= 0.95, (edit, rates)


def test_planted_lookalikes_are_not_pairs(planted):
    rates, with_mirror = planted
    for kind in ("same_pose_outfit", "same_colours", "same_background"):
        assert 1 - rates[kind] >= 0.99 and 1 - with_mirror[kind] >= 0.99, (kind, rates)


def crop_pairs_found(scenes, cut, rng, crops):
    items = find.Items()
    for k, scene in enumerate(scenes):
        cropped = crop(scene.image, rng, (cut, cut))
        for name, image in ((f"o{k}", scene.image), (f"c{k}", cropped)):
            items.add(fp_of(name, image), "test")
    pairs = {(a, b): p for a, b, *p in find.find_pairs(items, 10, 16, False, crops)}
    return {k: pairs.get((2 * k, 2 * k + 1)) for k in range(len(scenes))}


def test_crops_up_to_ten_percent_are_found_through_the_windows():
    """A whole-image hash finds a 2% cut per side but misses most 10% cuts (bench/dedup.py:
    recall 0.2); the windows find them, marked as crops."""
    rng = np.random.default_rng(11)
    scenes = [Scene(rng) for _ in range(12)]
    small = crop_pairs_found(scenes, 0.02, rng, None)
    assert all(p is not None and not p[3] for p in small.values())
    assert sum(p is not None for p in crop_pairs_found(scenes, 0.10, rng, None).values()) < 12
    large = crop_pairs_found(scenes, 0.10, rng, (8, 10))
    assert sum(p is not None for p in large.values()) >= 11
    assert sum(p[3] for p in large.values() if p) >= 6  # most found as crops only


def test_window_hashes_are_those_of_the_window_cut_out():
    """Window k's hashes are those of the window cut out of the 32x32 reduction by Pillow
    (a fractional box, resized in float: no 8-bit rounding) and hashed as imagehash does,
    with scipy's DCT-II."""
    from scipy.fft import dct

    lanczos = Image.Resampling.LANCZOS
    for seed in range(8):
        gray = smooth_image(seed, (32, 32)).convert("L")
        prints = fingerprint(gray)
        assert len(prints["phash_windows"]) == len(prints["dhash_windows"]) == 9
        floats = Image.fromarray(np.asarray(gray, np.float32), "F")
        for k, box in enumerate(window_boxes()):
            pixels = np.asarray(floats.resize((32, 32), lanczos, box=box), np.float64)
            low = dct(dct(pixels, axis=0), axis=1)[:8, :8]
            assert prints["phash_windows"][k] == hex_of(low > np.median(low)), (seed, k)
            tiny = np.asarray(floats.resize((9, 8), lanczos, box=box), np.float64)
            assert prints["dhash_windows"][k] == hex_of(tiny[:, 1:] > tiny[:, :-1]), (seed, k)


def hex_of(bools):
    return f"{int(''.join('1' if b else '0' for b in bools.ravel()), 2):016x}"


def test_resample_matrix_is_pillows_resize():
    """The weights reproduce Pillow's own Lanczos resize of a float image's rows."""
    rows = np.random.default_rng(0).uniform(0, 255, (5, 32)).astype(np.float32)
    got = rows @ resample_matrix(32, 9, 2.56, 29.44).T
    want = Image.fromarray(rows, "F").resize((9, 5), Image.Resampling.LANCZOS, (2.56, 0, 32, 5))
    assert np.allclose(got, np.asarray(want), atol=1e-3)


def fp_of(name, image):
    return {
        "dataset": "t",
        "id": name,
        "split": "all",
        "image": {"fingerprint": fingerprint(image)},
    }


def test_mirror_found_only_with_the_option(planted):
    rates, with_mirror = planted
    assert rates["mirror"] == 0.0 and with_mirror["mirror"] >= 0.95


# ---------------------------------------------------------------- the workflow


@pytest.mark.e2e
def test_demo_run_finds_pairs_among_every_fingerprinted_record(plain_run):
    work, _ = plain_run
    results = work / "results"
    records = [
        json.loads(line)
        for path in sorted(results.glob("normalised/*/shard-*[0-9].jsonl"))
        for line in path.read_text().splitlines()
    ]
    summary = json.loads((results / "dedup/summary.json").read_text())
    assert summary["items"] == len(records) and summary["threshold"] == 10
    pairs = [json.loads(line) for line in (results / "dedup/pairs.jsonl").read_text().splitlines()]
    assert len(pairs) == summary["pairs"] == sum(summary["pairs_by_dataset_pair"].values())
    prints = {(r["dataset"], r["id"]): r["image"]["fingerprint"] for r in records}
    for p in pairs:  # the distances are those of the records' own fingerprints
        a, b = prints[p["a"]["dataset"], p["a"]["id"]], prints[p["b"]["dataset"], p["b"]["id"]]
        if not p["crop"]:
            assert bits(a["phash"], b["phash"]) == p["phash"] <= 10
            assert bits(a["dhash"], b["dhash"]) == p["dhash"] <= 16
            continue
        # a crop: one image's whole-image hashes against one of the other's windows
        windows = [
            (bits(x["phash"], w), bits(x["dhash"], v))
            for x, y in ((a, b), (b, a))
            for w, v in zip(y["phash_windows"], y["dhash_windows"], strict=True)
        ]
        assert (p["phash"], p["dhash"]) in windows and p["phash"] <= 8 and p["dhash"] <= 10


@pytest.mark.e2e
def test_demo_run_finds_the_planted_duplicates_and_no_lookalikes(plain_run):
    """The demo plants duplicates across SHHQ, DeepFashion2 and HuGe100K and within FDH,
    and look-alikes (humanprep.demo.duplicates): every duplicate is found but the mirrored
    one (dedup.mirror is off by default), no look-alike is."""
    from humanprep.demo import known_pairs

    work, _ = plain_run
    rows = (work / "results/dedup/pairs.jsonl").read_text().splitlines()
    found = set()
    for row in map(json.loads, rows):
        found.add(
            frozenset(
                {(row["a"]["dataset"], row["a"]["id"]), (row["b"]["dataset"], row["b"]["id"])}
            )
        )
    score = known_pairs.score(found, mirror=False)
    assert score["recall"] >= 0.95 and score["lookalike_precision"] >= 0.99, score
    assert score["kinds"]["crop"] == 1 and score["kinds"]["mirror"] == 0, score
