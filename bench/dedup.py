"""Benchmark of near-duplicate finding: fingerprint cost, planted recall/precision, and
all near pairs among 2.5M synthetic fingerprints.

    .venv/bin/python bench/dedup.py [--items 2500000] [--processes 2] [--quick]

Prints the figures and writes them to bench/dedup.json and to the dedup section of
bench/RESULTS.md. Times are process CPU seconds where a share is compared (fingerprint vs
normalise, immune to other load) and wall seconds for the 2.5M search; peak memory is the
largest maximum RSS of this process and its workers.
"""

import argparse
import json
import os
import re
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "tests")]

import planted  # noqa: E402  (tests/planted.py)
import workload  # noqa: E402

from humanprep.dedup import find  # noqa: E402
from humanprep.dedup.fingerprint import PHASH_SIZE, _shrink, fingerprint, window_hashes  # noqa: E402
from humanprep.demo import edits  # noqa: E402
from humanprep.io import read_jsonl  # noqa: E402
from humanprep.normalise.shard import normalise_shard  # noqa: E402
from humanprep.settings import defaults  # noqa: E402

_SCHEMA = defaults("dedup")  # the config schema's dedup defaults
DEFAULTS = {
    "threshold": _SCHEMA["threshold"],
    "dhash_threshold": _SCHEMA["dhash_threshold"],
    "crops": (_SCHEMA["crop_threshold"], _SCHEMA["crop_dhash_threshold"]),
}
MARK = ("<!-- dedup: bench/dedup.py -->", "<!-- /dedup -->")


