import io
import tarfile
import zipfile

import pytest

from humanprep.acquire.items import count_items
from humanprep.errors import HumanprepError


def _zip(path, names):
    with zipfile.ZipFile(path, "w") as zf:
        for name in names:
            zf.writestr(name, b"x")
    return path


def _tar(path, names):
    with tarfile.open(path, "w") as tf:
        for name in names:
            info = tarfile.TarInfo(name)
            info.size = 1
            tf.addfile(info, io.BytesIO(b"x"))
    return path


def test_zip_items_are_main_files_only(tmp_path):
    names = [
        "train/image/000001.jpg",
        "train/image/000002.jpg",
        "train/annos/000001.json",
        "train/annos/000002.json",
        "validation/image/000001.jpg",
    ]
    assert count_items("deepfashion2", _zip(tmp_path / "a.zip", names)) == 3
    shhq = ["SHHQ-1.0/no_segment/a.jpg", "SHHQ-1.0/segments/a.png", "SHHQ-1.0/x_ldmk.txt"]
    assert count_items("shhq", _zip(tmp_path / "s.zip", shhq)) == 1


def test_fdh_counts_distinct_keys(tmp_path):
    names = ["0000001.image.png", "0000001.mask.png", "0000002.image.png", "0000002.E_mask.png"]
    assert count_items("fdh", _tar(tmp_path / "f.tar", names)) == 2


def test_huge100k_counts_videos(tmp_path):
    names = ["b/g/videos/a b~1.mp4", "b/g/videos/a b~1.jpg", "b/g/param/a b~1.npy"]
    assert count_items("huge100k", _tar(tmp_path / "h.tar", names)) == 1


def test_unreadable_archive_names_the_file(tmp_path):
    bad = tmp_path / "bad.tar"
    bad.write_bytes(b"not an archive")
    with pytest.raises(HumanprepError, match="bad.tar: cannot list the archive"):
        count_items("fdh", bad)
