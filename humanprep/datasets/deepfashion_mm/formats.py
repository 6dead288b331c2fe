"""DeepFashion-MultiModal format facts (docs/formats.md, section DeepFashion-MultiModal).

Sources: [DFMM] yumingj/DeepFashion-MultiModal README.md @ 4265495 (2023-01-18) and its
assets/keypoints_definition.png; [T2H] yumingj/Text2Human @ HEAD, data/segm_attr_dataset.py;
[3rd] third-party scripts that read the download (named in registry/upstream/
SOURCES.md, section deepfashion_mm). Anything not stated upstream says so.
"""

import re

# [DFMM LICENSE @ 3a29a1c, README "Agreement"] non-commercial research only, no redistribution.
LICENCE = {
    "id": "deepfashion-multimodal-non-commercial-research",
    "url": "https://github.com/yumingj/DeepFashion-MultiModal/blob/main/LICENSE",
}

# [DFMM "Download Links"] 44,096 JPG images "of size 750x1101", 12,701 parsing PNGs.
IMAGE_SIZE = (750, 1101)  # (width, height): the README's "750x1101"; its code comment
# says `shape: [750, 1101]` for the array, which would be H 750: the code never assumes it.
N_IMAGES = 44_096
N_FULL_BODY = 12_701

# [3rd] Names of the Drive files and of the folders inside them (not stated upstream: the
# README's table names the links image, parsing, keypoints, DensePose, labels, textual
# descriptions).
ARCHIVES = ("images.zip", "segm.zip", "keypoints.zip", "densepose.zip", "labels.zip")
CAPTIONS_FILE = "captions.json"
PARSING_SUFFIX = "_segm.png"  # [3rd; T2H _load_segm: f"{fname[:-4]}_segm.png"]
DENSEPOSE_SUFFIX = "_densepose.png"  # [T2H _load_densepose: f"{fname[:-4]}_densepose.png"]
KEYPOINTS_LOC = "keypoints_loc.txt"  # [DFMM "Keypoints"]
KEYPOINTS_VIS = "keypoints_vis.txt"  # [DFMM "Keypoints"]
SHAPE_FILE = "shape_anno_all.txt"  # [3rd: labels/shape/shape_anno_all.txt]
FABRIC_FILE = "fabric_ann.txt"  # [3rd: labels/texture/fabric_ann.txt]
COLOUR_FILE = "pattern_ann.txt"  # [3rd: labels/texture/pattern_ann.txt]; README: "color"

# DeepFashion In-shop image names flattened with "-": <GENDER>-<Category>-id_<8 digits>-
# <look>_<photo>_<view> [3rd sample names, e.g. MEN-Denim-id_00000080-01_7_additional;
# DeepFashion In-shop's img/<GENDER>/<Category>/id_<8 digits>/<look>_<photo>_<view>.jpg].
NAME = re.compile(
    r"^(?P<gender>MEN|WOMEN)-(?P<category>[A-Za-z_]+)-id_(?P<item>\d{8})-"
    r"(?P<look>\d{2})_(?P<photo>\d{1,2})_(?P<view>[a-z]+)$"
)
VIEWS = ("front", "side", "back", "full", "additional", "flat")  # In-shop view words

# [DFMM "Human Parsing Label"] parsing PNG values 0-23.
CLASSES = (
    "background", "top", "outer", "skirt", "dress", "pants", "leggings", "headwear",
    "eyeglass", "neckwear", "belt", "footwear", "bag", "hair", "face", "skin", "ring",
    "wrist wearing", "socks", "gloves", "necklace", "rompers", "earrings", "tie",
)  # fmt: skip

