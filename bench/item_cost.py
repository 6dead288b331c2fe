"""What one item costs to normalise at its dataset's real published size.

    .venv/bin/python bench/item_cost.py [--items 200] [--videos 24] [--write] [--profile D]

For every dataset, a shard of items at the real sizes (FORMATS.md; REAL_SIZES) is drawn by
the demo's builders (humanprep/demo), packed into the dataset's real archives (encrypted
where the real ones are), indexed or extracted as the workflow does, planned into one shard
and normalised by humanprep.normalise.shard.normalise_shard in a fresh process, after a
one-item warm-up shard (imports and first-call setup, which a real shard of thousands of
items amortises, are not counted). Per dataset: the job's CPU seconds per item (user + sys,
getrusage), raw bytes per item (the downloaded archives and side files over the items),
store bytes per item (the shard's tars and its records JSON Lines), store / raw, and the
files one shard leaves in results/normalised.

The pictures are drawn figures with the demo's photo noise: their JPEG bytes come near real
photos' (DeepFashion2 ~50 KB, CelebA-HQ ~110 KB, HuGe100K's reference ~100 KB), not equal.
HuGe100K's videos are MPEG-4 Part 2 (mp4v, ~250 KB like the real H.264 ones): OpenCV here has
no H.264 encoder and neither ffmpeg nor PyAV is installed. H.264 decodes slower, so its
figure replaces the job's own mp4v decoding time with H264_FRAMES_PER_S.

Writes bench/item_cost.json (read by bench/rehearse.py for the full-size normalise time;
a run of some datasets keeps the others' rows) and, with --write, the table into its
section of bench/RESULTS.md. --profile D runs dataset D's job under cProfile (CPU time) and
prints the top functions.
"""

import argparse
import cProfile
import json
import math
import pickle
import pstats
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]

import workload  # noqa: E402  (bench/workload.py)
from rehearse import write_results  # noqa: E402

from humanprep.datasets import DEMO_PASSWORDS, DESCRIPTORS  # noqa: E402
from humanprep.datasets.celeba import demo as demo_celeba  # noqa: E402
from humanprep.datasets.celeba import faces  # noqa: E402
from humanprep.datasets.deepfashion2 import demo as demo_df2  # noqa: E402
from humanprep.datasets.deepfashion_mm import demo as demo_dfmm  # noqa: E402
from humanprep.datasets.fdh import demo as demo_fdh  # noqa: E402
from humanprep.datasets.huge100k import demo as demo_huge  # noqa: E402
from humanprep.datasets.huge100k.torchpickle import dumps_npy_like_huge100k  # noqa: E402
from humanprep.datasets.shhq import demo as demo_shhq  # noqa: E402
from humanprep.demo import figure  # noqa: E402
from humanprep.demo.ziputil import DEFLATED, STORED, Member, write_zip  # noqa: E402
from humanprep.io import read_jsonl, write_json  # noqa: E402
from humanprep.items import png_bytes  # noqa: E402
from humanprep.tarutil import write_tar  # noqa: E402

