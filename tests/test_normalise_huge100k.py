from pathlib import Path

import cv2
import pytest

from humanprep.datasets.huge100k.normalise import parse_name, pose_type
from humanprep.items import BadItem
from humanprep.video import open_video


def test_name_with_spaces_and_tilde():
    assert parse_name("Algeria_female_average_high fashion_50~60 years old_844") == {
        "area": "Algeria",
        "gender": "female",
        "body_type": "average",
        "clothing": "high fashion",
        "age": "50~60 years old",
        "subject_id": "844",
    }


def test_area_with_underscore_parsed_from_the_right():
    got = parse_name("South_Africa_male_slim_casual wear_20~30 years old_7")
    assert got["area"] == "South_Africa" and got["gender"] == "male" and got["subject_id"] == "7"


def test_short_name_is_bad():
    with pytest.raises(BadItem, match="expected 6"):
        parse_name("Algeria_female_844")


def test_pose_type_by_batch():
    assert pose_type("flux_batch1") == "a-pose"
    assert pose_type("flux_batch7") == "a-pose"
    assert pose_type("deepfashion") == "a-pose"
    assert pose_type("flux_batch8") == "diverse"


@pytest.mark.parametrize("threads", [1, 2])
def test_video_decoder_threads_follow_the_jobs_threads(threads):
    """FFmpeg's default is one decoder thread per machine core, whatever the job's cores."""
    data = Path(__file__).resolve().parent.parent / "humanprep/datasets/huge100k/demo_data"
    video = sorted(data.rglob("*.mp4"))[0]
    before = cv2.getNumThreads()
    cv2.setNumThreads(threads)  # what humanprep.runner does with the job's threads
    try:
        capture = open_video(video)
        assert capture.isOpened()
        assert capture.get(cv2.CAP_PROP_N_THREADS) == threads
        capture.release()
    finally:
        cv2.setNumThreads(before)