def peak_mb(processes=1):
    """Upper bound of the peak: this process's maximum RSS plus `processes` times the
    largest worker's (pages the workers share with it are counted again each time)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if processes > 1 else 0
    return round((own + processes * workers) / 1024)


def cpu_s():
    """CPU seconds of this process and its finished workers."""
    own, workers = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def fingerprint_share(root, n_shhq, n_fdh):
    """CPU seconds of normalising SHHQ-like and FDH-like shards (fingerprints included)
    and of fingerprinting their already decoded images alone."""
    rows = {}
    for dataset, data in (
        ("shhq", workload.shhq_items(root / "shhq", n_shhq)),
        ("fdh", workload.fdh_items(root / "fdh", n_fdh)),
    ):
        manifest = (data.get("manifests") or [data["manifest"]])[0]
        start = time.process_time()
        normalise_shard(
            dataset, "shard-00000", read_jsonl(manifest), data["side"], {}, root / "out" / dataset
        )
        normalise_s = time.process_time() - start
        decoded = []
        for entry in read_jsonl(manifest):
            path = entry["files"].get("image") or entry["files"]["image.png"]
            with Image.open(path) as image:
                image.load()
                decoded.append(image.copy())
        start = time.process_time()
        for image in decoded:
            fingerprint(image)
        fp_s = time.process_time() - start
        smalls = [np.asarray(_shrink(i.convert("L"), (PHASH_SIZE, PHASH_SIZE))) for i in decoded]
        start = time.process_time()
        for small in smalls:
            window_hashes(small)
        windows_s = time.process_time() - start
        rows[dataset] = {
            "items": len(decoded),
            "size": f"{decoded[0].width}x{decoded[0].height}",
            "normalise_cpu_s": round(normalise_s, 3),
            "fingerprint_cpu_s": round(fp_s, 3),
            "share": round(fp_s / normalise_s, 4),
            "windows_cpu_s": round(windows_s, 3),
            "windows_share": round(windows_s / normalise_s, 4),
        }
    return rows


def crop_recall(n, fractions, seed=1):
    """Recall at the defaults of crops cutting exactly `fraction` of the width and of the
    height (split at random between the sides)."""
    rng = np.random.default_rng(seed)
    scenes = [planted.Scene(rng) for _ in range(n)]
    out = {}
    for fraction in fractions:
        items, truth = find.Items(), []
        for k, scene in enumerate(scenes):
            cropped = edits.crop(scene.image, rng, (fraction, fraction))
            for name, image in ((f"o{k}", scene.image), (f"o{k}-crop", cropped)):
                record = {"dataset": "planted", "id": name, "split": "all"}
                items.add({**record, "image": {"fingerprint": fingerprint(image)}}, "bench")
            truth.append((2 * k, 2 * k + 1))
        for name, crops in (("whole", None), ("windows", DEFAULTS["crops"])):
            settings = {**DEFAULTS, "crops": crops}
            pairs = {(a, b) for a, b, *_ in find.find_pairs(items, **settings)}
            out.setdefault(name, {})[f"{fraction:.2f}"] = round(
                sum(t in pairs for t in truth) / n, 3
            )
    return out


def _noise(rng, flips):
    noise = np.zeros(len(flips), np.uint64)
    for k, f in enumerate(flips):
        for b in rng.choice(64, int(f), replace=False):
            noise[k] |= np.uint64(1) << np.uint64(b)
    return noise


def synthetic_items(n, seed=0):
    """n fingerprints: uniform random codes (9 windows each), 1% planted copies of others
    with 0-12 pHash and 0-8 dHash bits flipped, and 0.5% planted crops of others: whole
    hashes 0-10 and 0-8 bits from one of their windows; five datasets, three splits."""
    rng = np.random.default_rng(seed)
    codes = {k: rng.integers(0, 2**64 - 1, n, dtype=np.uint64, endpoint=True) for k in find.CODES}
    for key in find.WINDOW_CODES:
        codes[key] = rng.integers(0, 2**64 - 1, (n, find.WINDOWS), np.uint64, endpoint=True)
    copies, crops = n // 100, n // 200
    source = rng.choice(n - copies - crops, copies + crops, replace=False) + copies + crops
    window = rng.integers(0, find.WINDOWS, crops)
    bits = {
        "phash": rng.integers(0, 13, copies + crops),
        "dhash": rng.integers(0, 9, copies + crops),
    }
    for key, flips in bits.items():
        noise = _noise(rng, flips)
        codes[key][:copies] = codes[key][source[:copies]] ^ noise[:copies]
        windows = codes[f"{key}_windows"][source[copies:], window]
        codes[key][copies : copies + crops] = windows ^ noise[copies:]
    datasets = np.array(["shhq", "fdh", "deepfashion2", "huge100k", "celeba"])[np.arange(n) % 5]
    splits = np.array(["train", "val", "test"])[rng.integers(0, 3, n)]
    items = find.Items.from_arrays(datasets, (f"{k:07d}" for k in range(n)), splits, codes)
    limit = np.r_[np.full(copies, DEFAULTS["threshold"]), np.full(crops, DEFAULTS["crops"][0])]
    within = (bits["phash"] <= limit) & (bits["dhash"] <= DEFAULTS["dhash_threshold"])
    expected = {(k, int(s)) for k, s in zip(np.flatnonzero(within), source[within], strict=True)}
    return items, expected


class PssSampler(threading.Thread):
    """The largest summed proportional set size (shared pages counted once) of this
    process and its children, sampled every 0.2 s (Linux /proc)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_mb, self.done = 0, threading.Event()

    @staticmethod
    def pss_kb(pid):
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            return 0
        return next(int(line.split()[1]) for line in text.splitlines() if line.startswith("Pss:"))

    def run(self):
        me = os.getpid()
        while not self.done.wait(0.2):
            kids = Path(f"/proc/{me}/task/{me}/children").read_text().split()
            total = sum(self.pss_kb(pid) for pid in [me, *kids])
            self.peak_mb = max(self.peak_mb, round(total / 1024))


def search(n, processes):
    pss = PssSampler()
    pss.start()
    start = time.perf_counter()
    items, expected = synthetic_items(n)
    made_s = time.perf_counter() - start
    start, cpu = time.perf_counter(), cpu_s()
    pairs = find.find_pairs(items, **DEFAULTS, processes=processes)
    pairs_s, pairs_cpu_s = time.perf_counter() - start, cpu_s() - cpu
    start = time.perf_counter()
    groups = find.clusters(len(items), pairs)
    summary = find.summarise(items, pairs, groups, dict(DEFAULTS))
    rest_s = time.perf_counter() - start
    found = {(a, b) for a, b, *_ in pairs}
    pss.done.set()
    pss.join()
    return {
        "fingerprints": n,
        "processes": processes,
        "build_s": round(made_s, 1),
        "pairs_s": round(pairs_s, 1),
        "pairs_cpu_s": round(pairs_cpu_s, 1),
        "clusters_and_summary_s": round(rest_s, 1),
        "pairs": len(pairs),
        "crop_pairs": summary["crop_pairs"],
        "planted_pairs_within_thresholds": len(expected),
        "planted_pairs_found": len(expected & found),
        "clusters": summary["clusters"],
        "peak_mb_upper_bound": peak_mb(processes),
        "peak_pss_mb": pss.peak_mb,
    }