MARK = "<!-- bench/item_cost.py -->"
OUT_JSON = HERE / "item_cost.json"
DATASETS = ("fdh", "shhq", "deepfashion2", "huge100k", "celeba", "deepfashion_mm")
HEADROOM = 2.0  # descriptors' seconds_per_item = measured x HEADROOM, 2 significant figures
REAL_SIZES = {  # (W, H) of the main picture, FORMATS.md
    "fdh": "288x160 PNG + 3 mask PNGs + keypoints/vertices npy",
    "shhq": "512x1024 JPEG + segment and parsing PNGs",
    "deepfashion2": "480-720 x 576-768 JPEG (the demo's scenes x3) + annotation JSON",
    "huge100k": "640x896 24-frame mp4 (mp4v) + 768x1072 reference JPEG + npy",
    "celeba": "1024x1024 JPEG + 512x512 RGB part-mask PNGs + 10 captions",
    "deepfashion_mm": "750x1101 JPEG + DensePose PNG; parsing PNG + keypoints on 2 in 7",
}
DF2_SCALE = 3  # DeepFashion2's pictures vary in size; the demo's scenes x3 are 480-720 wide
DF2_QUALITY = 92  # about 50 KB per picture, as DeepFashion2's zips average (~10 GB / 192K)
DF2_SPLITS = {"train": 191_961, "validation": 32_153, "test": 62_629}
# Demo items planted to be quarantined (or repaired): not replicated here.
DF2_PLANTED = {demo_df2.OUTSIDE_IMAGE, demo_df2.DEGENERATE_POLYGON[0]}
HUGE_SUBJECTS = [i for i, s in enumerate(demo_huge.SUBJECTS) if s[2] != demo_huge.SHORT_VIDEO]
VIDEO_SIZE, JPG_SIZE = (640, 896), (768, 1072)
# More texture than the demo's photos (sigma 4): an mp4 of about 250 KB and a reference JPEG
# of about 100 KB, as the real sample's (249 KB, 107 KB; issue 25)
HUGE_NOISE = 6.5
# H.264 decodes a 24-frame 640x896 clip at ~300 frames/s on one core (/work/shared/
# PERFORMANCE.md); the mp4v clips here decode faster, so HuGe100K's real cost is the measured
# one with the job's own mp4v decoding time replaced by that.
H264_FRAMES_PER_S = 300
FACE, MASK = 1024, 512
DFMM_SIZE = (750, 1101)
DFMM_FULL = ["MEN-Denim-id_00000080-01_7_additional", "WOMEN-Dresses-id_00000002-02_1_front"]
DFMM_UPPER = ["MEN-Tees_Tanks-id_00000390-02_1_front"]
DFMM_FULL_SHARE = 12_701 / 44_096  # images with parsing and keypoints (the README's counts)


def _photo_noise(rgb, rng, sigma):
    """The demo's photo texture (figure.photo's noise, sigma 4), then a slight blur."""
    noisy = (rgb + rng.normal(0, sigma, rgb.shape)).clip(0, 255).astype(np.uint8)
    return cv2.GaussianBlur(noisy, (0, 0), 0.7)


def _lazy(draw):
    """draw(key), computed on first use: a tiny run draws only the templates it uses."""
    cache = {}

    def get(key):
        if key not in cache:
            cache[key] = draw(key)
        return cache[key]

    return get


def _upscale_labels(labels, size):
    return cv2.resize(labels, size, interpolation=cv2.INTER_NEAREST)


# ----------------------------------------------------------------------------- the datasets


def make_fdh(raw, n, rng):
    """The four licence tars (members `<key>.<role>`) and metadata.json: already real size."""
    licences = list(demo_fdh.LICENCE_TARS)
    drawn = [demo_fdh.sample_members(i + 1, licences[i % 4], rng) for i in range(workload.DISTINCT)]
    members = {licence: [] for licence in licences}
    metadata = {}
    for number in range(1, n + 1):
        licence = licences[number % 4]
        for name, data in drawn[number % workload.DISTINCT]:
            role = name.partition(".")[2]
            members[licence].append((f"{demo_fdh.key_of(number)}.{role}", data))
        split = "val" if number % 10 == 0 else "train"
        metadata[str(number)] = demo_fdh.metadata_entry(number, licence, split, "23456789@N01")
    out = [write_tar(raw / demo_fdh.LICENCE_TARS[lic], m) for lic, m in members.items()]
    write_json(raw / demo_fdh.METADATA, metadata)
    return out, [raw / demo_fdh.METADATA]


def make_shhq(raw, n, rng):
    """SHHQ-1.0.zip (AES, as the demo's): bench/workload.py's 512x1024 people."""
    drawn = workload.shhq_drawings(0)  # none of the demo's planted defects
    root = demo_shhq.ROOT
    members, lines = [], []
    for number in range(1, n + 1):
        jpg, seg, parsing, joints = drawn[number % len(drawn)]
        stem = f"image_{number:06d}"
        members += [
            Member(f"{root}/no_segment/{stem}.jpg", jpg, STORED),
            Member(f"{root}/segments/{stem}.png", seg),
            Member(f"{root}/parsing/{stem}.png", parsing),
        ]
        lines.append(f"{stem}.jpg " + " ".join(f"{x:.1f} {y:.1f}" for x, y in joints))
    members.append(Member(f"{root}/{demo_shhq.KEYPOINTS}", ("\n".join(lines) + "\n").encode()))
    path = write_zip(raw / demo_shhq.ARCHIVE, members, password=demo_shhq.PASSWORD,
                     encryption=demo_shhq.ENCRYPTION)  # fmt: skip
    return [Path(path)], []


def _scaled(value, k):
    return [round(v * k) for v in value]


