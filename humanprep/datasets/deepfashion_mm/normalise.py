"""DeepFashion-MultiModal: image, parsing classes, 21 keypoints in COCO's v, DensePose,
shape / fabric / colour labels and the caption.

Upstream's keypoint visibility is the inverse of COCO's (0 visible, 1 hidden, 2 absent ->
v 2, 1, 0; formats.deepfashion_mm.TO_COCO_V). Odd data is repaired and every repair is
listed in the sub-record's `fixes` ("<file or part>: <what was done>"): keypoints whose code
and location disagree or that fall outside the image become unlabelled; an image missing
from one of the label files, or from the captions, keeps the rest; a label code outside
its vocabulary is left out; a DensePose map that does not fit the image is dropped. An
unreadable image, a malformed line, or a parsing map that is not a 0-23 class map of the
image's size quarantines the item (BadItem).
"""

import io
import json
import math

from humanprep.datasets.deepfashion_mm.formats import (
    ABSENT,
    ABSENT_XY,
    CAPTIONS_FILE,
    CLASSES,
    COLOUR,
    COLOUR_FILE,
    DENSEPOSE_PART_CHANNEL,
    DENSEPOSE_PARTS,
    FABRIC,
    FABRIC_FILE,
    GARMENTS,
    KEYPOINTS,
    KEYPOINTS_LOC,
    KEYPOINTS_VIS,
    LICENCE,
    NA,
    NAME,
    SHAPE,
    SHAPE_FILE,
    TO_COCO_V,
    stem_of,
)
from humanprep.errors import HumanprepError
from humanprep.items import LABEL_PNG_LEVEL, BadItem, png_bytes
from humanprep.normalise.common import check_size, read_array, read_file, take_image

LICENSE = LICENCE
N = len(KEYPOINTS)
# side role -> (file name, values per line, parse one value)
TABLES = {
    "keypoints_loc": (KEYPOINTS_LOC, 2 * N, float),
    "keypoints_vis": (KEYPOINTS_VIS, N, int),
    "shape": (SHAPE_FILE, len(SHAPE), int),
    "fabric": (FABRIC_FILE, len(GARMENTS), int),
    "colour": (COLOUR_FILE, len(GARMENTS), int),
}


def parse_table(lines, file_name, width, parse):
    """`<img name> <v_1> ... <v_width>` lines -> {image stem: values}. A malformed line maps
    its image to the problem (a string): that image is quarantined, not the dataset."""
    table = {}
    for number, line in enumerate(lines, 1):
        fields = line.split()
        if not fields:
            continue
        stem = stem_of(fields[0])
        if len(fields) != 1 + width:
            table[stem] = f"{file_name} line {number}: {len(fields)} fields, expected {1 + width}"
            continue
        try:
            table[stem] = [parse(v) for v in fields[1:]]
        except ValueError as err:
            table[stem] = f"{file_name} line {number}: {err}"
    return table


def _text(path, what):
    try:
        return read_file(path, what).decode("utf-8")
    except BadItem as err:
        raise HumanprepError(path, str(err)) from None
    except UnicodeDecodeError as err:
        raise HumanprepError(path, f"{what} is not UTF-8 text: {err}") from None


def load_captions(path):
    try:
        doc = json.loads(_text(path, "captions"))
    except json.JSONDecodeError as err:
        raise HumanprepError(path, f"captions are not JSON: {err}") from None
    if not isinstance(doc, dict):
        raise HumanprepError(path, "captions are not a JSON object of image name -> text")
    return {stem_of(k): v for k, v in doc.items()}


def load_context(side_files, options):
    """Every label file and the captions, keyed by image stem. A missing file leaves its
    table empty (each item then records the fix)."""
    ctx = {"missing": []}
    for role, (file_name, width, parse) in TABLES.items():
        if role not in side_files:
            ctx[role] = {}
            ctx["missing"].append(file_name)
            continue
        text = _text(side_files[role], file_name)
        ctx[role] = parse_table(io.StringIO(text), file_name, width, parse)
    if "captions" in side_files:
        ctx["captions"] = load_captions(side_files["captions"])
    else:
        ctx["captions"] = {}
        ctx["missing"].append(CAPTIONS_FILE)
    return ctx


def _absent(ctx, file_name):
    if file_name in ctx["missing"]:
        return f"no {file_name} supplied"
    return f"image not in {file_name}"


def _row(ctx, role, stem):
    row = ctx[role].get(stem)
    if isinstance(row, str):
        raise BadItem(f"malformed line in {row}")
    return row


def convert_keypoints(loc, vis, width, height, fixes):
    """[x, y, v] x 21 in COCO's v from upstream's location pairs and visibility codes."""
    points = []
    for k, name in enumerate(KEYPOINTS):
        x, y, code = loc[2 * k], loc[2 * k + 1], vis[k]
        if not (math.isfinite(x) and math.isfinite(y)):
            raise BadItem(f"{KEYPOINTS_LOC}: keypoint {k + 1} ({name}) is not finite")
        located = (x, y) != ABSENT_XY
        if code not in TO_COCO_V:
            problem = f"visibility code {code} unknown: marked unlabelled"
        elif code == ABSENT:
            problem = (
                f"absent (2) but located at ({x:g}, {y:g}): location dropped" if located else None
            )
        elif not located:
            problem = f"visibility {code} but location -1 -1: marked unlabelled"
        elif not (0 <= x <= width and 0 <= y <= height):
            problem = f"({x:g}, {y:g}) outside the {width}x{height} image: marked unlabelled"
        else:
            points.append([x, y, TO_COCO_V[code]])
            continue
        if problem:
            fixes.append(f"keypoints: {k + 1} ({name}) {problem}")
        points.append([0, 0, 0])
    return points


