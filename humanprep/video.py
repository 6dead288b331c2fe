"""HuGe100K views: frame i of an item's 24-view mp4 is view i (the camera of index i).

The store keeps each video as shipped (H.264, about 250 KB for 24 frames of 640x896, against
about 5 MB as PNGs); a view is decoded when it is wanted, as IDOL's own loader does.
OpenCV is imported here only, on first use: reading a release needs it only for views.
"""

import contextlib
import os
import tempfile


def open_video(path):
    """FFmpeg's decoder threads follow OpenCV's thread count, which the runner sets to the
    job's threads: its default (one per machine core) oversubscribed one-core jobs, and
    two views jobs on two cores ran 1.55x one, not 2x."""
    import cv2

    threads = max(1, cv2.getNumThreads())
    return cv2.VideoCapture(str(path), cv2.CAP_FFMPEG, [cv2.CAP_PROP_N_THREADS, threads])


def iter_frames(path):
    """Yield every frame of the video file as RGB, decoded and converted in two reused
    buffers (each yielded array is overwritten by the next frame: copy it to keep it)."""
    import cv2

    capture = open_video(path)
    bgr = rgb = None
    try:
        while True:
            ok, bgr = capture.read(bgr)
            if not ok:
                return
            rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB, dst=rgb)
            yield rgb
    finally:
        capture.release()


@contextlib.contextmanager
def video_file(data):
    """A temporary .mp4 file holding `data` (OpenCV decodes videos from files only)."""
    fd, path = tempfile.mkstemp(suffix=".mp4")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        yield path
    finally:
        os.unlink(path)


def frames(data):
    """Every frame of an mp4 (bytes) as RGB arrays (H x W x 3, uint8)."""
    with video_file(data) as path:
        return [frame.copy() for frame in iter_frames(path)]


def view(data, index):
    """View `index` of an item (frame `index` of its mp4 bytes) as an RGB array; an
    IndexError when the video has fewer frames. Frames are decoded in order up to it (H.264
    seeks are not exact in every FFmpeg build; 24 small frames decode in tens of ms)."""
    if index < 0:
        raise IndexError(f"view {index} does not exist")
    with video_file(data) as path:
        for i, frame in enumerate(iter_frames(path)):
            if i == index:
                return frame.copy()
    raise IndexError(f"view {index} does not exist: the video has {i + 1 if data else 0} frames")
