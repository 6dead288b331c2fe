"""One contract, checked with Hypothesis: whatever normalisation admits, every later stage
handles.

Raw annotations are generated in each dataset's real shape (DeepFashion2 per-image JSON,
SHHQ keypoint lines, FDH keypoint arrays and metadata.json entries, HuGe100K parameter
arrays, CelebA captions and mapping lines), with the hostile variants users met: wrong
types, NaN and infinity, inverted boxes, boxes outside the image, odd or short polygons,
landmark lists of the wrong length. Each goes through the normaliser's functions; an item
is either quarantined (`BadItem`, a one-line reason) or becomes a record that must
validate against record.schema.json, serialise, and pass the later stages: full-body
filter, COCO export (loaded by pycocotools and self-evaluated at AP 1.0), report drawing,
sketches, views, composites and the WebDataset shard writer.

Runs are reproducible (derandomize) and bounded (max_examples per test, no deadline).
"""

import contextlib
import hashlib
import io
import json
import math

import jsonschema
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PIL import Image
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from humanprep.datasets.celeba import sheet as celeba_sheet
from humanprep.datasets.deepfashion2 import sheet as df2_sheet
from humanprep.datasets.deepfashion2.formats import CATEGORIES, LANDMARK_SLICES
from humanprep.datasets.deepfashion2.fullbody import filter_records
from humanprep.datasets.fdh import sheet as fdh_sheet
from humanprep.datasets.huge100k import sheet as huge100k_sheet
from humanprep.datasets.shhq import sheet as shhq_sheet
from humanprep.io import dumps, write_jsonl
from humanprep.items import BadItem
from humanprep.normalise.shard import checked
from humanprep.schemas import record_schema
from humanprep.settings import defaults
from humanprep.stages.coco import run_export

W, H = 48, 64
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
VALIDATOR = jsonschema.Draft202012Validator(record_schema())
NASTY = st.sampled_from([math.nan, math.inf, -math.inf])
JUNK = st.one_of(
    st.text(max_size=3), st.none(), st.booleans(), st.lists(st.integers(0, 3), max_size=2)
)


def chance(draw, one_in):
    """True once in `one_in` draws (sampled_from is uniform; small integers are not)."""
    return draw(st.sampled_from([True] + [False] * (one_in - 1)))


def spoil(draw, obj, one_in=3):
    """Now and then, one field of the raw object becomes a wrong type, NaN or infinity, or
    goes missing: hostile, but only one thing at a time so that most items still pass."""
    if obj and chance(draw, one_in):
        key = draw(st.sampled_from(sorted(obj)))
        if chance(draw, 6):
            del obj[key]
        else:
            obj[key] = draw(st.one_of(JUNK, NASTY))
    return obj


def coords(low, high):
    return st.one_of(st.integers(low, high), st.floats(low, high, allow_nan=False))


# ------------------------------------------------------------------ shared files


def image_bytes(fmt, size=(W, H)):
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(buf, fmt)
    return buf.getvalue()


def png(array):
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, "PNG")
    return buf.getvalue()


# name -> (its store reference in the `root` folder, its bytes): every generated record
# points at these files (the annotations are what varies)
FILES = {}


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """A normalised dataset folder whose shard container holds one image, mask, parsing map,
    label map and 24-view video."""
    from storeutil import put

    from humanprep.datasets.huge100k.demo import FROZEN

    base = tmp_path_factory.mktemp("normalised")
    mask = np.zeros((H, W), np.uint8)
    mask[8:60, 10:38] = 255
    parsing = np.zeros((H, W), np.uint8)
    parsing[8:30, 10:38], parsing[30:60, 12:36] = 5, 9
    label = np.zeros((32, 32), np.uint8)
    label[4:28, 6:26], label[10:12, 10:14] = 1, 4
    files = {
        "image.jpg": image_bytes("JPEG"),
        "image.png": image_bytes("PNG"),
        "mask.png": png(mask),
        "empty.png": png(np.zeros((H, W), np.uint8)),
        "parsing.png": png(parsing),
        "label_map.png": png(label),
        "views.mp4": (FROZEN / "0.mp4").read_bytes(),  # 24 frames
    }
    for name, data in files.items():
        FILES[name] = (put(base, "shard-00000", "x", name, data), data)
    return base


def ref(name):
    return FILES[name][0] if name else None