def keypoints(ctx, stem, width, height, full_body, fixes):
    loc, vis = _row(ctx, "keypoints_loc", stem), _row(ctx, "keypoints_vis", stem)
    if loc is None and vis is None:
        if full_body:
            fixes.append(
                f"keypoints: full-body image in neither {KEYPOINTS_LOC} nor {KEYPOINTS_VIS}"
            )
        return None
    if loc is None or vis is None:
        has, lacks = (
            (KEYPOINTS_LOC, KEYPOINTS_VIS) if vis is None else (KEYPOINTS_VIS, KEYPOINTS_LOC)
        )
        fixes.append(f"keypoints: in {has} but not in {lacks}: keypoints dropped")
        return None
    return convert_keypoints(loc, vis, width, height, fixes)


def labels(ctx, role, stem, fields, fixes):
    """{field: value name, None for NA} of one label file's line, or None if absent."""
    file_name = TABLES[role][0]
    codes = _row(ctx, role, stem)
    if codes is None:
        fixes.append(f"{role}: {_absent(ctx, file_name)}")
        return None
    out = {}
    for (field, vocab), code in zip(fields, codes, strict=True):
        if not 0 <= code < len(vocab):
            fixes.append(f"{role}: {field} code {code} outside 0-{len(vocab) - 1}: left out")
            out[field] = None
        else:
            out[field] = None if vocab[code] == NA else vocab[code]
    return out


def parsing_map(path, width, height):
    labels_ = read_array(path, "parsing map")
    if labels_.ndim != 2:
        raise BadItem(f"parsing map is not a single-channel class map (shape {labels_.shape})")
    check_size(labels_, width, height, "parsing map")
    if labels_.max() >= len(CLASSES):
        y, x = (int(v) for v in divmod(int(labels_.argmax()), labels_.shape[1]))
        value = int(labels_[y, x])
        raise BadItem(
            f"parsing map holds class {value} at ({x}, {y}), outside 0-{len(CLASSES) - 1}"
        )
    return labels_.astype("uint8")


def densepose_map(path, width, height, fixes):
    """The DensePose RGB array, or None (with the fix) when it cannot be used."""
    array = read_array(path, "DensePose map")
    if array.ndim != 3 or array.shape[2] < 3:
        fixes.append(f"densepose: not a 3-channel image (shape {array.shape}): dropped")
        return None
    if array.shape[:2] != (height, width):
        size = f"{array.shape[1]}x{array.shape[0]}"
        fixes.append(f"densepose: {size}, image is {width}x{height}: dropped")
        return None
    top = int(array[..., DENSEPOSE_PART_CHANNEL].max())
    if top > DENSEPOSE_PARTS:
        fixes.append(f"densepose: part index {top} outside 0-{DENSEPOSE_PARTS}: dropped")
        return None
    return array[..., :3]


def caption(ctx, stem, fixes):
    text = ctx["captions"].get(stem)
    if text is None:
        fixes.append(f"caption: {_absent(ctx, CAPTIONS_FILE)}")
        return None
    if not isinstance(text, str):
        fixes.append(f"caption: not a string ({type(text).__name__}): left out")
        return None
    return text.strip()


def normalise(entry, ctx, writer):
    files, stem = entry["files"], entry["id"]
    if "image" not in files:
        others = ", ".join(sorted(files))
        raise BadItem(f"no image {stem}.jpg for its {others} file(s)")
    image = take_image(files["image"], writer)
    width, height = image["width"], image["height"]
    fixes = []
    parsing = None
    if "parsing" in files:
        classes = parsing_map(files["parsing"], width, height)
        parsing = writer.write("parsing.png", png_bytes(classes, LABEL_PNG_LEVEL))
    densepose = None
    if "densepose" in files:
        array = densepose_map(files["densepose"], width, height, fixes)
        if array is not None:
            densepose = writer.write("densepose.png", png_bytes(array, LABEL_PNG_LEVEL))
    match = NAME.match(stem)
    sub = {
        "gender": match["gender"] if match else None,
        "category": match["category"] if match else None,
        "full_body": parsing is not None,
        "parsing": parsing,
        "densepose": densepose,
        "keypoints": keypoints(ctx, stem, width, height, parsing is not None, fixes),
        "shape": labels(ctx, "shape", stem, SHAPE, fixes),
        "fabric": labels(ctx, "fabric", stem, [(g, FABRIC) for g in GARMENTS], fixes),
        "colour": labels(ctx, "colour", stem, [(g, COLOUR) for g in GARMENTS], fixes),
        "caption": caption(ctx, stem, fixes),
        "fixes": fixes,
    }
    return {
        "dataset": "deepfashion_mm",
        "id": stem,
        "split": "all",
        "image": image,
        "license": LICENSE,
        "attribution": None,
        "deepfashion_mm": sub,
    }