# [DFMM "Keypoints"] 21 keypoints, defined only by the numbered figure
# assets/keypoints_definition.png; the names are humanprep's reading of that figure (the
# person faces the camera: "right" is the person's right, the image's left).
KEYPOINTS = (
    "head_top", "right_ear", "right_eye", "left_eye", "left_ear", "nose", "chin",
    "right_shoulder", "left_shoulder", "right_armpit", "left_armpit", "right_elbow",
    "left_elbow", "right_wrist_outer", "right_wrist_inner", "left_wrist_inner",
    "left_wrist_outer", "right_knee", "left_knee", "right_ankle", "left_ankle",
)  # fmt: skip
# humanprep's limbs between them (upstream publishes none), 1-based as COCO's `skeleton`.
SKELETON = (
    (1, 3), (1, 4), (2, 3), (3, 6), (4, 6), (4, 5), (6, 7), (7, 8), (7, 9), (8, 9),
    (8, 10), (9, 11), (10, 11), (8, 12), (9, 13), (12, 14), (12, 15), (14, 15), (13, 16),
    (13, 17), (16, 17), (10, 18), (11, 19), (18, 20), (19, 21),
)  # fmt: skip

# [DFMM "Keypoints"] keypoints_vis.txt: "If the keypoint is visible, the value is 0. If the
# keypoint is present but hidden by other parts, the value is 1. If the keypoint is not
# present, the value is 2." keypoints_loc.txt: "(-1, -1)" when not present.
VISIBLE, HIDDEN, ABSENT = 0, 1, 2
VISIBILITY = {VISIBLE: "visible", HIDDEN: "hidden", ABSENT: "absent"}
# COCO's v is the other way round: 2 visible, 1 labelled but occluded, 0 not labelled.
TO_COCO_V = {VISIBLE: 2, HIDDEN: 1, ABSENT: 0}
ABSENT_XY = (-1, -1)

# [DFMM "Shape Annotations"] `<img_name> <shape_0> ... <shape_11>`; value k of attribute i
# is SHAPE[i][1][k]; "NA" means the part is not visible.
SHAPE = (
    ("sleeve_length",
     ("sleeveless", "short-sleeve", "medium-sleeve", "long-sleeve", "not long-sleeve", "NA")),
    ("lower_clothing_length", ("three-point", "medium short", "three-quarter", "long", "NA")),
    ("socks", ("no", "socks", "leggings", "NA")),
    ("hat", ("no", "yes", "NA")),
    ("glasses",
     ("no", "eyeglasses", "sunglasses", "have a glasses in hand or clothes", "NA")),
    ("neckwear", ("no", "yes", "NA")),
    ("wrist_wearing", ("no", "yes", "NA")),
    ("ring", ("no", "yes", "NA")),
    ("waist_accessories", ("no", "belt", "have a clothing", "hidden", "NA")),
    ("neckline", ("V-shape", "square", "round", "standing", "lapel", "suspenders", "NA")),
    ("outer_clothing_a_cardigan", ("yes", "no", "NA")),
    ("upper_clothing_covering_navel", ("no", "yes", "NA")),
)  # fmt: skip
# [DFMM "Fabric Annotations"] `<img_name> <upper_fabric> <lower_fabric> <outer_fabric>`
FABRIC = ("denim", "cotton", "leather", "furry", "knitted", "chiffon", "other", "NA")
# [DFMM "Color Annotations"] `<img_name> <upper_color> <lower_color> <outer_color>`
COLOUR = ("floral", "graphic", "striped", "pure color", "lattice", "other", "color block", "NA")
GARMENTS = ("upper", "lower", "outer")
NA = "NA"

# [T2H _load_densepose] the DensePose PNG is read as RGB and channel 2 kept ("channel-wise
# IUV order"): channel 2 holds I, the DensePose body part index, 0 background, 1-24 parts
# (facebookresearch/DensePose's 24 surface patches). What channels 0 and 1 hold (V and U,
# as DensePose's IUV images written by OpenCV in BGR order) is not stated upstream.
DENSEPOSE_PART_CHANNEL = 2
DENSEPOSE_PARTS = 24


def image_name(stem):
    return f"{stem}.jpg"


def stem_of(name):
    """An image name from a label file or captions key, with or without `.jpg`."""
    name = name.strip()
    return name[: -len(".jpg")] if name.lower().endswith(".jpg") else name