def image_info(name="image.jpg"):
    return {"path": ref(name), "width": W, "height": H,
            "sha256": hashlib.sha256(FILES[name][1]).hexdigest(),
            "format": "jpeg" if name.endswith("jpg") else "png", "reencoded": None}  # fmt: skip


def admitted(record):
    """The record the normaliser would write: finite, valid under the schema, JSON."""
    event(f"{record['dataset']}: admitted")
    record = checked(record)
    errors = list(VALIDATOR.iter_errors(record))
    assert not errors, errors[0].message
    assert json.loads(dumps(record)) == record
    return record


def quarantined(err):
    reason = str(err)
    event(f"quarantined: {reason[:60]}")
    assert reason and "\n" not in reason
    return None


# ------------------------------------------------------------------ COCO consumers


def self_eval(gt, iou_type, sigmas=None):
    dets = []
    for ann in gt.loadAnns(gt.getAnnIds()):
        det = {"image_id": ann["image_id"], "category_id": ann["category_id"], "score": 1.0}
        if iou_type == "bbox":
            det["bbox"] = ann["bbox"]
        elif iou_type == "segm":
            det["segmentation"] = gt.annToRLE(ann)
        elif ann["num_keypoints"]:
            det["keypoints"] = ann["keypoints"]
        else:
            continue
        dets.append(det)
    if not dets:
        return 1.0
    with contextlib.redirect_stdout(io.StringIO()):
        ev = COCOeval(gt, gt.loadRes(dets), iou_type)
        if sigmas is not None:
            ev.params.kpt_oks_sigmas = sigmas
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    # [T, R, K, A, M]: every threshold, recall and category, all areas, 100 detections
    # (fewer detections cannot recall several garments of one category in one image)
    precision = ev.eval["precision"][..., 0, -1]
    assert (precision[precision > -1] > 1 - 1e-9).all()
    return ev.stats[0]


def coco_roundtrip(dataset, records, root, tmp, fullbody=()):
    """Export through the stage, load every file in pycocotools, self-evaluate."""
    shard = tmp / "records.jsonl"
    write_jsonl(shard, records)
    extra = []
    if dataset == "deepfashion2":
        write_jsonl(tmp / "fullbody.jsonl", list(fullbody))
        extra = [tmp / "fullbody.jsonl"]
    if dataset == "deepfashion2":  # the official converter's conventions: the file's values
        official = tmp / "coco-official"
        options = {"deepfashion2": {"compat": "official"}}
        run_export(dataset, [shard], root, official, tmp / "o.json", extra, options)
        for path in sorted(official.glob("*.json")):
            with contextlib.redirect_stdout(io.StringIO()):
                gt = COCO(str(path))
            assert all(len(a["keypoints"]) == 882 for a in gt.loadAnns(gt.getAnnIds()))
    out = tmp / "coco"
    run_export(dataset, [shard], root, out, tmp / "coco.summary.json", extra)
    for path in sorted(out.glob("*.json")):
        with contextlib.redirect_stdout(io.StringIO()):
            gt = COCO(str(path))
        anns = gt.loadAnns(gt.getAnnIds())
        if not anns:
            continue
        if all("segmentation" in a for a in anns):
            assert self_eval(gt, "segm") == pytest.approx(1.0), path.name
        assert self_eval(gt, "bbox") == pytest.approx(1.0), path.name
        cats = gt.loadCats(gt.getCatIds())
        if any(a.get("num_keypoints") for a in anns) and all("keypoints" in c for c in cats):
            k = len(cats[0]["keypoints"])
            assert self_eval(gt, "keypoints", np.full(k, 0.05)) == pytest.approx(1.0)


def webdataset_roundtrip(records, root, tmp):
    """These records in a shard container (as the store and the release write them) read
    back with webdataset, one sample per record, each its record."""
    import webdataset as wds

    from humanprep import store

    if not records:  # nothing admitted: no container is written
        return
    folder = tmp / "shard-00000"
    folder.mkdir(exist_ok=True)
    with store.ShardWriter(folder, "shard-00000") as writer:
        for record in records:
            writer.commit(writer.item(record["id"]), record, split="train")
    samples = list(wds.WebDataset(str(folder / "train.tar"), shardshuffle=False))
    assert [json.loads(s["json"]) for s in samples] == json.loads(json.dumps(records))
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("x")


# ------------------------------------------------------------------ DeepFashion2


