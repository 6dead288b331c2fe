"""COCO person annotations shared by the datasets' exporters: COCO's 17 keypoints and
skeleton, a "person" category, and a person boxed by its keypoints where it has no mask
(a mask annotation: humanprep.coco.common.mask_annotation)."""

from humanprep.coco.common import keypoint_box
from humanprep.coco.ids import annotation_id
from humanprep.coco.writer import num

COCO_KEYPOINTS = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
)  # fmt: skip
COCO_SKELETON = [
    [16, 14], [14, 12], [17, 15], [15, 13], [12, 13], [6, 12], [7, 13], [6, 7], [6, 8],
    [7, 9], [8, 10], [9, 11], [2, 3], [1, 2], [1, 3], [2, 4], [3, 5], [4, 6], [5, 7],
]  # fmt: skip
PERSON_INDEX = 1  # annotation id = image_id * 100 + 1


def person_category(names, skeleton):
    return {
        "id": 1,
        "name": "person",
        "supercategory": "person",
        "keypoints": list(names),
        "skeleton": skeleton,
    }


def keypoint_person(image_id_, flat, labelled, counts):
    """A person without a mask: boxed by its labelled keypoints (None when they span no
    area, which nothing could match)."""
    box = keypoint_box(flat)
    if box is None:
        return None
    if not (box[2] > 0 and box[3] > 0):  # one point, or points on a line: nothing to match
        counts["person_box_without_extent"] += 1
        return None
    counts["person_without_segmentation"] += 1
    return {
        "id": annotation_id(image_id_, PERSON_INDEX),
        "image_id": image_id_,
        "category_id": 1,
        "bbox": box,
        "area": num(box[2] * box[3]),
        "iscrowd": 0,
        "keypoints": flat,
        "num_keypoints": labelled,
    }
