"""SHHQ-1.0 format facts (docs/formats.md): parsing palette and OpenPose BODY_25 names."""

from humanprep import keypoints

# Parsing annotations: class id -> RGB; 0 is the black background.
PALETTE = {
    0: (0, 0, 0),
    1: (127, 255, 212),
    2: (255, 0, 0),
    3: (213, 140, 88),
    4: (0, 100, 0),
    5: (255, 250, 250),
    6: (255, 250, 205),
    7: (220, 220, 220),
    8: (160, 140, 88),
    9: (211, 211, 211),
    10: (144, 238, 144),
    11: (150, 26, 181),
    12: (250, 235, 215),
    13: (16, 78, 139),
    14: (245, 222, 179),
    15: (255, 140, 0),
    16: (50, 205, 50),
}
CLASS_NAMES = (
    "background", "headwear", "hair", "glove", "eyeglasses", "tops", "dress", "coat", "socks",
    "pants", "skin", "scarf", "skirt", "face", "shoes", "bag", "accessories",
)  # fmt: skip
BODY_25 = keypoints.BODY_25  # its keypoint list's layout: OpenPose BODY_25