@st.composite
def df2_polygon(draw):
    if chance(draw, 12):
        return draw(st.one_of(JUNK, st.integers(0, 5)))  # not a list at all
    n = draw(st.sampled_from([3, 4, 5, 6, 3, 4, 0, 1, 2]))
    values = [draw(coords(-10, max(W, H) + 10)) for _ in range(2 * n)]
    if values and chance(draw, 8):
        values.pop()  # odd length
    if values and chance(draw, 10):
        values[draw(st.integers(0, len(values) - 1))] = draw(st.one_of(JUNK, NASTY))
    return values


@st.composite
def df2_garment(draw):
    category = draw(st.integers(1, 13))
    start, stop = LANDMARK_SLICES[category]
    count = draw(st.sampled_from([stop - start] * 5 + [0, stop - start - 1, 294]))
    landmarks = []
    for _ in range(count):
        landmarks += [draw(coords(-5, W + 5)), draw(coords(-5, H + 5)),
                      draw(st.sampled_from([0, 1, 2, 2, 2, 3, 2.0]))]  # fmt: skip
    if landmarks and chance(draw, 12):
        landmarks[draw(st.integers(0, len(landmarks) - 1))] = draw(st.one_of(JUNK, NASTY))
    wide = [coords(-30, W + 30), coords(-30, H + 30)]
    box = [draw(wide[i % 2]) for i in range(4)]
    if chance(draw, 12):
        box[draw(st.integers(0, 3))] = draw(st.one_of(JUNK, NASTY))
    raw = {
        "category_id": category,
        "category_name": CATEGORIES[category],
        "bounding_box": box,
        "segmentation": draw(st.lists(df2_polygon(), max_size=3)),
        "landmarks": landmarks,
        "style": draw(st.integers(0, 3)),
        **{k: draw(st.integers(1, 3)) for k in ("scale", "occlusion", "zoom_in", "viewpoint")},
    }
    return spoil(draw, raw, one_in=8)