def _scale_garment(item, k):
    """A DeepFashion2 garment annotation with its coordinates scaled by k."""
    item = dict(item)
    item["bounding_box"] = _scaled(item["bounding_box"], k)
    marks = item["landmarks"]
    item["landmarks"] = [v if i % 3 == 2 else round(v * k) for i, v in enumerate(marks)]
    item["segmentation"] = [_scaled(poly, k) for poly in item["segmentation"]]
    return item


def _df2_scene(key, rng):
    """(JPEG, annotation JSON) of one demo scene drawn DF2_SCALE times larger."""
    _, pair_id, (width, height), decision, garments = demo_df2.SCENES[key]
    layers, polys, occluder = demo_df2.scene_layers(key, rng)
    size = (width * DF2_SCALE, height * DF2_SCALE)
    labels = _upscale_labels(figure.draw_labels(layers, width, height), size)
    colours = figure.random_colours(rng)
    for n, (_, style) in enumerate(garments, 1):
        colours[20 + n] = demo_df2.garment_colour(pair_id, style, rng)
    background = np.full(3, 246.0) if decision == "not_worn" else None
    rgb = figure.photo(labels, colours, rng, background=background).copy()
    if occluder is not None:
        x1, y1, x2, y2 = (int(round(v * DF2_SCALE)) for v in occluder)
        rgb[y1:y2, x1:x2] = (120, 80, 45)
    doc = demo_df2.annotation(key, polys, occluder, rng)
    doc = {k: _scale_garment(v, DF2_SCALE) if k.startswith("item") else v for k, v in doc.items()}
    return figure.jpeg_bytes(rgb, DF2_QUALITY), json.dumps(doc).encode()


def make_deepfashion2(raw, n, rng):
    """train/validation/test zips (ZipCrypto, as the demo's), items split as published."""
    scenes = [k for k in sorted(demo_df2.SCENES) if k not in DF2_PLANTED]
    scene = _lazy(lambda key: _df2_scene(key, rng))

    def test_image(size):
        size = (size[0] * DF2_SCALE, size[1] * DF2_SCALE)
        return figure.jpeg_bytes(demo_df2.unannotated_image(size, rng), DF2_QUALITY)

    test = _lazy(test_image)
    total = sum(DF2_SPLITS.values())
    paths = []
    for split, published in DF2_SPLITS.items():
        members = []
        for i in range(1, max(1, round(n * published / total)) + 1):
            if split == "test":
                jpg = test(demo_df2.TEST_SIZES[i % len(demo_df2.TEST_SIZES)])
                members.append(Member(f"test/image/{i:06d}.jpg", jpg, STORED))
                continue
            jpg, doc = scene(scenes[i % len(scenes)])
            members += [Member(f"{split}/image/{i:06d}.jpg", jpg, STORED),
                        Member(f"{split}/annos/{i:06d}.json", doc, DEFLATED)]  # fmt: skip
        path = write_zip(raw / demo_df2.ARCHIVES[split], members,
                         password=demo_df2.PASSWORD, encryption=demo_df2.ENCRYPTION)  # fmt: skip
        paths.append(Path(path))
    return paths, []


def _huge_subject(index, rng):
    """(reference JPEG, mp4, npy) of a demo subject at the real sizes."""
    name = demo_huge.SUBJECTS[index][2]
    pose, params, colours = demo_huge.subject_look(index, 0)
    front = demo_huge.FRONT_VIEW[name]
    views = [
        _photo_noise(demo_huge.render_view(v, front, pose, VIDEO_SIZE, colours), rng, HUGE_NOISE)
        for v in range(demo_huge.N_VIEWS)
    ]
    jpg = demo_huge.render_view(front, front, pose, JPG_SIZE, colours)
    scale = VIDEO_SIZE[0] / demo_huge.VIDEO_SIZE[0]  # intrinsics in pixels of the real video
    params["poses"] = [[w2c, (k * scale).astype(np.float32)] for w2c, k in params["poses"]]
    return (
        figure.jpeg_bytes(_photo_noise(jpg, rng, HUGE_NOISE)),
        workload._video_bytes(views, VIDEO_SIZE),
        dumps_npy_like_huge100k(params),
    )