def markdown(results):
    fp, rates, crops, big = (results[k] for k in ("fingerprint", "planted", "crop", "search"))
    lines = [MARK[0], "", "## Near-duplicates (bench/dedup.py)", ""]
    lines.append(
        f"Load average at start {results['load_average']} on {os.cpu_count()} cores; "
        f"defaults threshold {DEFAULTS['threshold']}, dhash_threshold "
        f"{DEFAULTS['dhash_threshold']}, crops (pHash, dHash) {DEFAULTS['crops']}."
    )
    lines += [
        "",
        "| fingerprint cost | items | image | normalise CPU s | fingerprint CPU s | share "
        "| of which windows CPU s | share |",
    ]
    lines.append("|---|---:|---|---:|---:|---:|---:|---:|")
    for name, r in fp.items():
        lines.append(
            f"| {name} | {r['items']} | {r['size']} | {r['normalise_cpu_s']} | "
            f"{r['fingerprint_cpu_s']} | {r['share']:.1%} | {r['windows_cpu_s']} | "
            f"{r['windows_share']:.1%} |"
        )
    lines += ["", "| planted (share of pairs reported) | without mirror | with dedup.mirror |"]
    lines.append("|---|---:|---:|")
    for kind in (*edits.EDITS, *planted.LOOKALIKES, "unrelated_pairs"):
        lines.append(f"| {kind} | {rates['plain'][kind]} | {rates['mirror'][kind]} |")
    lines += ["", "| crop (cut of width and of height) | recall, whole image | with windows |"]
    lines.append("|---|---:|---:|")
    lines += [f"| {f} | {r} | {crops['windows'][f]} |" for f, r in crops["whole"].items()]
    lines += ["", "| all near pairs | value |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in big.items()]
    return "\n".join([*lines, "", MARK[1]]) + "\n"


def write_section(path, text):
    old = path.read_text() if path.exists() else ""
    pattern = re.compile(re.escape(MARK[0]) + ".*?" + re.escape(MARK[1]) + "\n", re.S)
    new = pattern.sub(lambda _: text, old) if pattern.search(old) else old + "\n" + text
    path.write_text(new)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2_500_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="small sizes; writes nothing")
    args = parser.parse_args(argv)
    n_items = 20_000 if args.quick else args.items
    results = {"load_average": [round(x, 2) for x in os.getloadavg()]}
    with tempfile.TemporaryDirectory(prefix="humanprep-dedup-") as tmp:
        results["fingerprint"] = fingerprint_share(
            Path(tmp), *((8, 20) if args.quick else (60, 200))
        )
    print("fingerprint share of normalise:", json.dumps(results["fingerprint"]), flush=True)
    items, truth = planted.planted_items(10 if args.quick else 60)
    results["planted"] = {
        "plain": planted.measure(items, truth, **DEFAULTS),
        "mirror": planted.measure(items, truth, **DEFAULTS, mirror=True),
    }
    print("planted:", json.dumps(results["planted"]), flush=True)
    results["crop"] = crop_recall(10 if args.quick else 60, (0.02, 0.04, 0.06, 0.08, 0.10))
    print("crop recall by cut per side:", json.dumps(results["crop"]), flush=True)
    results["search"] = search(n_items, args.processes)
    print("all near pairs:", json.dumps(results["search"]), flush=True)
    if not args.quick:
        (HERE / "dedup.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
        write_section(HERE / "RESULTS.md", markdown(results))
        print("wrote bench/dedup.json and the dedup section of bench/RESULTS.md")


if __name__ == "__main__":
    main()