@st.composite
def df2_document(draw):
    doc = {"source": draw(st.sampled_from(["shop", "user"])), "pair_id": draw(st.integers(0, 9))}
    spoil(draw, doc, one_in=12)
    for n in draw(st.lists(st.sampled_from([1, 2, 3, 4, 9, 10, 99, 0, 100, 1]), max_size=4)):
        doc[f"item{n}"] = draw(df2_garment())
    text = json.dumps(doc)  # NaN and Infinity written the way Python's json reads them
    return text.encode()[: len(text) // 2] if chance(draw, 30) else text.encode()


def df2_record(annotation, number):
    return {"dataset": "deepfashion2", "id": f"train/{number:06d}", "split": "train",
            "image": image_info(), "license": {"id": "df2", "url": None},
            "attribution": None, "deepfashion2": annotation}  # fmt: skip


@SETTINGS
@given(docs=st.lists(df2_document(), min_size=1, max_size=4))
def test_deepfashion2_every_stage(docs, root, tmp_path_factory):
    from humanprep.datasets.deepfashion2.normalise import parse_annotation

    records = []
    for number, data in enumerate(docs, 1):
        try:
            annotation = parse_annotation(data, W, H)
        except BadItem as err:
            quarantined(err)
            continue
        for garment in annotation["garments"]:  # geometry the later stages rely on
            x1, y1, x2, y2 = garment["bbox"]
            assert 0 <= x1 <= x2 <= W and 0 <= y1 <= y2 <= H
            assert all(len(p) >= 6 and len(p) % 2 == 0 for p in garment["segmentation"])
            start, stop = LANDMARK_SLICES[garment["category_id"]]
            assert len(garment["landmarks"]) == stop - start
        records.append(admitted(df2_record(annotation, number)))
    kept, decisions = filter_records(records)
    tmp = scratch(tmp_path_factory)
    coco_roundtrip("deepfashion2", records, root, tmp, kept)
    df2_sheet.contact_sheet(records, root, {})
    df2_sheet.fullbody_sheets(records, decisions, root)
    webdataset_roundtrip(records, root, tmp)


@st.composite
def df2_schema_garment(draw, item):
    """A garment as the record schema admits it, not only as the normaliser writes it:
    boxes inverted or outside the image, polygons odd or short, any landmark count."""
    category = draw(st.integers(1, 13))
    start, stop = LANDMARK_SLICES[category]
    count = draw(st.sampled_from([stop - start] * 3 + [0, 1, 294]))
    point = st.tuples(coords(-1e4, 1e4), coords(-1e4, 1e4), st.sampled_from([0, 1, 2]))
    polygon = st.lists(coords(-100, 200), max_size=12)
    return {
        "item": item,
        "category_id": category,
        "category_name": CATEGORIES[category],
        "style": draw(st.integers(0, 5)),
        "bbox": draw(st.lists(coords(-1e4, 1e4), min_size=4, max_size=4)),
        "landmarks": [list(p) for p in draw(st.lists(point, min_size=count, max_size=count))],
        "segmentation": draw(st.lists(polygon, max_size=3)),
        **{k: draw(st.integers(1, 3)) for k in ("scale", "occlusion", "zoom_in", "viewpoint")},
        "fixes": [],
    }


@st.composite
def df2_schema_record(draw, number):
    items = draw(st.lists(st.integers(1, 99), max_size=4, unique=True))
    annotation = {
        "source": draw(st.sampled_from(["shop", "user", None])),
        "pair_id": draw(st.one_of(st.none(), st.integers(0, 10))),
        "garments": [draw(df2_schema_garment(n)) for n in items],
    }
    return df2_record(annotation, number)


@SETTINGS
@given(data=st.data())
def test_deepfashion2_records_the_schema_admits(data, root, tmp_path_factory):
    records = [admitted(data.draw(df2_schema_record(n))) for n in range(1, 4)]
    kept, decisions = filter_records(records)
    tmp = scratch(tmp_path_factory)
    coco_roundtrip("deepfashion2", records, root, tmp, kept)
    df2_sheet.contact_sheet(records, root, {})
    df2_sheet.fullbody_sheets(records, decisions, root)
    webdataset_roundtrip(records, root, tmp)


# ------------------------------------------------------------------ SHHQ


@st.composite
def shhq_line(draw):
    """`<file> x0 y0 ... x24 y24`: -1 -1 for a missing point, x sometimes beyond the width
    (the known 1024-wide defect); now and then a bad token or a wrong field count."""
    pairs = []
    for _ in range(25):
        if chance(draw, 5):
            pairs += ["-1", "-1"]
        else:
            pairs += [repr(draw(coords(0, 2 * W))), repr(draw(coords(0, H)))]
    if chance(draw, 4):  # one or two points left: a person box of no width or height
        keep = draw(st.sets(st.integers(0, 24), min_size=1, max_size=2))
        pairs = [v if i // 2 in keep else "-1" for i, v in enumerate(pairs)]
    if chance(draw, 5):
        bad = st.sampled_from(["nan", "inf", "-inf", "1e400", "x", "1,5", "NaN"])
        pairs[draw(st.integers(0, 49))] = draw(bad)
    if chance(draw, 10):
        pairs = pairs[: draw(st.sampled_from([0, 2, 48]))]
    return " ".join(["image_000001.jpg", *pairs])


@SETTINGS
@given(
    line=shhq_line(),
    rule=st.sampled_from(["drop", "halve_x", "keep", "quarantine"]),
    segment=st.sampled_from(["mask.png", "mask.png", "empty.png", None]),
)
def test_shhq_every_stage(line, rule, segment, root, tmp_path_factory):
    from humanprep.datasets.shhq.composite import composite_shard
    from humanprep.datasets.shhq.normalise import keypoints_record, parse_keypoint_lines

    try:
        points, status = keypoints_record(parse_keypoint_lines([line]).get("image_000001"), W, rule)
    except BadItem as err:
        return quarantined(err)
    record = admitted({
        "dataset": "shhq", "id": "image_000001", "split": "all", "image": image_info(),
        "license": {"id": "shhq", "url": None}, "attribution": None,
        "shhq": {"segment": ref(segment), "parsing": ref("parsing.png"), "keypoints": points,
                 "keypoints_status": status},
    })  # fmt: skip
    tmp = scratch(tmp_path_factory)
    coco_roundtrip("shhq", [record], root, tmp)
    shhq_sheet.contact_sheet([record], root, {})
    write_jsonl(tmp / "r.jsonl", [record])
    composites = composite_shard(tmp / "r.jsonl", root, tmp / "composites", 90)
    assert len(composites) == (segment is not None)


# ------------------------------------------------------------------ FDH


@st.composite
def fdh_keypoints(draw):
    shape = draw(st.sampled_from([(17, 3)] * 12 + [(16, 3), (17, 2), (51,), ()]))
    size = int(np.prod(shape))
    scale = draw(st.sampled_from([1.0, float(W), 1e6]))
    values = draw(st.lists(st.floats(-0.2, 1.2, allow_nan=False), min_size=size, max_size=size))
    array = np.array(values, np.float64).reshape(shape) * scale
    if shape == (17, 3):
        array[:, 2] = draw(
            st.lists(st.sampled_from([0.0, 0.3, 1.0, 2.0]), min_size=17, max_size=17)
        )
        if draw(st.integers(0, 8)) == 0:
            array[draw(st.integers(0, 16)), draw(st.integers(0, 2))] = draw(NASTY)
    dtype = draw(st.sampled_from(["<f8", "<f8", "<f8", "<f4", "<i4", "<U5"]))
    if dtype == "<i4":
        array = np.nan_to_num(np.clip(array, -1e9, 1e9))
    buf = io.BytesIO()
    np.save(buf, array.astype(dtype))
    return buf.getvalue()[:40] if chance(draw, 20) else buf.getvalue()


@st.composite
def fdh_metadata(draw):
    text = st.one_of(st.none(), st.text(max_size=10))
    meta = {
        "cateogry": draw(st.sampled_from(["train", "val", "validation"])),
        "author": draw(text),
        "photo_title": draw(text),
        "photo_url": draw(text),
        "user_nsid": draw(text),
        "license_url": draw(st.one_of(st.sampled_from([
            "http://creativecommons.org/licenses/by-nc-sa/2.0/",
            "https://creativecommons.org/licenses/by/2.0/", None, "x"]), text)),
        "date_taken": draw(text),
        "yfcc100m_line_idx": draw(st.one_of(st.none(), st.integers(0, 10**8))),
    }  # fmt: skip
    spoil(draw, meta, one_in=4)
    return draw(JUNK) if chance(draw, 30) else meta


@SETTINGS
@given(data=fdh_keypoints(), meta=fdh_metadata())
def test_fdh_every_stage(data, meta, root, tmp_path_factory):
    from humanprep.datasets.fdh import normalise as fdh

    try:
        meta = fdh.check_metadata(meta)
        points, units = fdh.keypoints_in_pixels(fdh.load_keypoints(data), W, H)
    except BadItem as err:
        return quarantined(err)
    url = meta.get("license_url")
    record = admitted({
        "dataset": "fdh", "id": "0000017", "split": fdh.SPLITS[meta["cateogry"]],
        "image": image_info("image.png"), "license": {"id": fdh.licence_id(url), "url": url},
        "attribution": {"author": meta.get("author"), "title": meta.get("photo_title"),
                        "source_url": meta.get("photo_url"), "user_nsid": meta.get("user_nsid")},
        "fdh": {"licence_tar": "cc-by-2", "mask": ref("mask.png"), "maskrcnn_mask": None,
                "e_mask": None, "vertices": ref("image.png"), "keypoints": points,
                "keypoint_units": units,
                "yfcc100m_line_idx": meta.get("yfcc100m_line_idx"),
                "date_taken": meta.get("date_taken")},
    })  # fmt: skip
    tmp = scratch(tmp_path_factory)
    coco_roundtrip("fdh", [record], root, tmp)
    fdh_sheet.contact_sheet([record], root, {})


# ------------------------------------------------------------------ HuGe100K


@st.composite
def huge100k_params(draw):
    from humanprep.datasets.huge100k import demo as demo

    smpl = np.zeros(189, np.float32)
    smpl[4:7] = draw(st.lists(st.floats(-4, 4, width=32), min_size=3, max_size=3))
    poses = demo.cameras("subject")
    kind = draw(st.sampled_from(range(8)))
    if kind == 1:  # every camera the same: no orbit to fit
        poses = [[poses[0][0].copy(), poses[0][1]] for _ in poses]
    elif kind == 2:  # all-zero matrices
        poses = [[np.zeros((4, 4), np.float32), k] for _, k in poses]
    elif kind == 3:  # one camera far away
        poses[draw(st.integers(0, 23))][0][:3, 3] = draw(st.sampled_from([1e6, -1e30, 3e38]))
    elif kind == 4:
        poses[draw(st.integers(0, 23))][1] = np.array([draw(NASTY)] * 4, np.float32)
    elif kind == 5:
        smpl[draw(st.integers(0, 188))] = draw(NASTY)
    elif kind == 6:
        poses = [[draw(st.sampled_from([np.eye(4), -np.eye(4)])).astype(np.float32), k]
                 for _, k in poses]  # fmt: skip
    return {"smpl_params": smpl, "poses": poses}


@st.composite
def huge100k_name(draw):
    """`Area_Gender_BodyType_Clothing_Age_ID`: fields with spaces, `~`, any text."""
    field = st.text(st.characters(blacklist_characters="_/"), min_size=1, max_size=8)
    fields = [draw(field) for _ in range(draw(st.sampled_from([6, 6, 6, 7, 5, 1])))]
    return "_".join(fields)


@SETTINGS
@given(params=huge100k_params(), name=huge100k_name())
def test_huge100k_every_stage(params, name, root, tmp_path_factory):
    from humanprep.datasets.huge100k import normalise as huge100k
    from humanprep.datasets.huge100k.torchnpy import split_smpl_params
    from humanprep.datasets.huge100k.views import describe

    try:
        huge100k.check_finite(params)
        attributes = huge100k.parse_name(name)
    except BadItem as err:
        return quarantined(err)
    smpl = {k: np.asarray(v, float).round(6).tolist()
            for k, v in split_smpl_params(params["smpl_params"]).items()}  # fmt: skip
    record = admitted({
        "dataset": "huge100k", "id": "flux_batch1/images0/x", "split": "all",
        "image": image_info(), "license": {"id": "h", "url": None}, "attribution": None,
        "huge100k": {"attributes": attributes, "pose_type": "a-pose", "smpl": smpl,
                     "cameras": huge100k._cameras(params["poses"]),
                     "video": ref("views.mp4")},
    })  # fmt: skip
    views = describe(record, 0.05)
    assert json.loads(dumps(views))["front_view"] in range(24)
    huge100k_sheet.contact_sheet([], root, {"views": ([views], root)})


# ------------------------------------------------------------------ CelebA


@st.composite
def celeba_captions(draw):
    """Ten caption lines of any text; sometimes too few or many, or not UTF-8."""
    text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=20)
    count = draw(st.sampled_from([10] * 6 + [9, 11, 0]))
    data = "\n".join("a " + draw(text) for _ in range(count)).encode()
    return data + b"\xff\xfe" if chance(draw, 10) else data


@st.composite
def celeba_mapping(draw):
    """`idx orig_idx orig_file` lines under their header; now and then a malformed line."""
    idx, orig = draw(st.integers(0, 29999)), draw(st.integers(0, 202598))
    lines = ["idx orig_idx orig_file", f"{idx} {orig} {orig + 1:06d}.jpg"]
    if chance(draw, 6):
        lines.append(draw(st.sampled_from(["1 5 x.jpg", "2 a b", "3 7", "4 8 000010.jpg"])))
    return lines


@SETTINGS
@given(captions=celeba_captions(), mapping=celeba_mapping())
def test_celeba_every_stage(captions, mapping, root, tmp_path_factory):
    from humanprep.datasets.celeba.formats import celeba_split
    from humanprep.datasets.celeba.normalise import parse_mapping, read_captions
    from humanprep.datasets.celeba.sketch import sketch_shard
    from humanprep.errors import HumanprepError

    try:
        orig = parse_mapping(mapping, "CelebA-HQ-to-CelebA-mapping.txt")
    except HumanprepError as err:  # a side file: the dataset stops, with one line
        assert "\n" not in str(err)
        return None
    tmp = scratch(tmp_path_factory)
    path = tmp / "captions.txt"
    try:
        path.write_bytes(captions)
        lines = read_captions(path)
    except (BadItem, UnicodeEncodeError) as err:
        return quarantined(err)
    orig_idx = next(iter(orig.values()), 0)
    record = admitted({
        "dataset": "celeba", "id": "00007", "split": celeba_split(orig_idx),
        "image": image_info(), "license": {"id": "c", "url": None}, "attribution": None,
        "celeba": {"label_map": ref("label_map.png"), "parts": ["skin", "l_eye"], "captions": lines,
                   "orig_idx": orig_idx, "celeba_split": celeba_split(orig_idx),
                   "published_split": None},
    })  # fmt: skip
    coco_roundtrip("celeba", [record], root, tmp)
    write_jsonl(tmp / "r.jsonl", [record])
    (entry,) = sketch_shard(
        tmp / "r.jsonl", root, tmp / "sketch", {**defaults("sketch"), "size": 32}
    )
    celeba_sheet.contact_sheet([record], root, {"sketch": ([entry], tmp)})