def make_huge100k(raw, n, rng):
    """HuGe100K.tar: `<batch>/<group>/videos/<name>.jpg|.mp4` and `param/<name>.npy`."""
    subject = _lazy(lambda index: _huge_subject(index, rng))
    members = []
    for number in range(1, n + 1):
        index = HUGE_SUBJECTS[number % len(HUGE_SUBJECTS)]
        files = subject(index)
        batch, group, name = demo_huge.SUBJECTS[index]
        name = re.sub(r"_\d+$", f"_{number}", name)
        for path, data in zip(demo_huge.member_paths(batch, group, name), files, strict=True):
            members.append((path, data))
    return [write_tar(raw / demo_huge.ARCHIVE, members)], []


def _celeba_face(k, rng):
    tone, lighting = demo_celeba.LOOKS[k]
    hair = demo_celeba.traits(k)["hair"]
    colour = demo_celeba.HAIR[hair][1] if hair else None
    face = faces.render(demo_celeba.part_masks(k, FACE), FACE, tone, lighting, rng, colour)
    masks = {
        part: png_bytes(np.repeat(mask[..., None], 3, axis=2))
        for part, mask in demo_celeba.part_masks(k, MASK).items()
    }
    return figure.jpeg_bytes(face), masks


def make_celeba(raw, n, rng):
    """CelebAMask-HQ.zip (1024 faces, 512 part masks, the lists) and the captions zip."""
    root = demo_celeba.ROOT
    face = _lazy(lambda k: _celeba_face(k, rng))
    files, text = {}, {}
    mapping, attributes, pose = ["idx orig_idx orig_file"], [], []
    for i in range(n):
        k = demo_celeba.IDS[i % len(demo_celeba.IDS)]
        jpg, masks = face(k)
        files[f"{root}/CelebA-HQ-img/{i}.jpg"] = jpg
        for part, data in masks.items():
            files[f"{root}/CelebAMask-HQ-mask-anno/{i // 2000}/{i:05d}_{part}.png"] = data
        orig = i * 6  # spread over CelebA's three splits
        mapping.append(f"{i}  {orig}  {orig + 1:06d}.jpg")
        values = demo_celeba.attribute_values(k, rng)
        attributes.append(f"{i}.jpg " + " ".join(map(str, values)))
        pose.append(f"{i}.jpg {rng.uniform(-30, 30):.4f} {rng.uniform(-15, 15):.4f} 0.0000")
        text[f"text/celeba-caption/{i}.txt"] = demo_celeba.captions(k).encode()
    header = [str(n), " ".join(demo_celeba.ATTRIBUTES)]
    for name, lines in (
        ("CelebA-HQ-to-CelebA-mapping.txt", mapping),
        ("CelebAMask-HQ-attribute-anno.txt", header + attributes),
        ("CelebAMask-HQ-pose-anno.txt", [str(n), "Yaw Pitch Raw", *pose]),
    ):
        files[f"{root}/{name}"] = ("\n".join(lines) + "\n").encode()
    cut = max(1, n * 4 // 5)
    text["train/filenames.pickle"] = pickle.dumps([str(i) for i in range(cut)], protocol=2)
    text["test/filenames.pickle"] = pickle.dumps([str(i) for i in range(cut, n)], protocol=2)
    paths = [raw / demo_celeba.IMAGES_ARCHIVE, raw / demo_celeba.TEXT_ARCHIVE]
    paths[0].write_bytes(demo_celeba.zip_bytes(files))
    paths[1].write_bytes(demo_celeba.zip_bytes(text))
    return paths, []


def _densepose(labels):
    """demo_dfmm.densepose at any size: part index I in channel 2, V and U ramps."""
    table = np.zeros(256, np.uint8)
    for cls, part in demo_dfmm.DENSEPOSE_PART.items():
        table[cls] = part
    parts = table[labels]
    height, width = labels.shape
    ys, xs = np.mgrid[0:height, 0:width]
    inside = parts > 0
    v = np.where(inside, ys * 255 // height, 0).astype(np.uint8)
    u = np.where(inside, xs * 255 // width, 0).astype(np.uint8)
    return np.dstack([v, u, parts])


def _dfmm_item(name, rng):
    """(JPEG, parsing PNG, DensePose PNG, keypoints (21, 2)) of a demo item at 750x1101."""
    labels, points = demo_dfmm.draw(name, rng)
    big = _upscale_labels(labels, DFMM_SIZE)
    photo = figure.photo(big, demo_dfmm._colours(big, rng), rng)
    scale = np.array(DFMM_SIZE) / (demo_dfmm.WIDTH, demo_dfmm.HEIGHT)
    return figure.jpeg_bytes(photo), png_bytes(big), png_bytes(_densepose(big)), points * scale


def make_deepfashion_mm(raw, n, rng):
    """The five zips and captions.json; 2 items in 7 full-body (parsing, keypoints)."""
    item = _lazy(lambda name: _dfmm_item(name, rng))
    zips = {k: [] for k in ("images", "segm", "densepose")}
    loc, vis, shape, fabric, colour, captions = [], [], [], [], [], {}
    for i in range(n):
        full = math.floor((i + 1) * DFMM_FULL_SHARE) > math.floor(i * DFMM_FULL_SHARE)
        pool = DFMM_FULL if full else DFMM_UPPER
        template = pool[i % len(pool)]
        name = re.sub(r"id_\d{8}", f"id_{i:08d}", template)
        jpg, parsing, dense, points = item(template)
        zips["images"].append(Member(f"images/{name}.jpg", jpg, STORED))
        zips["densepose"].append(Member(f"densepose/{name}{demo_dfmm.DENSEPOSE_SUFFIX}", dense))
        if full:
            zips["segm"].append(Member(f"segm/{name}{demo_dfmm.PARSING_SUFFIX}", parsing))
            loc.append(demo_dfmm.loc_line(name, points))
            vis.append(demo_dfmm.vis_line(name))
        codes = demo_dfmm.shape_codes(template)
        shape.append(f"{name}.jpg " + " ".join(map(str, codes)))
        for rows, vocab in ((fabric, demo_dfmm.FABRIC), (colour, demo_dfmm.COLOUR)):
            codes = demo_dfmm.texture_codes(template, vocab)
            rows.append(f"{name}.jpg " + " ".join(map(str, codes)))
        captions[f"{name}.jpg"] = demo_dfmm.caption(template)
    lines = demo_dfmm.lines
    zips["keypoints"] = [Member("keypoints/keypoints_loc.txt", lines(loc)),
                         Member("keypoints/keypoints_vis.txt", lines(vis))]  # fmt: skip
    zips["labels"] = [
        Member("labels/shape/shape_anno_all.txt", lines(shape)),
        Member("labels/texture/fabric_ann.txt", lines(fabric)),
        Member("labels/texture/pattern_ann.txt", lines(colour)),
    ]
    paths = [Path(write_zip(raw / f"{k}.zip", m, compression=DEFLATED)) for k, m in zips.items()]
    side = raw / demo_dfmm.CAPTIONS_FILE
    side.write_text(json.dumps(captions, indent=4, sort_keys=True) + "\n", encoding="utf-8")
    return paths, [side]


MAKERS = {
    "fdh": make_fdh,
    "shhq": make_shhq,
    "deepfashion2": make_deepfashion2,
    "huge100k": make_huge100k,
    "celeba": make_celeba,
    "deepfashion_mm": make_deepfashion_mm,
}


# ----------------------------------------------------------------------------- the pipeline


def unpack(dataset, archive, dest):
    """As the workflow does: a plain tar or an unencrypted zip is indexed and read in place,
    an encrypted zip is extracted (rules/common.smk, read_in_place)."""
    from humanprep.acquire.tarindex import build_index
    from humanprep.acquire.unpack import extract
    from humanprep.acquire.zipindex import build_zip_index

    if archive.suffix == ".tar":
        build_index(archive, dest)
    elif DESCRIPTORS[dataset].password_env is None:
        build_zip_index(archive, dest)
    else:
        extract(archive, dest, password=DEMO_PASSWORDS[dataset])
    return dest


def prepare(dataset, n, work):
    """Make the dataset's raw files for n items, unpack and plan them into one shard.
    Returns the job's arguments and the raw bytes."""
    from humanprep.io import write_jsonl
    from humanprep.stages.plan_shards import shard_entries, write_plan

    raw = work / "raw" / dataset
    raw.mkdir(parents=True)
    rng = np.random.default_rng(list(MAKERS).index(dataset))
    archives, side_files = MAKERS[dataset](raw, n, rng)
    roots = [unpack(dataset, a, work / "unpacked" / dataset / a.stem) for a in archives]
    entries, side = DESCRIPTORS[dataset].iter_entries(roots, side_files)
    plan = write_plan(work / "shards" / dataset, dataset, entries, side, 1)
    manifest = work / "shards" / f"{dataset}.jsonl"  # the one shard's entries
    write_jsonl(manifest, shard_entries(work / "shards" / dataset, plan, "shard-00000"))
    return {
        "dataset": dataset,
        "manifest": str(manifest),
        "side": plan["side_files"],
        "out": str(work / "normalised" / dataset / "shard-00000"),
        "items": plan["items"],
        "raw_bytes": sum(p.stat().st_size for p in [*archives, *side_files]),
        "raw_files": {p.name: p.stat().st_size for p in [*archives, *side_files]},
    }


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def job(args_path, profile=None):
    """The measured process: normalise one shard as the normalise rule does (one thread)."""
    from humanprep.normalise.shard import normalise_shard, write_shard_outputs
    from humanprep.settings import defaults

    cv2.setNumThreads(1)  # the runner gives a one-core job one OpenCV thread
    args = json.loads(Path(args_path).read_text())
    options = defaults("normalise").get(args["dataset"], {})
    out = Path(args["out"])

    def run():
        records, quarantine = normalise_shard(
            args["dataset"], out.name, read_jsonl(args["manifest"]), args["side"], options, out
        )
        write_shard_outputs(records, quarantine, f"{out}.jsonl", f"{out}.quarantine.jsonl")
        return records, quarantine

    # a one-item shard first: imports and first-call setup, which a real shard of
    # thousands of items amortises, stay out of the per-item figure
    warm = out.parent / "warm-up"
    warm.mkdir(parents=True)
    with open(args["manifest"], encoding="utf-8") as fh:
        (warm / "manifest.jsonl").write_text(fh.readline())
    first = read_jsonl(warm / "manifest.jsonl")
    normalise_shard(args["dataset"], "warm", first, args["side"], options, warm / "shard")
    profiler = cProfile.Profile(time.process_time) if profile else None
    start = cpu_seconds()
    records, quarantine = profiler.runcall(run) if profiler else run()
    cpu = cpu_seconds() - start
    if profiler:
        profiler.dump_stats(profile)
    video = video_decode_seconds(args["manifest"]) if args["dataset"] == "huge100k" else 0.0
    print(json.dumps({"cpu": cpu, "video_cpu": video, "records": len(records),
                      "quarantined": quarantine}))  # fmt: skip


def video_decode_seconds(manifest):
    """CPU seconds normalise's frame check of the shard's videos takes alone (read the
    member, decode every frame)."""
    from humanprep.datasets.huge100k.normalise import count_frames
    from humanprep.normalise.common import read_file

    start = cpu_seconds()
    for entry in read_jsonl(manifest):
        count_frames(read_file(entry["files"]["video"], "video"))
    return cpu_seconds() - start


def measure(args, scratch, profile=None):
    """Run the job in a fresh process; add the store's bytes and files to its figures."""
    path = Path(scratch, f"args-{args['dataset']}.json")
    path.write_text(json.dumps(args))
    cmd = [sys.executable, __file__, "--job", str(path)]
    if profile:
        cmd += ["--profile-out", str(profile)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{args['dataset']}: normalise failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    out = Path(args["out"])
    cpu = result["cpu"] / args["items"]
    real = cpu  # the cost the real files would take (H.264 for HuGe100K's videos)
    if args["dataset"] == "huge100k":
        real += demo_huge.N_VIEWS / H264_FRAMES_PER_S - result["video_cpu"] / args["items"]
    store = [p for p in out.rglob("*") if p.is_file()] + [Path(f"{out}.jsonl")]
    files = len(store) + 1  # and the shard's quarantine list
    return {
        "items": args["items"],
        "records": result["records"],
        "quarantined": len(result["quarantined"]),
        "quarantine_reasons": sorted({q["reason"] for q in result["quarantined"]})[:3],
        "cpu_s_per_item": cpu,
        "real_cpu_s_per_item": real,
        "raw_bytes_per_item": args["raw_bytes"] / args["items"],
        "store_bytes_per_item": sum(p.stat().st_size for p in store) / args["items"],
        "files_per_shard": files,
        "raw_files": args["raw_files"],
    }


def two_digits_up(x):
    """x rounded up to two significant figures."""
    if x <= 0:
        return 0.0
    step = 10 ** (math.floor(math.log10(x)) - 1)
    return round(math.ceil(round(x / step, 9)) * step, 12)


# ----------------------------------------------------------------------------- the report


def table(rows, n, videos):
    lines = [
        MARK,
        "",
        f"## Normalise cost per item at real size (bench/item_cost.py --items {n} "
        f"--videos {videos})",
        "",
        "One shard per dataset at the published picture sizes (drawn by the demo builders, "
        "packed in the real archives, indexed or extracted as the workflow does), normalised "
        "by `normalise_shard` in a fresh process with one OpenCV thread, after a one-item "
        "warm-up shard (imports, first calls). CPU: user + sys of the job (getrusage), so "
        "other load on the machine counts little. Raw: the "
        "dataset's archives and side files over the items. Store: the shard's tars and its "
        "records JSON Lines. Files: what one shard leaves in results/normalised (tars, "
        "records, quarantine list). HuGe100K's videos are mp4v (no H.264 encoder here), "
        "which decode faster than H.264: its H.264 figure replaces the job's own mp4v "
        f"decoding time with {H264_FRAMES_PER_S} frames/s (/work/shared/PERFORMANCE.md). "
        f"Descriptors plan with {HEADROOM:g}x the measured CPU (H.264 for HuGe100K; 2 "
        "significant figures, rounded up); bench/rehearse.py reads the same figures from "
        "bench/item_cost.json.",
        "",
        "| dataset | items | picture sizes | CPU s/item | raw KB/item | store KB/item "
        "| store x raw | files/shard | quarantined | seconds_per_item (was) |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for d, row in rows.items():
        cpu = f"{row['cpu_s_per_item']:.4f}"
        if row["real_cpu_s_per_item"] != row["cpu_s_per_item"]:
            cpu += f" (H.264: {row['real_cpu_s_per_item']:.4f})"
        lines.append(
            f"| {d} | {row['items']} | {REAL_SIZES[d]} | {cpu} "
            f"| {row['raw_bytes_per_item'] / 1e3:.1f} | {row['store_bytes_per_item'] / 1e3:.1f} "
            f"| {row['store_bytes_per_item'] / row['raw_bytes_per_item']:.3f} "
            f"| {row['files_per_shard']} | {row['quarantined']} "
            f"| {row['planned_seconds_per_item']:g} ({DESCRIPTORS[d].seconds_per_item:g}) |"
        )
    return "\n".join(lines) + "\n"


def write_figures(path, rows):
    """The rows into the JSON file, replacing those datasets' rows (a run of some datasets
    keeps the others' figures); each row carries its own item count."""
    known = json.loads(path.read_text())["datasets"] if path.exists() else {}
    known.update(rows)
    figures = {"headroom": HEADROOM, "sizes": REAL_SIZES,
               "datasets": {d: known[d] for d in DATASETS if d in known}}  # fmt: skip
    path.write_text(json.dumps(figures, indent=1) + "\n")


def print_profile(path, top=25):
    stats = pstats.Stats(str(path), stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=200, help="items per dataset")
    ap.add_argument("--videos", type=int, default=24, help="HuGe100K items")
    ap.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    ap.add_argument("--dir", default=None, help="scratch folder's parent")
    ap.add_argument("--json", default=str(OUT_JSON), help="figures (read by rehearse.py)")
    ap.add_argument("--write", action="store_true", help="write the table into RESULTS.md")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder (printed)")
    ap.add_argument("--profile", choices=DATASETS, help="cProfile this dataset's job")
    ap.add_argument("--job", help=argparse.SUPPRESS)
    ap.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.job:
        return job(args.job, args.profile_out)
    rows = {}
    work = Path(tempfile.mkdtemp(prefix="item-cost-", dir=args.dir))
    try:
        for dataset in args.datasets:
            n = args.videos if dataset == "huge100k" else args.items
            prepared = prepare(dataset, n, work)
            profile = work / f"{dataset}.prof" if dataset == args.profile else None
            rows[dataset] = measure(prepared, work, profile)
            rows[dataset]["planned_seconds_per_item"] = two_digits_up(
                rows[dataset]["real_cpu_s_per_item"] * HEADROOM
            )
            print(f"{dataset}: {json.dumps(rows[dataset])}", flush=True)
            if profile:
                print_profile(profile)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    section = table(rows, args.items, args.videos)
    print(section)
    write_figures(Path(args.json), rows)
    if args.write:
        write_results(section, MARK)
    return rows


if __name__ == "__main__":
    main()
